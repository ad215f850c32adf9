"""The contest factories build what the other tests rely on."""

import pytest
from django.utils import timezone

from quizzes.models import ContestIndexPage, QuestionKind
from tests.factories.quizzes import QuestionFactory, RoundFactory, make_contest

pytestmark = pytest.mark.django_db


def test_question_kinds_get_valid_choices():
    for kind, count, correct in [
        (QuestionKind.SINGLE, 4, 1),
        (QuestionKind.MULTIPLE, 4, 2),
        (QuestionKind.TRUE_FALSE, 2, 1),
    ]:
        question = QuestionFactory(kind=kind, tags=["nd-61-2018"])
        choices = list(question.choices.all())
        question.validate_choices(choices)
        assert len(choices) == count
        assert sum(choice.correct for choice in choices) == correct
        assert list(question.tags.names()) == ["nd-61-2018"]


def test_explicit_choices_and_correct_indexes():
    question = QuestionFactory(multiple=True, choices=["a", "b", "c"], choices__correct=[1, 2])
    assert [(c.text, c.correct) for c in question.choices.all()] == [("a", False), ("b", True), ("c", True)]


def test_make_contest_builds_an_open_contest_under_one_index():
    contest = make_contest(questions=6, rounds=2, questions_per_attempt=4)
    other = make_contest()
    assert ContestIndexPage.objects.count() == 1
    assert contest.get_parent().specific == other.get_parent().specific
    assert contest.bank.questions.count() == 6
    assert contest.questions_per_attempt == 4
    assert contest.live
    assert [r.number for r in contest.rounds.all()] == [1, 2]
    assert contest.round_open_at(timezone.now()).number == 1
    assert RoundFactory(contest=contest).number == 3
