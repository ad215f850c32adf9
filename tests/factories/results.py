"""Hand-built contest data for the results tests: graded attempts with exactly the
answers, times and devices a test needs, recorded in the standings as grading does.

    contest = closed_contest(questions=4)
    q1, q2, q3, q4 = questions_of(contest)
    graded_attempt(profile, contest.rounds.get(number=1), right=[q1, q2], wrong=[q3], started_at=..., seconds=60)
"""

from datetime import timedelta

from django.utils import timezone

from quizzes.models import Answer, Attempt, AttemptState, Choice
from quizzes.services import standings
from tests.factories.quizzes import make_contest


def closed_contest(questions=4, **settings):
    """A contest whose round 1 ran 8 → 1 days ago (closed) and round 2 is open now.

    Every attempt draws all ``questions`` (questions_per_attempt = questions).
    """
    now = timezone.now()
    rounds = [
        {"opens_at": now - timedelta(days=8), "closes_at": now - timedelta(days=1)},
        {"opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=6)},
    ]
    settings.setdefault("questions_per_attempt", questions)
    return make_contest(questions=questions, rounds=rounds, **settings)


def questions_of(contest):
    return list(contest.bank.questions.order_by("pk"))


def _choices(question):
    choices = list(Choice.objects.filter(question=question).order_by("sort_order", "pk"))
    right = [c.pk for c in choices if c.correct]
    wrong = [next(c.pk for c in choices if not c.correct)]
    return [c.pk for c in choices], right, wrong


def graded_attempt(
    profile,
    round_,
    *,
    right=(),
    wrong=(),
    unanswered=(),
    started_at=None,
    seconds=60,
    prediction=None,
    device="",
    state=AttemptState.SUBMITTED,
):
    """A finished attempt of ``profile`` drawing ``right`` + ``wrong`` + ``unanswered`` questions
    (in that order), answered correctly, wrongly and not at all; its standing recorded."""
    contest = round_.contest
    started_at = started_at or round_.opens_at + timedelta(hours=1)
    drawn = [*right, *wrong, *unanswered]
    draw, answers = [], []
    for question in drawn:
        ids, correct, incorrect = _choices(question)
        draw.append({"q": question.pk, "k": question.kind, "c": ids})
        if question in right:
            answers.append((question, correct))
        elif question in wrong:
            answers.append((question, incorrect))
    number = Attempt.objects.filter(user=profile.user, round=round_).count() + 1
    submitted_at = started_at + timedelta(seconds=seconds)
    attempt = Attempt.objects.create(
        user=profile.user,
        contest=contest,
        round=round_,
        number=number,
        state=state,
        group=profile.kind,
        unit=profile.unit,
        started_at=started_at,
        deadline=started_at + contest.time_limit,
        submitted_at=submitted_at,
        score=len(right),
        max_score=len(drawn),
        duration_ms=int(seconds * 1000),
        prediction=prediction,
        draw=draw,
        device=device,
    )
    Answer.objects.bulk_create(
        Answer(attempt=attempt, question=question, choice_ids=chosen, saved_at=started_at + timedelta(seconds=1))
        for question, chosen in answers
    )
    standings.record(attempt)
    return attempt
