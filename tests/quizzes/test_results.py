"""Final rankings of closed rounds and prize allocation, against hand-computed tables."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from elearning.models import Profile
from quizzes.models import Answer, Attempt, FinalStanding, PrizeAward, PrizeRule, RoundResult
from quizzes.services import attempts as svc
from quizzes.services import prizes, results
from tests.factories.elearning import ProfileFactory, UnitFactory
from tests.factories.quizzes import make_contest

from .helpers import correct_ids, wrong_ids

pytestmark = pytest.mark.django_db


def closed_contest(**settings):
    """A contest whose round 1 ran last week (now closed) and round 2 is open."""
    now = timezone.now()
    rounds = [
        {"opens_at": now - timedelta(days=8), "closes_at": now - timedelta(days=1)},
        {"opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=6)},
    ]
    settings.setdefault("questions_per_attempt", 4)
    return make_contest(questions=6, rounds=rounds, **settings)


def play(contest, profile, *, right, seconds, prediction, round_number=1, finished_offset=0):
    """An attempt in the given round with ``right`` correct answers, taking ``seconds``."""
    round_ = contest.rounds.get(number=round_number)
    start = round_.opens_at + timedelta(hours=1, seconds=finished_offset)
    attempt, _ = svc.start_attempt(profile.user, contest, start)
    for index, item in enumerate(attempt.draw):
        chosen = correct_ids(item["q"]) if index < right else wrong_ids(item["q"])
        svc.save_answer(profile.user, attempt.pk, item["q"], chosen, start + timedelta(seconds=1))
    return svc.submit_attempt(profile.user, attempt.pk, prediction, start + timedelta(seconds=seconds))


def names(round_, group=""):
    return [
        s.user.profile.full_name
        for s in FinalStanding.objects.filter(round=round_, group=group).select_related("user__profile")
    ]


def test_final_order_score_prediction_duration_submission():
    contest = closed_contest()
    people = {name: ProfileFactory(full_name=name) for name in "ABCDEFG"}
    # 7 participants in round 1: actual participants = 7
    play(contest, people["A"], right=3, seconds=100, prediction=7)  # lower score: last among predicted
    play(contest, people["B"], right=4, seconds=300, prediction=9)  # distance 2
    play(contest, people["C"], right=4, seconds=500, prediction=7)  # distance 0: first despite slower
    play(contest, people["D"], right=4, seconds=200, prediction=5)  # distance 2, faster than B
    play(contest, people["E"], right=4, seconds=200, prediction=9, finished_offset=10)  # = D, submitted later
    play(contest, people["G"], right=3, seconds=100, prediction=7, finished_offset=5)  # = A but later
    # F expires without a prediction
    round1 = contest.rounds.get(number=1)
    attempt, _ = svc.start_attempt(people["F"].user, contest, round1.opens_at + timedelta(hours=2))
    item = attempt.draw[0]
    svc.save_answer(
        people["F"].user, attempt.pk, item["q"], correct_ids(item["q"]), round1.opens_at + timedelta(hours=2)
    )
    result = results.close_round(round1)
    assert result.actual_count == 7
    assert names(round1) == ["C", "D", "E", "B", "A", "G", "F"]
    distances = list(FinalStanding.objects.filter(round=round1, group="").values_list("prediction_distance", flat=True))
    assert distances == [0, 2, 2, 2, 0, 0, None]


def test_full_score_prediction_kind():
    contest = closed_contest(prediction_kind="full_score")
    a, b, c = (ProfileFactory(full_name=n) for n in "ABC")
    play(contest, a, right=4, seconds=100, prediction=1)  # two full scores: distance 1
    play(contest, b, right=4, seconds=200, prediction=2)  # distance 0
    play(contest, c, right=2, seconds=50, prediction=2)
    round1 = contest.rounds.get(number=1)
    assert results.close_round(round1).actual_count == 2
    assert names(round1) == ["B", "A", "C"]


def test_groups_rank_separately_and_together():
    contest = closed_contest(separate_groups=True)
    official = ProfileFactory(full_name="Official", kind=Profile.Kind.OFFICIAL)
    citizen1 = ProfileFactory(full_name="Citizen 1", kind=Profile.Kind.CITIZEN)
    citizen2 = ProfileFactory(full_name="Citizen 2", kind=Profile.Kind.CITIZEN)
    play(contest, citizen1, right=4, seconds=100, prediction=3)
    play(contest, official, right=3, seconds=100, prediction=3)
    play(contest, citizen2, right=2, seconds=100, prediction=3)
    round1 = contest.rounds.get(number=1)
    results.close_round(round1)
    assert names(round1) == ["Citizen 1", "Official", "Citizen 2"]
    assert names(round1, "official") == ["Official"]
    assert names(round1, "citizen") == ["Citizen 1", "Citizen 2"]
    assert list(FinalStanding.objects.filter(round=round1, group="citizen").values_list("rank", flat=True)) == [1, 2]


def test_best_attempt_counts_and_recomputing_gives_the_same_table():
    contest = closed_contest()
    people = [ProfileFactory() for _ in range(6)]
    for index, profile in enumerate(people):
        play(contest, profile, right=index % 4, seconds=100 + index, prediction=index)
        play(contest, profile, right=(index + 2) % 5, seconds=90, prediction=6, finished_offset=900)
    round1 = contest.rounds.get(number=1)
    results.close_round(round1)
    assert results.stored_table(round1) == results.recomputed_table(round1)
    best = {p.user_id: max(a.score for a in Attempt.objects.filter(user=p.user, round=round1)) for p in people}
    for standing in FinalStanding.objects.filter(round=round1):
        assert standing.score == best[standing.user_id]


def test_close_round_rules():
    contest = closed_contest()
    round1, round2 = contest.rounds.order_by("number")
    with pytest.raises(results.RoundNotClosed):
        results.close_round(round2)
    # an attempt still "in progress" when the round closed is graded first
    late = ProfileFactory()
    attempt, _ = svc.start_attempt(late.user, contest, round1.closes_at - timedelta(minutes=2))
    item = attempt.draw[0]
    svc.save_answer(late.user, attempt.pk, item["q"], correct_ids(item["q"]), round1.closes_at - timedelta(minutes=1))
    results.close_round(round1)
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score) == ("expired", 1)
    assert FinalStanding.objects.filter(round=round1).count() == 1
    with pytest.raises(results.RoundAlreadyFinal):
        results.close_round(round1)


def test_close_round_command(capsys):
    contest = closed_contest()
    play(contest, ProfileFactory(), right=2, seconds=60, prediction=1)
    out = StringIO()
    call_command("close_round", contest.slug, "1", stdout=out)
    assert "final ranking of 1 participants stored" in out.getvalue()
    with pytest.raises(CommandError, match="đã được chốt"):
        call_command("close_round", contest.slug, "1")
    with pytest.raises(CommandError, match="no round 9"):
        call_command("close_round", contest.slug, "9")


def test_leaderboard_api_serves_the_final_ranking(api, client_for):
    contest = closed_contest(separate_groups=True)
    a = ProfileFactory(full_name="A", kind=Profile.Kind.CITIZEN)
    b = ProfileFactory(full_name="B", kind=Profile.Kind.OFFICIAL)
    play(contest, a, right=3, seconds=100, prediction=50)
    play(contest, b, right=3, seconds=200, prediction=2)  # closer prediction wins the tie on score
    url = f"/api/v1/contests/{contest.slug}/leaderboard/?round=1"
    live = api.get(url).json()
    assert live["final"] is False and [r["name"] for r in live["results"]] == ["A", "B"]
    assert api.get(url + "&group=official").json()["code"] == "not_final"
    results.close_round(contest.rounds.get(number=1))
    final = api.get(url).json()
    assert final["final"] is True and [r["name"] for r in final["results"]] == ["B", "A"]
    assert [r["name"] for r in api.get(url + "&group=citizen").json()["results"]] == ["A"]
    me = client_for(a.user).get(f"/api/v1/contests/{contest.slug}/leaderboard/me/?round=1").json()
    assert me == {"rank": 2, "total": 2, "score": 3, "duration_seconds": 100.0}
    assert api.get(f"/api/v1/contests/{contest.slug}/leaderboard/?round=2").json()["final"] is False


# -- prizes -------------------------------------------------------------------------------


def rules(contest, **counts):
    for level, count in counts.items():
        PrizeRule.objects.create(contest=contest, group="", level=level, count=count)


def awards(contest, **filters):
    return [
        (a.round.number if a.round else None, a.level, a.user.profile.full_name if a.user else a.unit.code)
        for a in PrizeAward.objects.filter(contest=contest, **filters)
        .select_related("round", "user__profile", "unit")
        .order_by("round__number", "unit", "rank")
    ]


def three_rounds_contest():
    now = timezone.now()
    rounds = [
        {"opens_at": now - timedelta(days=30 - 7 * i), "closes_at": now - timedelta(days=24 - 7 * i)} for i in range(3)
    ]
    return make_contest(questions=6, rounds=rounds, questions_per_attempt=4, attempts_per_round=1)


def test_one_prize_per_person_their_highest():
    contest = three_rounds_contest()
    rules(contest, first=1, second=1, consolation=1)
    people = {name: ProfileFactory(full_name=name) for name in "PQRST"}
    # round 1: P > Q > R > S ; round 2: Q > P > T > R ; round 3: Q > P > S > T
    for round_number, order in ((1, "PQRS"), (2, "QPTR"), (3, "QPST")):
        for position, name in enumerate(order):
            play(
                contest,
                people[name],
                right=4 - min(position, 3),
                seconds=100 + position,
                prediction=1,
                round_number=round_number,
            )
        results.close_round(contest.rounds.get(number=round_number))
    prizes.draft_prizes(contest)
    # levels are filled from the highest down, each by the best-ranked person without a prize:
    # first: P (r1), Q (r2), S (r3: Q and P already hold one); second: R (r1), T (r2);
    # consolation: nobody left in any round.
    assert awards(contest) == [
        (1, "first", "P"),
        (1, "second", "R"),
        (2, "first", "Q"),
        (2, "second", "T"),
        (3, "first", "S"),
    ]
    assert all(a.status == "draft" for a in PrizeAward.objects.all())


def test_confirmed_prizes_are_kept_and_their_holders_passed_over():
    contest = three_rounds_contest()
    rules(contest, first=1)
    a, b = ProfileFactory(full_name="A"), ProfileFactory(full_name="B")
    play(contest, a, right=4, seconds=100, prediction=1, round_number=1)
    play(contest, b, right=3, seconds=100, prediction=1, round_number=1)
    results.close_round(contest.rounds.get(number=1))
    prizes.draft_prizes(contest)
    assert prizes.confirm_prizes(contest) == 1
    play(contest, a, right=4, seconds=50, prediction=1, round_number=2)
    play(contest, b, right=2, seconds=50, prediction=1, round_number=2)
    results.close_round(contest.rounds.get(number=2))
    prizes.draft_prizes(contest)
    assert awards(contest, status="confirmed") == [(1, "first", "A")]
    assert awards(contest, status="draft") == [(2, "first", "B")]
    assert [w.user.profile.full_name for w in prizes.winners(contest)] == ["A"]


def test_unit_prizes_need_the_minimum_participation_rate():
    contest = three_rounds_contest()
    contest.unit_prize_count = 2
    contest.save()
    busy = UnitFactory(code="busy", headcount=2)
    half = UnitFactory(code="half", headcount=4)
    low = UnitFactory(code="low", headcount=10)
    for unit, count in ((busy, 2), (half, 2), (low, 4)):
        for _ in range(count):
            play(contest, ProfileFactory(unit=unit), right=2, seconds=60, prediction=1)
    results.close_round(contest.rounds.get(number=1))
    prizes.draft_prizes(contest)
    assert awards(contest, unit__isnull=False) == [(None, "first", "busy"), (None, "second", "half")]
    assert "low" not in [row["code"] for row in prizes.eligible_units(contest)]


def test_draft_needs_a_final_round():
    contest = closed_contest()
    with pytest.raises(prizes.NothingToAward):
        prizes.draft_prizes(contest)
    assert not RoundResult.objects.filter(finalized_at__isnull=False).exists()
    assert Answer.objects.count() == 0
