"""Keeping standings when an attempt is graded (inside the grading transaction).

A participant's round standing is their best attempt; the contest standing sums
round-best scores and durations; unit standings keep participants and score sums
so unit boards never group the whole table.
"""

from django.db import IntegrityError, transaction
from django.db.models import F

from quizzes.models import ContestStanding, ScoreBucket, Standing, UnitStanding


def epoch_ms(moment):
    return int(moment.timestamp() * 1000)


def attempt_key(attempt):
    return (-attempt.score, attempt.duration_ms, epoch_ms(attempt.submitted_at), attempt.user_id)


def record(attempt):
    """Update the standings with a freshly graded attempt. Returns the round standing."""
    standing = Standing.objects.select_for_update().filter(round_id=attempt.round_id, user_id=attempt.user_id).first()
    if standing is None:
        standing = Standing.objects.create(
            round_id=attempt.round_id,
            user_id=attempt.user_id,
            attempt=attempt,
            unit_id=attempt.unit_id,
            group=attempt.group,
            score=attempt.score,
            duration_ms=attempt.duration_ms,
            submitted_ms=epoch_ms(attempt.submitted_at),
        )
        _add_to_unit(attempt.contest_id, attempt.round_id, attempt.unit_id, participants=1, score=attempt.score)
        _move_bucket(attempt.contest_id, attempt.round_id, None, (attempt.score, attempt.duration_ms))
        _add_to_contest(attempt, score=attempt.score, duration_ms=attempt.duration_ms, new_round=True)
    elif attempt_key(attempt) < standing.sort_key():
        delta_score = attempt.score - standing.score
        delta_duration = attempt.duration_ms - standing.duration_ms
        _move_bucket(
            attempt.contest_id,
            attempt.round_id,
            (standing.score, standing.duration_ms),
            (attempt.score, attempt.duration_ms),
        )
        standing.attempt = attempt
        standing.score = attempt.score
        standing.duration_ms = attempt.duration_ms
        standing.submitted_ms = epoch_ms(attempt.submitted_at)
        standing.save(update_fields=["attempt", "score", "duration_ms", "submitted_ms"])
        _add_to_unit(attempt.contest_id, attempt.round_id, standing.unit_id, participants=0, score=delta_score)
        _add_to_contest(attempt, score=delta_score, duration_ms=delta_duration, new_round=False)
    else:
        return standing

    from quizzes.leaderboards import push_after_commit

    push_after_commit(attempt.contest_id, attempt.round_id, attempt.user_id)
    return standing


def _add_to_unit(contest_id, round_id, unit_id, *, participants, score, contest_wide=False):
    if unit_id is None or (participants == 0 and score == 0):
        return
    lookup = {"contest_id": contest_id, "round_id": None if contest_wide else round_id, "unit_id": unit_id}
    changes = {"participants": F("participants") + participants, "score_sum": F("score_sum") + score}
    if UnitStanding.objects.filter(**lookup).update(**changes):
        return
    try:
        with transaction.atomic():
            UnitStanding.objects.create(**lookup, participants=participants, score_sum=score)
    except IntegrityError:  # created by a parallel grading in between
        UnitStanding.objects.filter(**lookup).update(**changes)


def bucket_of(score, duration_ms):
    return score, duration_ms // 1000


def _bump_bucket(contest_id, round_id, key, delta):
    score, second = bucket_of(*key)
    lookup = {"contest_id": contest_id, "round_id": round_id, "score": score, "second": second}
    if ScoreBucket.objects.filter(**lookup).update(count=F("count") + delta):
        return
    try:
        with transaction.atomic():
            ScoreBucket.objects.create(**lookup, count=delta)
    except IntegrityError:  # created by a parallel grading in between
        ScoreBucket.objects.filter(**lookup).update(count=F("count") + delta)


def _move_bucket(contest_id, round_id, old, new):
    """Move one standing from bucket ``old`` (None when new) to ``new``; round_id None = contest-wide."""
    if old is not None and bucket_of(*old) == bucket_of(*new):
        return
    if old is not None:
        _bump_bucket(contest_id, round_id, old, -1)
    _bump_bucket(contest_id, round_id, new, +1)


def _add_to_contest(attempt, *, score, duration_ms, new_round):
    lookup = {"contest_id": attempt.contest_id, "user_id": attempt.user_id}
    row = ContestStanding.objects.select_for_update().filter(**lookup).first()
    if row is not None:
        before = (row.score, row.duration_ms)
        row.score += score
        row.duration_ms += duration_ms
        row.rounds += int(new_round)
        row.save(update_fields=["score", "duration_ms", "rounds"])
        _move_bucket(attempt.contest_id, None, before, (row.score, row.duration_ms))
        if score:
            _add_to_unit(attempt.contest_id, None, attempt.unit_id, participants=0, score=score, contest_wide=True)
        return
    try:
        with transaction.atomic():
            ContestStanding.objects.create(
                **lookup, unit_id=attempt.unit_id, group=attempt.group, score=score, duration_ms=duration_ms, rounds=1
            )
    except IntegrityError:  # another round of the same person graded in parallel
        _add_to_contest(attempt, score=score, duration_ms=duration_ms, new_round=new_round)
        return
    _move_bucket(attempt.contest_id, None, None, (score, duration_ms))
    _add_to_unit(attempt.contest_id, None, attempt.unit_id, participants=1, score=score, contest_wide=True)
