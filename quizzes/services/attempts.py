"""Starting, autosaving and finishing attempts — correct under concurrency.

Every state change happens in a transaction holding the attempt's row lock
(``select_for_update``; SQLite serialises writers with BEGIN IMMEDIATE); an autosave
is one statement that shares that lock and writes only while the attempt is open.
The database's constraints back the rules: one attempt in progress per person and
round, unique attempt numbers, one answer per question, one standing per person.
"""

import hashlib

from django.db import IntegrityError, transaction

from elearning.models import Profile
from quizzes.models import Answer, Attempt, AttemptState, QuestionKind
from quizzes.services import answer_key, clock, frames, standings
from quizzes.services.draw import draw_questions
from quizzes.services.errors import (
    AttemptFinished,
    AttemptsExhausted,
    ContestError,
    DeadlinePassed,
    InvalidChoice,
    InvalidPrediction,
    NoOpenRound,
    NotEligible,
    QuestionNotInAttempt,
)

PREDICTION_MAX = 10_000_000


def participant_profile(user, contest):
    """The profile that may take part in ``contest``, or NotEligible."""
    if not user.is_authenticated:
        raise NotEligible()
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        raise NotEligible()
    if contest.eligibility == contest.Eligibility.OFFICIALS and profile.kind != Profile.Kind.OFFICIAL:
        raise NotEligible()
    return profile


def device_fingerprint(request):
    """A short, non-reversible hash of the user agent and address a request came from."""
    if request is None:
        return ""
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(f"{agent}|{address}".encode()).hexdigest()[:16]


def open_round(contest, moment):
    """The round open at ``moment``: from the rounds the contest lookup already holds
    (``contest.round_list``, see ``quizzes.services.lookup``), else from the database."""
    rounds = getattr(contest, "round_list", None)
    if rounds is None:
        return contest.round_open_at(moment)
    return next((round_ for round_ in rounds if round_.is_open(moment)), None)


def start_attempt(user, contest, moment=None, device=""):
    """Start an attempt in the open round, or resume the one in progress.

    Returns ``(attempt, created)``.
    """
    moment = moment or clock.now()
    profile = participant_profile(user, contest)
    round_ = open_round(contest, moment)
    if round_ is None:
        raise NoOpenRound()

    # The person's attempts in this round (a few at most): the one in progress and how many.
    attempts = list(Attempt.objects.filter(user=user, round=round_))
    current = next((attempt for attempt in attempts if not attempt.is_finished), None)
    if current is not None:
        if clock.within_grace(moment, current.deadline):
            current.contest, current.round = contest, round_
            return current, False
        finish_overdue(current.pk, moment)

    used = len(attempts)
    if used >= contest.attempts_per_round:
        raise AttemptsExhausted()
    draw = draw_questions(contest)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                user=user,
                contest=contest,
                round=round_,
                number=used + 1,
                group=profile.kind,
                unit_id=profile.unit_id,
                started_at=moment,
                deadline=clock.deadline_for(moment, contest.time_limit, round_.closes_at),
                max_score=len(draw),
                draw=draw,
                device=device,
            )
    except IntegrityError:
        # A parallel request started one first: resume it.
        current = Attempt.objects.in_progress().filter(user=user, round=round_).first()
        if current is None:
            raise AttemptsExhausted() from None
        return current, False
    return attempt, True


# What a submit reads of the attempt (and of its contest page's own table, not
# Wagtail's page row): what grading and the result need.
SUBMIT_FIELDS = (
    *("user", "contest", "round", "unit", "group", "state", "started_at", "deadline", "draw"),
    *("score", "max_score", "duration_ms", "submitted_at", "prediction", "contest__prediction_question"),
)


def _locked(attempt_id, user=None, fields=None):
    """The attempt under its row lock; ``user`` set: only if it is theirs (else
    ``Attempt.DoesNotExist``, which the API answers with its usual 404).

    Only the attempt row is locked (not the joined contest page and round rows, which
    every attempt shares): FOR NO KEY UPDATE OF the attempt. ``fields``: read only these
    (``.only()``); without, the attempt with its contest and round.
    """
    queryset = Attempt.objects.select_for_update(of=("self",), no_key=True)
    if fields is None:
        queryset = queryset.select_related("contest", "round")
    else:
        queryset = queryset.only(*fields)
        if any("__" in field for field in fields):
            queryset = queryset.select_related("contest")
    if user is not None:
        queryset = queryset.filter(user=user)
    return queryset.get(pk=attempt_id)


def validate_choices(item, choice_ids):
    """The chosen ids in the order shown; ``item`` is a frame's ``(kind, choice ids)``."""
    kind, shown = item
    if not isinstance(choice_ids, list | tuple) or not all(
        isinstance(cid, int) and not isinstance(cid, bool) for cid in choice_ids
    ):
        raise InvalidChoice()
    chosen = set(choice_ids)
    if len(chosen) != len(choice_ids) or not chosen <= set(shown):
        raise InvalidChoice()
    if kind != QuestionKind.MULTIPLE and len(chosen) > 1:
        raise InvalidChoice()
    return sorted(chosen, key=shown.index)


