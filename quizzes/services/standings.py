"""Keeping standings when an attempt is graded (inside the grading transaction).

A participant's round standing is their best attempt; the contest standing sums
round-best scores and durations; unit standings keep participants and score sums
so unit boards never group the whole table; score buckets count standings per
(score, whole second) so "my rank" in SQL never counts the whole table either.

Row locks are taken in a fixed order: the round standing, the contest standing (one
upsert that returns its new totals and version), then the unit rows (round and contest-wide)
and the buckets, each upserted (so a missing row costs no extra statement): on PostgreSQL all
in one statement (the unit rows' upserts first), on SQLite, which has no writes in a WITH
clause, one statement per table.
"""

import functools
import sqlite3
from collections import Counter

from django.db import connection

from quizzes.leaderboards.rows import NAME_UNKNOWN
from quizzes.models import ContestStanding, ScoreBucket, Standing, UnitStanding


def epoch_ms(moment):
    return int(moment.timestamp() * 1000)


def attempt_key(attempt):
    return (-attempt.score, attempt.duration_ms, epoch_ms(attempt.submitted_at), attempt.user_id)


def bucket_of(score, duration_ms):
    return score, duration_ms // 1000


def record(attempt):
    """Update the standings with a freshly graded attempt. Returns the round standing."""
    buckets = Counter()
    first = Standing(
        round_id=attempt.round_id,
        user_id=attempt.user_id,
        attempt_id=attempt.pk,
        unit_id=attempt.unit_id,
        group=attempt.group,
        score=attempt.score,
        duration_ms=attempt.duration_ms,
        submitted_ms=epoch_ms(attempt.submitted_at),
    )
    # Most gradings are a person's first in the round: one INSERT, no read. Otherwise the
    # standing that is there, under its row lock, moves only if this attempt is better.
    if _insert_if_new(first):
        standing = first
        new_round, delta_score, delta_duration = True, attempt.score, attempt.duration_ms
    else:
        standing = Standing.objects.select_for_update().get(round_id=attempt.round_id, user_id=attempt.user_id)
        if not attempt_key(attempt) < standing.sort_key():
            return standing
        new_round = False
        delta_score = attempt.score - standing.score
        delta_duration = attempt.duration_ms - standing.duration_ms
        buckets[(attempt.round_id, *bucket_of(standing.score, standing.duration_ms))] -= 1
        standing.attempt = attempt
        standing.score = attempt.score
        standing.duration_ms = attempt.duration_ms
        standing.submitted_ms = epoch_ms(attempt.submitted_at)
        standing.save(update_fields=["attempt", "score", "duration_ms", "submitted_ms"])
    buckets[(attempt.round_id, *bucket_of(standing.score, standing.duration_ms))] += 1

    contest = _add_to_contest(attempt, score=delta_score, duration_ms=delta_duration, new_round=new_round)
    if contest["before"] is not None:
        buckets[(None, *bucket_of(*contest["before"]))] -= 1
    buckets[(None, *bucket_of(contest["score"], contest["duration_ms"]))] += 1

    units = {}  # (participants, score) to add to the unit's round row and contest-wide row
    if standing.unit_id is not None:
        units[(attempt.round_id, standing.unit_id)] = (int(new_round), delta_score)
    if attempt.unit_id is not None:
        units[(None, attempt.unit_id)] = (int(contest["before"] is None), delta_score)
    _add_to_units_and_buckets(attempt.contest_id, units, buckets)

    from quizzes.leaderboards import push_after_commit

    push_after_commit(
        attempt.contest_id,
        attempt.round_id,
        attempt.user_id,
        (standing.score, standing.duration_ms, standing.submitted_ms, standing.unit_id),
        (contest["score"], contest["duration_ms"], contest["version"], contest["unit_id"]),
        # (the name, when the grading read it with the attempt; None: the person has no profile)
        getattr(attempt, "full_name", NAME_UNKNOWN),
    )
    return standing


def _add_to_contest(attempt, *, score, duration_ms, new_round):
    """Add a round's change to the contest standing, created when new, in one upsert under
    its row lock. Returns its totals before (None when new) and after, its version (1 when
    created, one more on each change) and its unit (the first round's: what its board row shows)."""
    params = [attempt.contest_id, attempt.user_id, attempt.unit_id, attempt.group, score, duration_ms, 1, 1]
    with connection.cursor() as cursor:
        cursor.execute(_contest_upsert(connection.vendor), [*params, int(new_round)])
        total_score, total_duration, version, unit_id = cursor.fetchone()
    before = None if version == 1 else (total_score - score, total_duration - duration_ms)
    return {
        "before": before,
        "score": total_score,
        "duration_ms": total_duration,
        "version": version,
        "unit_id": unit_id,
    }


