"""Leaderboards straight from the standings tables, using the ranking indexes.

Every read is one statement of plain SQL, the same on PostgreSQL and SQLite: a page (the
standings in the ranking index's order, the profile's full name joined on the standing's user
id, the unit's name), a total (the per-unit aggregates summed, plus the standings without a
unit), a rank (the score buckets ahead of mine plus those ahead inside my bucket), or a page or
a rank with the total. The ORM spelling of these cost more to compile than they cost to run; on
PostgreSQL they are also prepared on the server once per connection (:func:`_fetch`), so a
top-50 page is not parsed and planned again on every request.
"""

import functools

from django.db import connection
from django.utils.asyncio import async_unsafe

from elearning.models import Profile, Unit
from quizzes.models import ContestStanding, ScoreBucket, Standing, UnitStanding

from .rows import display_name, individual_row

# Pages that start before this offset are prepared on PostgreSQL (the first pages, where everybody
# looks: one prepared statement per page size and offset); deeper ones are planned each time.
PREPARED_OFFSETS = 500

_TABLES = {
    "standing": Standing._meta.db_table,
    "contest_standing": ContestStanding._meta.db_table,
    "unit_standing": UnitStanding._meta.db_table,
    "buckets": ScoreBucket._meta.db_table,
    "profile": Profile._meta.db_table,
    "unit": Unit._meta.db_table,
}

# Totals: participants summed over the per-unit aggregates (a handful of rows instead of counting
# them all), plus the standings without a unit. Parameters: the round (contest) id, twice.
ROUND_TOTAL_SQL = """(SELECT COUNT(*) FROM {standing} WHERE round_id = %s AND unit_id IS NULL)
  + COALESCE((SELECT SUM(participants) FROM {unit_standing} WHERE round_id = %s), 0)"""
CONTEST_TOTAL_SQL = """(SELECT COUNT(*) FROM {contest_standing} WHERE contest_id = %s AND unit_id IS NULL)
  + COALESCE((SELECT SUM(participants) FROM {unit_standing} WHERE contest_id = %s AND round_id IS NULL), 0)"""

# Pages in the ranking index's order with its tie-breaks; the profile joined on the standing's
# user id (auth_user is not needed); ``limit`` and ``offset`` written in, so that a prepared
# page's plan is the plan for that page (PostgreSQL plans a LIMIT parameter as 10 % of the
# rows). Parameter: the round (contest) id. Columns: user id, full name (NULL without a
# profile), unit name (NULL without a unit), score, duration, then the rest of the order.
ROUND_PAGE_SQL = """SELECT s.user_id, p.full_name, u.name, s.score, s.duration_ms, s.submitted_ms
  FROM {standing} s LEFT JOIN {profile} p ON p.user_id = s.user_id LEFT JOIN {unit} u ON u.id = s.unit_id
  WHERE s.round_id = %s ORDER BY s.score DESC, s.duration_ms, s.submitted_ms, s.user_id
  LIMIT {limit:d} OFFSET {offset:d}"""
ROUND_PAGE_ORDER = "r.score DESC, r.duration_ms, r.submitted_ms, r.user_id"
CONTEST_PAGE_SQL = """SELECT s.user_id, p.full_name, u.name, s.score, s.duration_ms
  FROM {contest_standing} s LEFT JOIN {profile} p ON p.user_id = s.user_id LEFT JOIN {unit} u ON u.id = s.unit_id
  WHERE s.contest_id = %s ORDER BY s.score DESC, s.duration_ms, s.user_id
  LIMIT {limit:d} OFFSET {offset:d}"""
CONTEST_PAGE_ORDER = "r.score DESC, r.duration_ms, r.user_id"

