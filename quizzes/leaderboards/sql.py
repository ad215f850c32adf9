"""Leaderboards straight from the standings tables, using the ranking indexes.

Rows are read with ``values_list`` (no model instances for Standing, User, Profile, Unit);
a total is one query over the per-unit aggregates, a rank one query over the score buckets
(everyone in a better (score, whole second) bucket, plus those ahead inside mine).
"""

from django.db import connection
from django.db.models import BigIntegerField, Count, ExpressionWrapper, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from quizzes.models import ContestStanding, ScoreBucket, Standing, UnitStanding

from .rows import NAME_COLUMNS, display_name, individual_row

PAGE_COLUMNS = (*NAME_COLUMNS, "score", "duration_ms")


def page_rows(values, offset):
    """Board rows from ``PAGE_COLUMNS`` tuples."""
    return [
        individual_row(rank, display_name(user_id, full_name), unit_name or "", score, duration_ms)
        for rank, (user_id, full_name, unit_name, score, duration_ms) in enumerate(values, start=offset + 1)
    ]


def _sum(queryset, column, group):
    """A subquery: SUM(column) over ``queryset`` (one group), 0 when empty."""
    total = queryset.order_by().values(group).annotate(n=Sum(column)).values("n")
    return Coalesce(Subquery(total), Value(0))


def _total(unit_aggregates, without_unit, group):
    """Participants summed over the per-unit aggregates (a handful of rows instead of counting
    them all), plus the standings without a unit: one query."""
    total = ExpressionWrapper(
        Count("pk") + _sum(unit_aggregates, "participants", group), output_field=BigIntegerField()
    )
    return without_unit.aggregate(n=total)["n"]


# A rank in one query and one round trip: my standing, everyone in a better (score, whole
# second) bucket, and those ahead of me inside my bucket (a short range of the ranking index).
# Plain SQL, the same on PostgreSQL and SQLite (integer division of integer columns): the ORM
# spelling of these correlated subqueries cost more to compile than the query costs to run.
ROUND_RANK_SQL = """
SELECT s.score, s.duration_ms,
  COALESCE((SELECT SUM(b.count) FROM {buckets} b WHERE b.round_id = s.round_id
            AND (b.score > s.score OR (b.score = s.score AND b.second < s.duration_ms / 1000))), 0)
  + (SELECT COUNT(*) FROM {standings} t WHERE t.round_id = s.round_id AND t.score = s.score
     AND t.duration_ms >= s.duration_ms / 1000 * 1000 AND t.duration_ms <= s.duration_ms
     AND (t.duration_ms < s.duration_ms OR (t.duration_ms = s.duration_ms AND (t.submitted_ms < s.submitted_ms
          OR (t.submitted_ms = s.submitted_ms AND t.user_id < s.user_id)))))
FROM {standings} s WHERE s.round_id = %s AND s.user_id = %s
"""
CONTEST_RANK_SQL = """
SELECT s.score, s.duration_ms,
  COALESCE((SELECT SUM(b.count) FROM {buckets} b WHERE b.contest_id = s.contest_id AND b.round_id IS NULL
            AND (b.score > s.score OR (b.score = s.score AND b.second < s.duration_ms / 1000))), 0)
  + (SELECT COUNT(*) FROM {standings} t WHERE t.contest_id = s.contest_id AND t.score = s.score
     AND t.duration_ms >= s.duration_ms / 1000 * 1000 AND t.duration_ms <= s.duration_ms
     AND (t.duration_ms < s.duration_ms OR (t.duration_ms = s.duration_ms AND t.user_id < s.user_id)))
FROM {standings} s WHERE s.contest_id = %s AND s.user_id = %s
"""


def _rank(sql, standings, params):
    tables = {"buckets": ScoreBucket._meta.db_table, "standings": standings._meta.db_table}
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**tables), params)
        found = cursor.fetchone()
    if found is None:
        return None
    score, duration_ms, ahead = found
    return {"rank": ahead + 1, "score": score, "duration_ms": duration_ms}


class SqlLeaderboard:
    name = "sql"

    # -- round -------------------------------------------------------------
    def round_total(self, round_id):
        return _total(
            UnitStanding.objects.filter(round_id=round_id),
            Standing.objects.filter(round_id=round_id, unit__isnull=True),
            "round_id",
        )

    def round_page(self, round_id, offset=0, limit=50):
        standings = Standing.objects.filter(round_id=round_id).order_by(
            "-score", "duration_ms", "submitted_ms", "user_id"
        )[offset : offset + limit]
        return page_rows(standings.values_list(*PAGE_COLUMNS), offset)

    def round_rank(self, round_id, user_id):
        return _rank(ROUND_RANK_SQL, Standing, [round_id, user_id])

    def round_rank_and_total(self, round_id, user_id):
        return self.round_rank(round_id, user_id), self.round_total(round_id)

    def round_board(self, round_id, offset=0, limit=50):
        return self.round_total(round_id), self.round_page(round_id, offset, limit)

    # -- contest-wide ------------------------------------------------------
    def contest_total(self, contest_id):
        return _total(
            UnitStanding.objects.filter(contest_id=contest_id, round__isnull=True),
            ContestStanding.objects.filter(contest_id=contest_id, unit__isnull=True),
            "contest_id",
        )

    def contest_page(self, contest_id, offset=0, limit=50):
        standings = ContestStanding.objects.filter(contest_id=contest_id).order_by("-score", "duration_ms", "user_id")[
            offset : offset + limit
        ]
        return page_rows(standings.values_list(*PAGE_COLUMNS), offset)

    def contest_rank(self, contest_id, user_id):
        return _rank(CONTEST_RANK_SQL, ContestStanding, [contest_id, user_id])

    def contest_rank_and_total(self, contest_id, user_id):
        return self.contest_rank(contest_id, user_id), self.contest_total(contest_id)

    def contest_board(self, contest_id, offset=0, limit=50):
        return self.contest_total(contest_id), self.contest_page(contest_id, offset, limit)