@functools.cache
def _contest_upsert(vendor):
    """The contest standing's upsert, built once from _meta: the person's first round inserts
    it; a later one (or a parallel one, which is waited for) adds to it."""
    meta = ContestStanding._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    names = ("contest", "user", "unit", "group", "score", "duration_ms", "rounds", "version")
    columns = [qn(meta.get_field(name).column) for name in names]
    contest, user, unit, score, duration, rounds, version = (*columns[:3], *columns[4:])
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608 (names from _meta)
        f"ON CONFLICT ({contest}, {user}) DO UPDATE SET "
        f"{score} = {table}.{score} + EXCLUDED.{score}, {duration} = {table}.{duration} + EXCLUDED.{duration}, "
        f"{rounds} = {table}.{rounds} + %s, {version} = {table}.{version} + 1 "
        f"RETURNING {score}, {duration}, {version}, {unit}"
    )


def _insert_if_new(row):
    """Insert an unsaved model instance unless it breaks a unique constraint (``ON CONFLICT
    DO NOTHING``, one statement, no savepoint). Returns whether it was inserted; a row that
    is there (committed, or being inserted by a parallel transaction, which is waited for)
    is left as it is. The instance's primary key is not set."""
    meta = row._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(field.column) for field in fields)}) "  # noqa: S608 (names from _meta)
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING RETURNING 1"
    )
    params = [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


# The aggregates' upserts: per table, the round rows and the contest-wide rows (round null)
# each have their own partial unique index, so each kind is its own ON CONFLICT target.
UPSERTS = {
    UnitStanding: {
        "keys": ("round_id", "unit_id"),
        "values": ("participants", "score_sum"),
        "targets": ("(round_id, unit_id) WHERE round_id IS NOT NULL", "(contest_id, unit_id) WHERE round_id IS NULL"),
    },
    ScoreBucket: {
        "keys": ("round_id", "score", "second"),
        "values": ("count",),
        "targets": (
            "(round_id, score, second) WHERE round_id IS NOT NULL",
            "(contest_id, score, second) WHERE round_id IS NULL",
        ),
    },
}
SQLITE_ONE_UPSERT_PER_TABLE = sqlite3.sqlite_version_info >= (3, 35)  # several ON CONFLICT clauses


def _upsert(model, contest_id, deltas, targets):
    """``INSERT … ON CONFLICT (target) DO UPDATE`` adding ``deltas`` ({key values: {column:
    delta}}, keys in ``UPSERTS[model]["keys"]``) to the rows of ``contest_id``, creating the
    missing ones: (sql, params). Rows are written in key order, so parallel gradings lock the
    rows they share in the same order."""
    spec = UPSERTS[model]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ("contest_id", *spec["keys"], *spec["values"])
    rows, params = [], []
    for key in sorted(deltas, key=lambda key: tuple(-1 if value is None else value for value in key)):
        rows.append(f"({', '.join(['%s'] * len(columns))})")
        params += [contest_id, *key, *(deltas[key][column] for column in spec["values"])]
    update = ", ".join(f"{qn(column)} = {table}.{qn(column)} + excluded.{qn(column)}" for column in spec["values"])
    clauses = " ".join(f"ON CONFLICT {target} DO UPDATE SET {update}" for target in targets)
    sql = f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES {', '.join(rows)} {clauses}"  # noqa: S608 — names are ours
    return sql, params


def _add_to_units_and_buckets(contest_id, units, buckets):
    """``units``: {(round id, or None for the contest-wide row, unit id): (participants, score)};
    ``buckets``: {(round id, or None for contest-wide, score, second): +n or -n}. Added to the
    rows that are there and creating the missing ones, in the same number of statements
    whether or not they exist: one on PostgreSQL (the upserts as writes in a WITH clause: the
    unit rows first, round then contest-wide, then the buckets), one per table on SQLite."""
    unit_deltas = {
        key: {"participants": participants, "score_sum": score}
        for key, (participants, score) in units.items()
        if participants or score
    }
    bucket_deltas = {key: {"count": delta} for key, delta in buckets.items() if delta}
    statements = []  # one per table and kind of row (round, contest-wide), in lock order
    for model, deltas in ((UnitStanding, unit_deltas), (ScoreBucket, bucket_deltas)):
        kinds = [
            ({k: v for k, v in deltas.items() if k[0] is not None}, UPSERTS[model]["targets"][0]),
            ({k: v for k, v in deltas.items() if k[0] is None}, UPSERTS[model]["targets"][1]),
        ]
        kinds = [(part, target) for part, target in kinds if part]
        if connection.vendor == "sqlite" and SQLITE_ONE_UPSERT_PER_TABLE and kinds:
            statements.append(_upsert(model, contest_id, deltas, [target for _part, target in kinds]))
        else:
            statements += [_upsert(model, contest_id, part, [target]) for part, target in kinds]
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(statements) > 1:
            # The main query reads the WITH clauses in this order, so they run (and lock) in it.
            ctes = ", ".join(f"w{n} AS ({sql} RETURNING 1)" for n, (sql, _params) in enumerate(statements))
            reads = " UNION ALL ".join(f"SELECT 1 FROM w{n}" for n in range(len(statements)))  # noqa: S608
            cursor.execute(
                f"WITH {ctes} SELECT count(*) FROM ({reads}) AS written",  # noqa: S608 — built above
                [p for _sql, params in statements for p in params],
            )
        else:
            for sql, params in statements:
                cursor.execute(sql, params)
