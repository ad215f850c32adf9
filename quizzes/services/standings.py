"""Keeping standings when an attempt is graded (inside the grading transaction).

A participant's round standing is their best attempt; the contest standing sums
round-best scores and durations; unit standings keep participants and score sums
so unit boards never group the whole table.
"""

from django.db import IntegrityError, transaction
from django.db.models import F

from quizzes.models import ContestStanding, Standing, UnitStanding


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
        _add_to_contest(attempt, score=attempt.score, duration_ms=attempt.duration_ms, new_round=True)
    elif attempt_key(attempt) < standing.sort_key():
        delta_score = attempt.score - standing.score
        delta_duration = attempt.duration_ms - standing.duration_ms
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


def _add_to_contest(attempt, *, score, duration_ms, new_round):
    lookup = {"contest_id": attempt.contest_id, "user_id": attempt.user_id}
    updated = ContestStanding.objects.filter(**lookup).update(
        score=F("score") + score, duration_ms=F("duration_ms") + duration_ms, rounds=F("rounds") + int(new_round)
    )
    if updated:
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
    _add_to_unit(attempt.contest_id, None, attempt.unit_id, participants=1, score=score, contest_wide=True)