# A rank: my standing, everyone in a better (score, whole second) bucket, and those ahead of me
# inside my bucket (a short range of the ranking index). Integer division of integer columns,
# the same on both databases. Parameters: the round (contest) id, the user id.
ROUND_RANK_SQL = """SELECT s.score, s.duration_ms,
  COALESCE((SELECT SUM(b.count) FROM {buckets} b WHERE b.round_id = s.round_id
            AND (b.score > s.score OR (b.score = s.score AND b.second < s.duration_ms / 1000))), 0)
  + (SELECT COUNT(*) FROM {standing} t WHERE t.round_id = s.round_id AND t.score = s.score
     AND t.duration_ms >= s.duration_ms / 1000 * 1000 AND t.duration_ms <= s.duration_ms
     AND (t.duration_ms < s.duration_ms OR (t.duration_ms = s.duration_ms AND (t.submitted_ms < s.submitted_ms
          OR (t.submitted_ms = s.submitted_ms AND t.user_id < s.user_id))))) AS ahead
  FROM {standing} s WHERE s.round_id = %s AND s.user_id = %s"""
CONTEST_RANK_SQL = """SELECT s.score, s.duration_ms,
  COALESCE((SELECT SUM(b.count) FROM {buckets} b WHERE b.contest_id = s.contest_id AND b.round_id IS NULL
            AND (b.score > s.score OR (b.score = s.score AND b.second < s.duration_ms / 1000))), 0)
  + (SELECT COUNT(*) FROM {contest_standing} t WHERE t.contest_id = s.contest_id AND t.score = s.score
     AND t.duration_ms >= s.duration_ms / 1000 * 1000 AND t.duration_ms <= s.duration_ms
     AND (t.duration_ms < s.duration_ms OR (t.duration_ms = s.duration_ms AND t.user_id < s.user_id))) AS ahead
  FROM {contest_standing} s WHERE s.contest_id = %s AND s.user_id = %s"""

# A page or a rank with the total, in one statement and one round trip: the one-row total LEFT
# JOINed with the page or my standing (one row of NULLs beside the total when there is none).
WITH_TOTAL_SQL = "SELECT t.total, r.* FROM (SELECT {total} AS total) t LEFT JOIN ({rows}) r ON 1 = 1"


@functools.lru_cache(maxsize=256)
def statement(total=None, rows=None, order=None, limit=0, offset=0):
    """The SQL of a total, of rows (a page or a rank), or of both with the rows in ``order``."""
    if rows is not None:
        rows = rows.format(**_TABLES, limit=limit, offset=offset)
    if total is None:
        return rows
    total = total.format(**_TABLES)
    if rows is None:
        return f"SELECT {total}"
    sql = WITH_TOTAL_SQL.format(total=total, rows=rows)
    return f"{sql} ORDER BY {order}" if order else sql


@functools.cache
def _preparing_cursor():
    """A psycopg cursor that binds parameters on the server and prepares its statement when its
    ``prepare`` is true (psycopg names it and keeps the name per connection)."""
    import psycopg

    class PreparingCursor(psycopg.Cursor):
        prepare = False

        def execute(self, query, params=None, **kwargs):
            kwargs.setdefault("prepare", self.prepare)
            return super().execute(query, params, **kwargs)

        def _convert_query(self, query, params=None):
            # Kept where Django's query log reads the statement (``last_executed_query``), as a
            # client-side cursor keeps it: the SQL with its $n placeholders.
            self._query = converted = super()._convert_query(query, params)
            return converted

    return PreparingCursor


# psycopg's threshold while one of these statements runs: it never prepares on its own account.
_ONLY_WHEN_ASKED = 2**62


