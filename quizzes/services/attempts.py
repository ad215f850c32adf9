"""Starting, autosaving and finishing attempts — correct under concurrency.

Every state change happens in a transaction holding the attempt's row lock
(``select_for_update``; SQLite serialises writers with BEGIN IMMEDIATE); an autosave
is one statement that shares that lock and writes only while the attempt is open.
The database's constraints back the rules: one attempt in progress per person and
round, unique attempt numbers, one answer per question, one standing per person.
"""

import functools
import hashlib

from django.db import IntegrityError, connections, router, transaction

from elearning.models import Profile
from quizzes.models import Answer, Attempt, AttemptState, ContestPage, QuestionKind
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

    Only the attempt row is locked (not the joined rows, which every attempt shares): FOR NO
    KEY UPDATE OF the attempt. ``fields`` (``SUBMIT_FIELDS``): read only these, with the
    person's full name for the leaderboard push, by a statement built once (``_locked_row``);
    without, the attempt with its contest and round.
    """
    if fields is not None:
        return _locked_row(attempt_id, user, fields)
    queryset = Attempt.objects.select_for_update(of=("self",), no_key=True).select_related("contest", "round")
    if user is not None:
        queryset = queryset.filter(user=user)
    return queryset.get(pk=attempt_id)


def _locked_row(attempt_id, user, fields):
    """``_locked`` with ``fields``: one statement, no ORM compile. The attempt comes with
    ``asks_prediction`` (from its contest page's own table) and ``full_name`` (the person's
    profile's, None without a profile) set; its other fields are deferred."""
    connection = connections[router.db_for_write(Attempt)]
    low, high = connection.ops.integer_field_range(Attempt._meta.pk.get_internal_type())
    if not low <= attempt_id <= high:  # no such row; the ORM answers so too, a raw cursor would raise
        raise Attempt.DoesNotExist("Attempt matching query does not exist.")
    sql, attnames, converters = _locked_sql(connection.vendor, tuple(fields), user is not None)
    with connection.cursor() as cursor:
        cursor.execute(sql, [attempt_id] if user is None else [attempt_id, user.pk])
        row = cursor.fetchone()
    if row is None:
        raise Attempt.DoesNotExist("Attempt matching query does not exist.")
    row = _converted(list(row), converters, connection)
    attempt = Attempt.from_db(connection.alias, attnames, row[: len(attnames)])
    attempt.asks_prediction = bool(row[-2])
    attempt.full_name = row[-1]
    return attempt


@functools.cache
def _locked_sql(vendor, fields, by_user):
    """(SQL, the attempt's attnames in the order read, converters) for ``_locked_row``, built
    once from _meta."""
    connection = connections[router.db_for_write(Attempt)]
    qn = connection.ops.quote_name
    wanted = {"id", *(name for name in fields if "__" not in name)}
    if any("__" in name and name != "contest__prediction_question" for name in fields):
        raise ValueError(f"_locked reads the attempt's own fields and its contest's prediction question: {fields}")
    read = [field for field in Attempt._meta.concrete_fields if field.name in wanted]
    attempts = qn(Attempt._meta.db_table)
    contest_meta, profile_meta = ContestPage._meta, Profile._meta
    contests, profiles = qn(contest_meta.db_table), qn(profile_meta.db_table)
    column = Attempt._meta.get_field
    lock = ""
    if connection.features.has_select_for_update:
        lock = " " + connection.ops.for_update_sql(
            of=(attempts,) if connection.features.has_select_for_update_of else (),
            no_key=connection.features.has_select_for_no_key_update,
        )
    sql = (
        f"SELECT {', '.join(f'{attempts}.{qn(field.column)}' for field in read)}, "  # noqa: S608 (names from _meta)
        f"{contests}.{qn(contest_meta.get_field('prediction_question').column)}, "
        f"{profiles}.{qn(profile_meta.get_field('full_name').column)} "
        f"FROM {attempts} "
        f"INNER JOIN {contests} ON {contests}.{qn(contest_meta.pk.column)} = {attempts}.{qn(column('contest').column)} "
        f"LEFT OUTER JOIN {profiles} ON {profiles}.{qn(profile_meta.get_field('user').column)} = "
        f"{attempts}.{qn(column('user').column)} "
        f"WHERE {attempts}.{qn(column('id').column)} = %s"
        + (f" AND {attempts}.{qn(column('user').column)} = %s" if by_user else "")
        + lock
    )
    return sql, [field.attname for field in read], _converters(read, connection)


def _converters(fields, connection):
    """[(index, column, [converter])] that turn what the database driver gives for ``fields``
    into what the ORM would have given (e.g. JSON, and datetimes on SQLite)."""
    found = []
    for index, field in enumerate(fields):
        col = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if functions:
            found.append((index, col, functions))
    return found


def _converted(row, converters, connection):
    for index, col, functions in converters:
        value = row[index]
        for function in functions:
            value = function(value, col, connection)
        row[index] = value
    return row


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
            value = parse_prediction(prediction, required=attempt.asks_prediction)
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
    answers = dict(_saved_answers(attempt.pk, attempt.deadline + clock.GRACE))
    # The answer key from this process's memory (the final ranking regrades from the database).
    attempt.score = score_answers(attempt.draw, answers, answer_key.correct_choices(attempt.question_ids))
    attempt.state = state
    finished_at = min(finished_at, attempt.deadline)
    attempt.submitted_at = finished_at
    attempt.duration_ms = max(0, int((finished_at - attempt.started_at).total_seconds() * 1000))
    attempt.prediction = prediction
    _save_grade(attempt)
    standings.record(attempt)


def _saved_answers(attempt_id, saved_by):
    """[(question id, choice ids)] saved by ``saved_by``: one statement built once."""
    connection = connections[router.db_for_read(Answer)]
    sql, converters = _answers_sql(connection.vendor)
    saved_by = Answer._meta.get_field("saved_at").get_db_prep_value(saved_by, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [attempt_id, saved_by])
        return [_converted(list(row), converters, connection) for row in cursor.fetchall()]


@functools.cache
def _answers_sql(vendor):
    connection = connections[router.db_for_read(Answer)]
    qn = connection.ops.quote_name
    field = Answer._meta.get_field
    read = [field("question"), field("choice_ids")]
    sql = (
        f"SELECT {qn(read[0].column)}, {qn(read[1].column)} FROM {qn(Answer._meta.db_table)} "  # noqa: S608 (names from _meta)
        f"WHERE {qn(field('attempt').column)} = %s AND {qn(field('saved_at').column)} <= %s"
    )
    return sql, _converters(read, connection)


GRADE_FIELDS = ("score", "state", "submitted_at", "duration_ms", "prediction")


def _save_grade(attempt):
    """``attempt.save(update_fields=GRADE_FIELDS)`` as one statement built once (no model
    signal listens to attempts being saved)."""
    connection = connections[router.db_for_write(Attempt)]
    sql, fields = _grade_sql(connection.vendor)
    params = [field.get_db_prep_save(getattr(attempt, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, attempt.pk])


@functools.cache
def _grade_sql(vendor):
    connection = connections[router.db_for_write(Attempt)]
    qn = connection.ops.quote_name
    fields = [Attempt._meta.get_field(name) for name in GRADE_FIELDS]
    sql = (
        f"UPDATE {qn(Attempt._meta.db_table)} SET {', '.join(f'{qn(field.column)} = %s' for field in fields)} "  # noqa: S608 (names from _meta)
        f"WHERE {qn(Attempt._meta.pk.column)} = %s"
    )
    return sql, fields
