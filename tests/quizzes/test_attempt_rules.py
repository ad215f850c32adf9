"""The contest rules on attempts, called as services (the API tests call them over HTTP)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes.models import Answer, Attempt, ContestStanding, Standing, UnitStanding
from quizzes.services import attempts as svc
from quizzes.services import errors
from tests.factories.elearning import ProfileFactory
from tests.factories.quizzes import QuestionFactory, make_contest

from .helpers import answer_all, correct_ids

pytestmark = pytest.mark.django_db


def test_start_draws_n_questions_and_keeps_the_draw(contest, participant):
    attempt, created = svc.start_attempt(participant, contest)
    assert created
    assert len(attempt.draw) == 5 == attempt.max_score
    assert len(set(attempt.question_ids)) == 5
    resumed, created_again = svc.start_attempt(participant, contest)
    assert not created_again
    assert resumed.pk == attempt.pk and resumed.draw == attempt.draw


def test_deadline_is_start_plus_limit_capped_by_round_close(participant):
    contest = make_contest(
        questions=5,
        rounds=[{"opens_at": timezone.now() - timedelta(days=1), "closes_at": timezone.now() + timedelta(minutes=3)}],
        time_limit_seconds=900,
    )
    attempt, _ = svc.start_attempt(participant, contest)
    assert attempt.deadline == contest.rounds.get().closes_at
    other = make_contest(questions=5, rounds=1, time_limit_seconds=60)
    moment = timezone.now()
    attempt2, _ = svc.start_attempt(participant, other, moment)
    assert attempt2.deadline == moment + timedelta(seconds=60)


def test_topic_quotas_are_respected(participant):
    contest = make_contest(questions=4, rounds=1, questions_per_attempt=5)
    QuestionFactory.create_batch(6, bank=contest.bank, topic="ISO 9001")
    contest.topic_quotas.create(topic="ISO 9001", count=3)
    for _ in range(3):
        attempt, _ = svc.start_attempt(participant, contest)
        topics = [q.topic for q in contest.bank.questions.filter(pk__in=attempt.question_ids)]
        assert topics.count("ISO 9001") >= 3
        svc.submit_attempt(participant, attempt.pk, 10)


def test_choice_order_is_shuffled_and_kept(participant):
    contest = make_contest(questions=20, rounds=1, questions_per_attempt=20, attempts_per_round=3)
    attempt, _ = svc.start_attempt(participant, contest)
    orders = [item["c"] for item in attempt.draw]
    assert any(order != sorted(order) for order in orders), "choices were never shuffled"
    attempt.refresh_from_db()
    assert [item["c"] for item in attempt.draw] == orders


def test_attempts_per_round_limit(contest, participant):
    for _ in range(contest.attempts_per_round):
        attempt, created = svc.start_attempt(participant, contest)
        assert created
        svc.submit_attempt(participant, attempt.pk, 5)
    with pytest.raises(errors.AttemptsExhausted):
        svc.start_attempt(participant, contest)
    assert Attempt.objects.filter(user=participant).count() == contest.attempts_per_round


def test_no_open_round(participant):
    contest = make_contest(
        questions=5,
        rounds=[{"opens_at": timezone.now() + timedelta(days=1), "closes_at": timezone.now() + timedelta(days=2)}],
    )
    with pytest.raises(errors.NoOpenRound):
        svc.start_attempt(participant, contest)


def test_officials_only_contest_refuses_citizens(participant, official):
    contest = make_contest(questions=5, rounds=1, eligibility="officials")
    with pytest.raises(errors.NotEligible):
        svc.start_attempt(participant, contest)
    attempt, _ = svc.start_attempt(official, contest)
    assert attempt.group == "official"


def test_user_without_profile_is_not_eligible(contest, django_user_model):
    user = django_user_model.objects.create_user("0900000999", password="x-Secret-123")
    with pytest.raises(errors.NotEligible):
        svc.start_attempt(user, contest)


def test_autosave_last_write_wins_and_validates_choices(contest, participant):
    attempt, _ = svc.start_attempt(participant, contest)
    item = attempt.draw[0]
    svc.save_answer(participant, attempt.pk, item["q"], [item["c"][0]])
    svc.save_answer(participant, attempt.pk, item["q"], [item["c"][1]])
    assert Answer.objects.get(attempt=attempt, question_id=item["q"]).choice_ids == [item["c"][1]]
    other_question_choice = attempt.draw[1]["c"][0]
    for bad in ([other_question_choice], [item["c"][0], item["c"][1]], "1", [True], [item["c"][0]] * 2):
        with pytest.raises(errors.InvalidChoice):
            svc.save_answer(participant, attempt.pk, item["q"], bad)
    assert Answer.objects.get(attempt=attempt, question_id=item["q"]).choice_ids == [item["c"][1]]
    with pytest.raises(errors.QuestionNotInAttempt):
        svc.save_answer(participant, attempt.pk, 10**9, [])


def test_someone_elses_attempt_is_not_found(contest, participant):
    attempt, _ = svc.start_attempt(participant, contest)
    intruder = ProfileFactory().user
    with pytest.raises(Attempt.DoesNotExist):
        svc.save_answer(intruder, attempt.pk, attempt.draw[0]["q"], [])
    with pytest.raises(Attempt.DoesNotExist):
        svc.submit_attempt(intruder, attempt.pk, 1)


def test_grading_is_all_or_nothing_for_multiple_choice(participant):
    bank_questions = [QuestionFactory(multiple=True) for _ in range(1)]
    contest = make_contest(questions=bank_questions, rounds=1, questions_per_attempt=1)
    attempt, _ = svc.start_attempt(participant, contest)
    qid = attempt.draw[0]["q"]
    right = correct_ids(qid)
    assert len(right) == 2
    svc.save_answer(participant, attempt.pk, qid, right[:1])
    result = svc.submit_attempt(participant, attempt.pk, 3)
    assert result.score == 0
    attempt2, _ = svc.start_attempt(participant, contest)
    svc.save_answer(participant, attempt2.pk, qid, right)
    assert svc.submit_attempt(participant, attempt2.pk, 3).score == 1


def test_submit_grades_once_and_repeats_change_nothing(contest, participant):
    attempt, _ = svc.start_attempt(participant, contest)
    for qid, choices in answer_all(attempt, right=3).items():
        svc.save_answer(participant, attempt.pk, qid, choices)
    first = svc.submit_attempt(participant, attempt.pk, 120)
    assert (first.state, first.score, first.prediction) == ("submitted", 3, 120)
    again = svc.submit_attempt(participant, attempt.pk, 999)
    assert (again.state, again.score, again.prediction, again.submitted_at) == ("submitted", 3, 120, first.submitted_at)
    assert Standing.objects.get(user=participant).score == 3
    with pytest.raises(errors.AttemptFinished):
        svc.save_answer(participant, attempt.pk, attempt.draw[0]["q"], [])


@pytest.mark.parametrize("bad", [-1, 10_000_001, "abc", 1.5, True, None, "", [1], {"a": 1}])
def test_bad_prediction_is_refused_and_changes_nothing(contest, participant, bad):
    attempt, _ = svc.start_attempt(participant, contest)
    with pytest.raises(errors.InvalidPrediction):
        svc.submit_attempt(participant, attempt.pk, bad)
    attempt.refresh_from_db()
    assert attempt.state == "in_progress" and attempt.score is None


def test_prediction_optional_when_contest_asks_none(participant):
    contest = make_contest(questions=5, rounds=1, prediction_question="")
    attempt, _ = svc.start_attempt(participant, contest)
    assert svc.submit_attempt(participant, attempt.pk, None).state == "submitted"


def test_answer_after_deadline_plus_grace_is_refused_and_attempt_graded_expired(contest, participant):
    start = timezone.now()
    attempt, _ = svc.start_attempt(participant, contest, start)
    answers = answer_all(attempt, right=5)
    q1, q2 = attempt.draw[0]["q"], attempt.draw[1]["q"]
    svc.save_answer(participant, attempt.pk, q1, answers[q1], start + timedelta(seconds=30))
    # within the 2 s grace after the deadline: accepted
    svc.save_answer(participant, attempt.pk, q2, answers[q2], attempt.deadline + timedelta(seconds=1.5))
    q3 = attempt.draw[2]["q"]
    with pytest.raises(errors.DeadlinePassed):
        svc.save_answer(participant, attempt.pk, q3, answers[q3], attempt.deadline + timedelta(seconds=2.5))
    attempt.refresh_from_db()
    assert attempt.state == "expired"
    assert attempt.score == 2
    assert attempt.submitted_at == attempt.deadline
    assert not Answer.objects.filter(attempt=attempt, question_id=q3).exists()


def test_submit_within_grace_counts_as_submitted_later_as_expired(contest, participant):
    start = timezone.now()
    attempt, _ = svc.start_attempt(participant, contest, start)
    late = svc.submit_attempt(participant, attempt.pk, 7, attempt.deadline + timedelta(seconds=1.9))
    assert late.state == "submitted"
    assert late.duration_ms == contest.time_limit_seconds * 1000
    attempt2, _ = svc.start_attempt(participant, contest, start + timedelta(seconds=700))
    expired = svc.submit_attempt(participant, attempt2.pk, 7, attempt2.deadline + timedelta(seconds=3))
    assert expired.state == "expired" and expired.prediction == 7


def test_overdue_attempt_is_graded_on_next_start(contest, participant):
    start = timezone.now() - timedelta(seconds=contest.time_limit_seconds + 10)
    attempt, _ = svc.start_attempt(participant, contest, start)
    svc.save_answer(
        participant, attempt.pk, attempt.draw[0]["q"], correct_ids(attempt.draw[0]["q"]), start + timedelta(seconds=5)
    )
    fresh, created = svc.start_attempt(participant, contest)
    assert created and fresh.pk != attempt.pk and fresh.number == 2
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score) == ("expired", 1)


def test_close_expired_attempts_grades_only_overdue(contest, participant):
    old = timezone.now() - timedelta(seconds=contest.time_limit_seconds + 60)
    overdue, _ = svc.start_attempt(participant, contest, old)
    other = ProfileFactory().user
    running, _ = svc.start_attempt(other, contest)
    assert svc.close_expired_attempts() == 1
    overdue.refresh_from_db()
    running.refresh_from_db()
    assert overdue.state == "expired" and running.state == "in_progress"
    assert svc.close_expired_attempts() == 0


def test_best_attempt_counts_in_standings(contest, participant):
    attempt, _ = svc.start_attempt(participant, contest)
    for qid, choices in answer_all(attempt, right=2).items():
        svc.save_answer(participant, attempt.pk, qid, choices)
    svc.submit_attempt(participant, attempt.pk, 10)
    better, _ = svc.start_attempt(participant, contest)
    for qid, choices in answer_all(better, right=4).items():
        svc.save_answer(participant, better.pk, qid, choices)
    svc.submit_attempt(participant, better.pk, 10)
    worse, _ = svc.start_attempt(participant, contest)
    svc.submit_attempt(participant, worse.pk, 10)
    standing = Standing.objects.get(user=participant)
    assert (standing.attempt_id, standing.score) == (better.pk, 4)
    unit_row = UnitStanding.objects.get(round=standing.round, unit=standing.unit)
    assert (unit_row.participants, unit_row.score_sum) == (1, 4)
    contest_row = ContestStanding.objects.get(user=participant)
    assert (contest_row.score, contest_row.rounds, contest_row.duration_ms) == (4, 1, standing.duration_ms)
    contest_unit = UnitStanding.objects.get(contest=contest, round=None, unit=standing.unit)
    assert (contest_unit.participants, contest_unit.score_sum) == (1, 4)
