"""Knowledge checks, graded on the server.

A check is a ``check`` block in a lesson body, identified by (lesson id, block id); its
choices by their index in the block's ``choices`` list. A learner posts the indexes
they chose; the answer is right when the chosen set equals the set of correct choices
(several for a multiple-answer check: all or nothing).

Nothing tells which choice is right before the learner has answered right: the state
of an unanswered check carries no correctness, a wrong answer shows the explanation and
may be retried, and only a passed check lists its correct choices. The answers are
kept in ``LessonProgress.check_results`` (see ``courses.services.progress``).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.blocks import CheckKind
from courses.services.progress import (
    CompletionResult,
    ProgressError,
    check_ids_of,
    course_of,
    evaluate_completion,
    lesson_passed,
    locked_lesson_progress,
    require_enrolment,
)

MAX_CHOICES = 50


class CheckError(Exception):
    """A bad answer: nothing is recorded, ``message`` is shown to the learner."""

    MESSAGES = {
        "no_choice": _("Choose an answer first."),
        "invalid_choice": _("That answer is not one of the choices of this question."),
        "one_answer": _("This question has one answer: choose only one."),
    }

    def __init__(self, code):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(str(self.message))


def correct_indexes(check):
    return frozenset(index for index, choice in enumerate(check["choices"]) if choice.get("correct"))


def parse_choices(raw_values, check):
    """The chosen indexes, sorted, from the posted ``choices`` values; raises :class:`CheckError`."""
    values = [str(value).strip() for value in raw_values if str(value).strip()][:MAX_CHOICES]
    if not values:
        raise CheckError("no_choice")
    count = len(check["choices"])
    chosen = set()
    for value in values:
        if not value.isdigit() or int(value) >= count:
            raise CheckError("invalid_choice")
        chosen.add(int(value))
    if check.get("kind", CheckKind.SINGLE) != CheckKind.MULTIPLE and len(chosen) > 1:
        raise CheckError("one_answer")
    return sorted(chosen)


def grade(check, chosen):
    return frozenset(chosen) == correct_indexes(check)


@dataclass(frozen=True)
class CheckState:
    """What the lesson page may show of one check for one learner."""

    answered: bool = False
    correct: bool = False
    passed: bool = False
    attempts: int = 0
    chosen: tuple = ()
    correct_choices: tuple = ()  # only once passed
    explanation: object = None  # only once answered

    @property
    def can_answer(self):
        return not self.passed


def state_of(check, result):
    """The :class:`CheckState` of ``check`` given the learner's stored ``result`` (or None)."""
    if not result:
        return CheckState()
    passed = bool(result.get("passed"))
    return CheckState(
        answered=True,
        correct=bool(result.get("correct")),
        passed=passed,
        attempts=int(result.get("attempts") or 0),
        chosen=tuple(result.get("choices") or ()),
        correct_choices=tuple(sorted(correct_indexes(check))) if passed else (),
        explanation=check.get("explanation"),
    )


@dataclass
class AnswerOutcome:
    state: CheckState
    completion: CompletionResult
    already_passed: bool = False


def answer_check(user, lesson, block_id, raw_values):
    """Grade and record an enrolled learner's answer to check ``block_id`` of ``lesson``.

    Raises ``LookupError`` when the lesson has no such check, :class:`ProgressError` when the
    learner is not enrolled, :class:`CheckError` for a malformed answer. Once a check is
    passed, later answers change nothing.
    """
    block_id = str(block_id)
    check = lesson.get_check(block_id)
    if check is None:
        raise LookupError(block_id)
    course = course_of(lesson)
    enrolment = require_enrolment(user, course)
    chosen = parse_choices(raw_values, check)
    correct = grade(check, chosen)
    completion = CompletionResult()
    with transaction.atomic():
        row = locked_lesson_progress(user, lesson, enrolment)
        results = dict(row.check_results or {})
        previous = results.get(block_id) or {}
        if previous.get("passed"):
            return AnswerOutcome(state=state_of(check, previous), completion=completion, already_passed=True)
        attempts = int(previous.get("attempts") or 0) + 1
        results[block_id] = {
            "choices": chosen,
            "correct": correct,
            "passed": correct,
            "first_correct": correct if attempts == 1 else bool(previous.get("first_correct")),
            "attempts": attempts,
            "answered_at": timezone.now().isoformat(),
        }
        row.check_results = results
        fields = ["check_results"]
        if row.completed_at is None and lesson_passed(check_ids_of(lesson.body), results):
            row.completed_at = timezone.now()
            fields.append("completed_at")
            completion.lesson_completed = True
        row.save(update_fields=fields)
    if completion.lesson_completed:
        completion.certificate = evaluate_completion(enrolment)
        completion.course_completed = completion.certificate is not None
    return AnswerOutcome(state=state_of(check, results[block_id]), completion=completion)


__all__ = ["AnswerOutcome", "CheckError", "CheckState", "ProgressError", "answer_check", "parse_choices", "state_of"]