def save_answer(user, attempt_id, question_id, choice_ids, moment=None):
    """Autosave one answer. Nothing is written once the attempt is finished.

    One statement and no transaction: the question and the choices are checked against
    the attempt's draw and clock, which never change after the start and are kept in
    process memory (``quizzes.services.frames``; the row is read on a process's first
    save only). Then the answer is written by one statement that only writes while the
    attempt is still the user's, in progress and within its grace
    (``Answer.objects.save_while_open``: it waits for a finish holding the attempt's
    lock and then writes nothing). So a save that was answered "saved" is always in the
    grade, and one that comes after the finish is refused.
    """
    frame = frames.get(attempt_id, user)
    moment = moment or clock.now()
    try:
        item = frame.item(question_id)
        if item is None:
            raise QuestionNotInAttempt()
        if not clock.within_grace(moment, frame.deadline):
            raise DeadlinePassed()
        chosen = validate_choices(item, choice_ids)
        if Answer.objects.save_while_open(
            attempt_id, user.pk, question_id, chosen, moment, not_before=moment - clock.GRACE
        ):
            return chosen, moment
        raise AttemptFinished()  # submitted, or swept at its deadline
    except ContestError as refusal:
        _refuse_save(attempt_id, moment, refusal)


def _refuse_save(attempt_id, moment, refusal):
    """A finished attempt is refused as finished whatever else is wrong with the save;
    an attempt still in progress past its deadline is graded now."""
    state = Attempt.objects.filter(pk=attempt_id).values_list("state", flat=True).first()
    if state is None:
        raise Attempt.DoesNotExist  # deleted since its frame was kept
    if state != AttemptState.IN_PROGRESS:
        raise AttemptFinished() from None
    if isinstance(refusal, DeadlinePassed):
        finish_overdue(attempt_id, moment)
    raise refusal


def parse_prediction(value, required):
    if value is None or value == "":
        if required:
            raise InvalidPrediction()
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidPrediction()
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > 8:
            raise InvalidPrediction()
        value = int(value)
    if not 0 <= value <= PREDICTION_MAX:
        raise InvalidPrediction()
    return value


def submit_attempt(user, attempt_id, prediction=None, moment=None):
    """Finish an attempt. A repeat returns the same result and changes nothing.

    Within the deadline's grace it counts as submitted; later, it is graded as
    expired on the answers saved in time.
    """
    with transaction.atomic():
        attempt = _locked(attempt_id, user, SUBMIT_FIELDS)
        moment = moment or clock.now()
        if attempt.is_finished:
            return attempt
        if clock.within_grace(moment, attempt.deadline):
            value = parse_prediction(prediction, required=attempt.contest.asks_prediction)
            _grade(attempt, AttemptState.SUBMITTED, moment, value)
        else:
            try:
                value = parse_prediction(prediction, required=False)
            except InvalidPrediction:
                value = None
            _grade(attempt, AttemptState.EXPIRED, attempt.deadline, value)
    return attempt


def finish_overdue(attempt_id, moment=None):
    """Grade an attempt whose deadline (and grace) passed, if still in progress."""
    with transaction.atomic():
        attempt = _locked(attempt_id)
        moment = moment or clock.now()
        if attempt.is_finished or clock.within_grace(moment, attempt.deadline):
            return attempt
        _grade(attempt, AttemptState.EXPIRED, attempt.deadline, None)
    return attempt


def close_expired_attempts(moment=None, batch=500):
    """Grade every overdue attempt. Returns how many were graded."""
    moment = moment or clock.now()
    graded = 0
    while True:
        ids = list(Attempt.objects.overdue(moment).order_by("deadline").values_list("pk", flat=True)[:batch])
        if not ids:
            return graded
        for attempt_id in ids:
            if finish_overdue(attempt_id, moment).state == AttemptState.EXPIRED:
                graded += 1


def correct_choices(question_ids):
    """``{question id: {correct choice ids}}``, read from the database."""
    return answer_key.read_correct_choices(question_ids)


def score_answers(draw, answers, correct):
    """All-or-nothing per question: the chosen set must equal the correct set."""
    score = 0
    for item in draw:
        chosen = set(answers.get(item["q"], ()))
        if chosen and chosen == correct.get(item["q"], set()):
            score += 1
    return score


def _grade(attempt, state, finished_at, prediction):
    answers = dict(
        Answer.objects.filter(attempt=attempt, saved_at__lte=attempt.deadline + clock.GRACE).values_list(
            "question_id", "choice_ids"
        )
    )
    # The answer key from this process's memory (the final ranking regrades from the database).
    attempt.score = score_answers(attempt.draw, answers, answer_key.correct_choices(attempt.question_ids))
    attempt.state = state
    finished_at = min(finished_at, attempt.deadline)
    attempt.submitted_at = finished_at
    attempt.duration_ms = max(0, int((finished_at - attempt.started_at).total_seconds() * 1000))
    attempt.prediction = prediction
    attempt.save(update_fields=["score", "state", "submitted_at", "duration_ms", "prediction"])
    standings.record(attempt)