@async_unsafe  # as Django's connection.cursor()
def _fetch(sql, params, prepare=True):
    """The rows of ``sql`` through Django's cursor wrapper (the query log that
    ``assertNumQueries`` reads, execute wrappers, Django's exceptions).

    On PostgreSQL the cursor underneath is a server-binding psycopg cursor, and with
    ``prepare`` the statement is prepared on the first run in a connection and executed by name
    after that: PostgreSQL neither parses it again nor, after five runs, plans it again (a
    generic plan). Django's own cursors (client-side binding, ``prepare_threshold`` None) still
    prepare nothing. What is prepared lives in the connection: a new one (``CONN_MAX_AGE``, a
    failed health check) prepares again, and psycopg forgets (DEALLOCATE ALL) after a rollback.
    Through PgBouncer in transaction mode this needs ``max_prepared_statements`` (docs/scaling.md).
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # What ``connection.cursor()`` does, with this cursor class in place of the client-side one
    # (our statements read no timestamps, so the per-cursor time zone loader is not needed).
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    with connection.wrap_database_errors:
        cursor = _preparing_cursor()(raw)
    cursor.prepare = prepare
    wrapped = connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)
    threshold = raw.prepare_threshold
    if threshold is None:  # Django's default: psycopg prepares nothing, even when asked
        raw.prepare_threshold = _ONLY_WHEN_ASKED
    try:
        with wrapped:
            wrapped.execute(sql, params)
            return wrapped.fetchall()
    finally:
        raw.prepare_threshold = threshold


def page_rows(values, offset):
    """Board rows from ``(user id, full name, unit name, score, duration_ms, ...)`` tuples."""
    return [
        individual_row(rank, display_name(user_id, full_name), unit_name or "", score, duration_ms)
        for rank, (user_id, full_name, unit_name, score, duration_ms, *_order) in enumerate(values, start=offset + 1)
    ]


def _rank(found):
    if found is None or found[0] is None:
        return None
    score, duration_ms, ahead = found
    return {"rank": ahead + 1, "score": score, "duration_ms": duration_ms}


class SqlLeaderboard:
    name = "sql"

    def _total(self, total_sql, board_id):
        return _fetch(statement(total_sql), [board_id, board_id])[0][0]

    def _page(self, page_sql, board_id, offset, limit):
        sql = statement(rows=page_sql, limit=limit, offset=offset)
        return page_rows(_fetch(sql, [board_id], prepare=offset < PREPARED_OFFSETS), offset)

    def _board(self, total_sql, page_sql, order, board_id, offset, limit):
        sql = statement(total_sql, page_sql, order, limit, offset)
        found = _fetch(sql, [board_id, board_id, board_id], prepare=offset < PREPARED_OFFSETS)
        return found[0][0], page_rows([row[1:] for row in found if row[1] is not None], offset)

    def _rank_and_total(self, total_sql, rank_sql, board_id, user_id):
        (found,) = _fetch(statement(total_sql, rank_sql), [board_id, board_id, board_id, user_id])
        return _rank(found[1:]), found[0]

    # -- round -------------------------------------------------------------
    def round_total(self, round_id):
        return self._total(ROUND_TOTAL_SQL, round_id)

    def round_page(self, round_id, offset=0, limit=50):
        return self._page(ROUND_PAGE_SQL, round_id, offset, limit)

    def round_rank(self, round_id, user_id):
        found = _fetch(statement(rows=ROUND_RANK_SQL), [round_id, user_id])
        return _rank(found[0] if found else None)

    def round_rank_and_total(self, round_id, user_id):
        return self._rank_and_total(ROUND_TOTAL_SQL, ROUND_RANK_SQL, round_id, user_id)

    def round_board(self, round_id, offset=0, limit=50):
        return self._board(ROUND_TOTAL_SQL, ROUND_PAGE_SQL, ROUND_PAGE_ORDER, round_id, offset, limit)

    # -- contest-wide ------------------------------------------------------
    def contest_total(self, contest_id):
        return self._total(CONTEST_TOTAL_SQL, contest_id)

    def contest_page(self, contest_id, offset=0, limit=50):
        return self._page(CONTEST_PAGE_SQL, contest_id, offset, limit)

    def contest_rank(self, contest_id, user_id):
        found = _fetch(statement(rows=CONTEST_RANK_SQL), [contest_id, user_id])
        return _rank(found[0] if found else None)

    def contest_rank_and_total(self, contest_id, user_id):
        return self._rank_and_total(CONTEST_TOTAL_SQL, CONTEST_RANK_SQL, contest_id, user_id)

    def contest_board(self, contest_id, offset=0, limit=50):
        return self._board(CONTEST_TOTAL_SQL, CONTEST_PAGE_SQL, CONTEST_PAGE_ORDER, contest_id, offset, limit)
