"""Keeping standings when an attempt is graded (inside the grading transaction).

A participant's round standing is their best attempt; the contest standing sums
round-best scores and durations; unit standings keep participants and score sums
so unit boards never group the whole table; score buckets count standings per
(score, whole second) so "my rank" in SQL never counts the whole table either.

Row locks are taken in a fixed order: the round standing, the contest standing, then
the unit rows (round and contest-wide) in one statement, then the buckets in one.
"""

from collections import Counter

from django.db import IntegrityError, connection, transaction
from django.db.models import F

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
    _add_to_units(attempt.contest_id, units)
    _move_buckets(attempt.contest_id, buckets)

    from quizzes.leaderboards import push_after_commit

    push_after_commit(
        attempt.contest_id,
        attempt.round_id,
        attempt.user_id,
        (standing.score, standing.duration_ms, standing.submitted_ms, standing.unit_id),
    )
    return standing


def _add_to_contest(attempt, *, score, duration_ms, new_round):
    """Add a round's change to the contest standing (created when new). Returns its totals
    before (None when new) and after."""
    lookup = {"contest_id": attempt.contest_id, "user_id": attempt.user_id}
    new = ContestStanding(
        **lookup, unit_id=attempt.unit_id, group=attempt.group, score=score, duration_ms=duration_ms, rounds=1
    )
    if _insert_if_new(new):  # the person's first graded round: one INSERT
        return {"before": None, "score": score, "duration_ms": duration_ms}
    # There (a parallel grading of another round may just have created it): under its lock.
    row = ContestStanding.objects.select_for_update().get(**lookup)
    before = (row.score, row.duration_ms)
    row.score += score
    row.duration_ms += duration_ms
    row.rounds += int(new_round)
    row.save(update_fields=["score", "duration_ms", "rounds"])
    return {"before": before, "score": row.score, "duration_ms": row.duration_ms}


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


def _increment(model, contest_id, keys, deltas):
    """One ``UPDATE … RETURNING`` adding ``deltas`` ({key values: {column: delta}}) to the
    rows of ``contest_id`` identified by ``keys`` (column names; a None value is IS NULL).
    Returns the keys of the rows found; the caller creates the others."""
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
    with connection.cursor() as cursor:
        cursor.execute(sql, [*set_params, contest_id, *where_params])
        return {tuple(row) for row in cursor.fetchall()}


def _key_params(key):
    return [value for value in key if value is not None]


def _add_to_units(contest_id, changes):
    """``changes``: {(round id, or None for the contest-wide row, unit id): (participants, score)}."""
    deltas = {
        key: {"participants": participants, "score_sum": score}
        for key, (participants, score) in changes.items()
        if participants or score
    }
    if not deltas:
        return
    found = _increment(UnitStanding, contest_id, ("round_id", "unit_id"), deltas)
    for (round_id, unit_id), change in deltas.items():
        if (round_id, unit_id) not in found:
            lookup = {"contest_id": contest_id, "round_id": round_id, "unit_id": unit_id}
            _create_or_add(UnitStanding, lookup, change)


def _move_buckets(contest_id, changes):
    """``changes``: {(round id, or None for contest-wide, score, second): +n or -n}."""
    deltas = {key: {"count": delta} for key, delta in changes.items() if delta}
    if not deltas:
        return
    found = _increment(ScoreBucket, contest_id, ("round_id", "score", "second"), deltas)
    for (round_id, score, second), change in deltas.items():
        if (round_id, score, second) not in found:
            lookup = {"contest_id": contest_id, "round_id": round_id, "score": score, "second": second}
            _create_or_add(ScoreBucket, lookup, change)


def _create_or_add(model, lookup, change):
    try:
        with transaction.atomic():
            model.objects.create(**lookup, **change)
    except IntegrityError:  # created by a parallel grading in between
        model.objects.filter(**lookup).update(**{column: F(column) + delta for column, delta in change.items()})
