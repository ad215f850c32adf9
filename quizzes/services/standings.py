"""Keeping standings when an attempt is graded (inside the grading transaction).

A participant's round standing is their best attempt; the contest standing sums
round-best scores and durations; unit standings keep participants and score sums
so unit boards never group the whole table; score buckets count standings per
(score, whole second) so "my rank" in SQL never counts the whole table either.

Row locks are taken in a fixed order: the round standing, the contest standing (one
upsert that returns its new totals and version), then the unit rows (round and contest-wide)
and the buckets: on PostgreSQL both in one statement (the unit rows' UPDATE first), on
SQLite, which has no writes in a WITH clause, one statement each.
"""

import functools
from collections import Counter

from django.db import IntegrityError, connection, transaction
from django.db.models import F

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


def _increment_sql(model, contest_id, keys, deltas):
    """One ``UPDATE … RETURNING`` adding ``deltas`` ({key values: {column: delta}}) to the
    rows of ``contest_id`` identified by ``keys`` (column names; a None value is IS NULL):
    (sql, params); it returns the keys of the rows found, the caller creates the others."""
    table = connection.ops.quote_name(model._meta.db_table)
    conditions, where_params = [], []
    for key in deltas:
        parts = []
        for column, value in zip(keys, key, strict=True):
            if value is None:
                parts.append(f"{column} IS NULL")
            else:
                parts.append(f"{column} = %s")
                where_params.append(value)
        conditions.append(f"({' AND '.join(parts)})")
    assignments, set_params = [], []
    for column in next(iter(deltas.values())):
        cases = []
        for condition, (key, changes) in zip(conditions, deltas.items(), strict=True):
            cases.append(f"WHEN {condition} THEN %s")
            set_params += [*_key_params(key), changes[column]]
        assignments.append(f"{column} = {column} + CASE {' '.join(cases)} ELSE 0 END")
    sql = (
        f"UPDATE {table} SET {', '.join(assignments)} "  # noqa: S608 — table and column names are ours
        f"WHERE contest_id = %s AND ({' OR '.join(conditions)}) RETURNING {', '.join(keys)}"
    )
    return sql, [*set_params, contest_id, *where_params]


def _key_params(key):
    return [value for value in key if value is not None]


UNIT_KEYS = ("round_id", "unit_id")
BUCKET_KEYS = ("round_id", "score", "second")


def _add_to_units_and_buckets(contest_id, units, buckets):
    """``units``: {(round id, or None for the contest-wide row, unit id): (participants, score)};
    ``buckets``: {(round id, or None for contest-wide, score, second): +n or -n}. The rows that
    are there are updated in one statement on PostgreSQL (the unit rows first, then the
    buckets), in one per table on SQLite; the missing ones are created."""
    unit_deltas = {
        key: {"participants": participants, "score_sum": score}
        for key, (participants, score) in units.items()
        if participants or score
    }
    bucket_deltas = {key: {"count": delta} for key, delta in buckets.items() if delta}
    parts = []
    if unit_deltas:
        parts.append(("u", _increment_sql(UnitStanding, contest_id, UNIT_KEYS, unit_deltas)))
    if bucket_deltas:
        parts.append(("b", _increment_sql(ScoreBucket, contest_id, BUCKET_KEYS, bucket_deltas)))
    found = {"u": set(), "b": set()}
    with connection.cursor() as cursor:
        if len(parts) == 2 and connection.vendor == "postgresql":
            (_, (unit_sql, unit_params)), (_, (bucket_sql, bucket_params)) = parts
            # The unit rows' CTE is read first by the UNION ALL, so it runs (and locks) first.
            cursor.execute(
                f"WITH u AS ({unit_sql}), b AS ({bucket_sql}) "  # noqa: S608 — built above from our names
                "SELECT 'u', round_id, unit_id, NULL FROM u UNION ALL SELECT 'b', round_id, score, second FROM b",
                [*unit_params, *bucket_params],
            )
            for kind, *key in cursor.fetchall():
                found[kind].add(tuple(key) if kind == "b" else tuple(key[:2]))
        else:
            for kind, (sql, params) in parts:
                cursor.execute(sql, params)
                found[kind] = {tuple(row) for row in cursor.fetchall()}
    for (round_id, unit_id), change in unit_deltas.items():
        if (round_id, unit_id) not in found["u"]:
            lookup = {"contest_id": contest_id, "round_id": round_id, "unit_id": unit_id}
            _create_or_add(UnitStanding, lookup, change)
    for (round_id, score, second), change in bucket_deltas.items():
        if (round_id, score, second) not in found["b"]:
            lookup = {"contest_id": contest_id, "round_id": round_id, "score": score, "second": second}
            _create_or_add(ScoreBucket, lookup, change)


def _create_or_add(model, lookup, change):
    try:
        with transaction.atomic():
            model.objects.create(**lookup, **change)
    except IntegrityError:  # created by a parallel grading in between
        model.objects.filter(**lookup).update(**{column: F(column) + delta for column, delta in change.items()})
