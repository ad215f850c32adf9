"""Both leaderboard backends rank identically; Redis outages degrade to SQL."""

import random
from datetime import timedelta
from unittest import mock

import pytest
import redis as redis_lib
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from quizzes.leaderboards import SqlLeaderboard, get_backend, unit_board
from quizzes.leaderboards.redis_backend import RedisLeaderboard, round_key
from quizzes.models import Attempt, RoundResult, Standing
from quizzes.services import attempts as svc
from quizzes.services import lookup, standings
from tests.factories.elearning import ProfileFactory, UnitFactory
from tests.factories.quizzes import make_contest

pytestmark = pytest.mark.django_db


def graded(user, contest, round_, score, duration_s, submitted_at):
    """A graded attempt with exactly this result, recorded through the standings service.
    An account with no profile (and so no unit) takes part as a citizen: "Participant #id"."""
    profile = getattr(user, "profile", None)
    attempt = Attempt.objects.create(
        user=user,
        contest=contest,
        round=round_,
        number=Attempt.objects.filter(user=user, round=round_).count() + 1,
        state="submitted",
        group=profile.kind if profile else "citizen",
        unit=profile.unit if profile else None,
        started_at=submitted_at - timedelta(seconds=duration_s),
        deadline=submitted_at + timedelta(minutes=10),
        submitted_at=submitted_at,
        score=score,
        max_score=20,
        duration_ms=int(duration_s * 1000),
        draw=[],
    )
    standings.record(attempt)
    return attempt


def test_round_order_is_score_then_duration_then_submission(contest):
    round_ = contest.rounds.get(number=1)
    base = timezone.now()
    people = [ProfileFactory().user for _ in range(5)]
    graded(people[0], contest, round_, 3, 100, base)
    graded(people[1], contest, round_, 5, 300, base)
    graded(people[2], contest, round_, 5, 200, base + timedelta(seconds=5))
    graded(people[3], contest, round_, 5, 200, base)
    graded(people[4], contest, round_, 5, 200, base)  # same time as people[3]: lower user id first
    board = SqlLeaderboard()
    names = [row["name"] for row in board.round_page(round_.pk)]
    expected = [people[i].profile.full_name for i in (3, 4, 2, 1, 0)]
    assert names == expected
    assert [board.round_rank(round_.pk, people[i].pk)["rank"] for i in (3, 4, 2, 1, 0)] == [1, 2, 3, 4, 5]
    assert board.round_total(round_.pk) == 5


def test_only_the_best_attempt_counts_and_contest_sums_rounds(contest):
    round1, round2 = contest.rounds.order_by("number")
    user = ProfileFactory().user
    now = timezone.now()
    graded(user, contest, round1, 2, 50, now)
    graded(user, contest, round1, 4, 80, now)
    graded(user, contest, round1, 4, 90, now)
    graded(user, contest, round2, 3, 60, now)
    board = SqlLeaderboard()
    assert board.round_rank(round1.pk, user.pk) == {"rank": 1, "score": 4, "duration_ms": 80_000}
    assert board.contest_rank(contest.pk, user.pk) == {"rank": 1, "score": 7, "duration_ms": 140_000}
    assert board.contest_total(contest.pk) == 1


def test_unit_board_ranks_participation_rate_then_participants_then_average(contest):
    round_ = contest.rounds.get(number=1)
    small = UnitFactory(code="a-small", headcount=2)
    big = UnitFactory(code="b-big", headcount=10)
    idle = UnitFactory(code="c-idle", headcount=5)
    now = timezone.now()
    for score in (4, 2):
        graded(ProfileFactory(unit=small).user, contest, round_, score, 60, now)
    for score in (5, 5, 5):
        graded(ProfileFactory(unit=big).user, contest, round_, score, 60, now)
    rows = unit_board(contest.pk, round_.pk)
    by_code = {row["code"]: row for row in rows}
    assert [row["code"] for row in rows[:3]] == ["a-small", "b-big", "c-idle"]
    assert by_code["a-small"] == {
        "rank": 1,
        "code": "a-small",
        "name": small.name,
        "participants": 2,
        "headcount": 2,
        "participation_rate": 1.0,
        "average_score": 3.0,
    }
    assert by_code["b-big"]["participation_rate"] == 0.3 and by_code["b-big"]["average_score"] == 5.0
    assert by_code["c-idle"]["participants"] == 0
    assert idle.code in by_code


def test_leaderboard_api_shapes_and_paging(api, contest):
    round_ = contest.rounds.get(number=1)
    now = timezone.now()
    users = [ProfileFactory().user for _ in range(7)]
    for i, user in enumerate(users):
        graded(user, contest, round_, i % 4, 100 + i, now)
    response = api.get(f"/api/v1/contests/{contest.slug}/leaderboard/?round=1&limit=3&offset=2")
    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 7 and data["final"] is False
    assert [row["rank"] for row in data["results"]] == [3, 4, 5]
    assert set(data["results"][0]) == {"rank", "name", "unit", "score", "duration_seconds"}
    whole = api.get(f"/api/v1/contests/{contest.slug}/leaderboard/").json()
    assert whole["total"] == 7 and whole["round"] is None
    units = api.get(f"/api/v1/contests/{contest.slug}/leaderboard/?round=1&scope=unit").json()
    assert set(units["results"][0]) == {
        "rank",
        "code",
        "name",
        "participants",
        "headcount",
        "participation_rate",
        "average_score",
    }
    for bad in ("limit=0", "limit=501", "offset=-1", "scope=team", "round=x"):
        response = api.get(f"/api/v1/contests/{contest.slug}/leaderboard/?{bad}")
        assert response.status_code == 400 and "code" in response.json(), bad
    response = api.get(f"/api/v1/contests/{contest.slug}/leaderboard/?round=9")
    assert (response.status_code, response.json()["code"]) == (404, "round_not_found")


def test_public_board_shows_no_personal_data(api, contest):
    round_ = contest.rounds.get(number=1)
    profile = ProfileFactory(full_name="<script>alert(1)</script>", national_id="012345678901")
    profile.user.email = "an@example.vn"
    profile.user.save()
    graded(profile.user, contest, round_, 3, 30, timezone.now())
    body = api.get(f"/api/v1/contests/{contest.slug}/leaderboard/?round=1").content.decode()
    assert profile.phone not in body and "an@example.vn" not in body and "012345678901" not in body
    assert api.get(f"/api/v1/contests/{contest.slug}/leaderboard/?round=1").json()["results"][0]["name"] == (
        "<script>alert(1)</script>"
    )  # JSON carries the name as data; pages escape it


def test_my_rank(client_for, api, contest):
    round_ = contest.rounds.get(number=1)
    now = timezone.now()
    me = ProfileFactory().user
    graded(ProfileFactory().user, contest, round_, 5, 10, now)
    graded(me, contest, round_, 4, 10, now)
    response = client_for(me).get(f"/api/v1/contests/{contest.slug}/leaderboard/me/?round=1")
    assert response.json() == {"rank": 2, "total": 2, "score": 4, "duration_seconds": 10.0}
    assert client_for(me).get(f"/api/v1/contests/{contest.slug}/leaderboard/me/").json()["rank"] == 2
    response = api.get(f"/api/v1/contests/{contest.slug}/leaderboard/me/?round=1")
    assert response.status_code == 401
    stranger = client_for(ProfileFactory().user).get(f"/api/v1/contests/{contest.slug}/leaderboard/me/?round=1")
    assert (stranger.status_code, stranger.json()["code"]) == (404, "not_ranked")


@override_settings(LEADERBOARD_RESPONSE_SECONDS=0)  # every request computes its board
def test_leaderboard_query_count_is_constant(api, contest, django_assert_max_num_queries):
    round_ = contest.rounds.get(number=1)
    for i in range(30):
        graded(ProfileFactory().user, contest, round_, i % 6, 100 + i, timezone.now())
    base = f"/api/v1/contests/{contest.slug}/leaderboard/"
    for url in (base + "?round=1", base, base + "?round=1&scope=unit"):
        api.get(url)  # with Redis, the first read builds the board from the database
    # The contest and its rounds come from the process's short-lived lookup, the units from the
    # units' one. SQL: the total (unit aggregates + standings without a unit) with the page in
    # one statement; Redis: none (stale rounds are remembered for 2 s); the unit board: its aggregates.
    budget = 0 if settings.REDIS_URL else 1
    with django_assert_max_num_queries(budget):
        assert len(api.get(base + "?round=1&limit=10").json()["results"]) == 10
    with django_assert_max_num_queries(budget):
        assert len(api.get(base + "?round=1").json()["results"]) == 30
    with django_assert_max_num_queries(budget):
        assert api.get(base).json()["total"] == 30
    with django_assert_max_num_queries(1):
        assert api.get(base + "?round=1&scope=unit").json()["total"] >= 30


def test_my_rank_query_count(client_for, contest, django_assert_max_num_queries):
    round_ = contest.rounds.get(number=1)
    people = [ProfileFactory().user for _ in range(6)]
    for i, user in enumerate(people):
        graded(user, contest, round_, i % 3, 100 + i, timezone.now())
    base = f"/api/v1/contests/{contest.slug}/leaderboard/me/"
    client_for(people[0]).get(base + "?round=1")  # with Redis, the first read builds the boards
    client_for(people[0]).get(base)
    # SQL: my standing with the buckets ahead and the ones ahead in my bucket, and the total, in
    # one statement. Redis: none, and one round trip (rank and total in one script).
    budget = 0 if settings.REDIS_URL else 1
    for user, expected in ((people[2], 1), (people[0], 5)):
        with django_assert_max_num_queries(budget):
            mine = client_for(user).get(base + "?round=1").json()
        assert (mine["rank"], mine["total"]) == (expected, 6)
        with django_assert_max_num_queries(budget):
            assert client_for(user).get(base).json()["rank"] == expected


def test_public_board_is_kept_a_second_but_never_my_rank(
    api, client_for, contest, django_assert_num_queries, django_capture_on_commit_callbacks
):
    round_ = contest.rounds.get(number=1)
    first, second = ProfileFactory().user, ProfileFactory().user
    graded(first, contest, round_, 3, 100, timezone.now())
    graded(second, contest, round_, 2, 100, timezone.now())
    url = f"/api/v1/contests/{contest.slug}/leaderboard/?round=1"
    board = api.get(url)
    with django_assert_num_queries(0):  # the same answer, straight from this process's memory
        again = api.get(url)
    assert again.content == board.content and again["Content-Type"] == board["Content-Type"] == "application/json"
    assert [row["rank"] for row in board.json()["results"]] == [1, 2]
    # "my rank" is per person: never served from that memory
    me = f"/api/v1/contests/{contest.slug}/leaderboard/me/?round=1"
    assert client_for(first).get(me).json()["rank"] == 1
    assert client_for(second).get(me).json()["rank"] == 2
    # a grading in this process shows at once
    late = ProfileFactory().user
    with django_capture_on_commit_callbacks(execute=True):  # (with Redis: the push after the commit)
        graded(late, contest, round_, 5, 10, timezone.now())
    assert api.get(url).json()["results"][0]["name"] == late.profile.full_name
    # another process's grading shows within the second
    sneaky = ProfileFactory().user
    with override_settings(LEADERBOARD_RESPONSE_SECONDS=60):
        lookup.forget()
        api.get(url)
        # as another process grades: this process's memory of the boards is not told
        with (
            mock.patch("quizzes.services.lookup.boards_changed"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            graded(sneaky, contest, round_, 9, 10, timezone.now())
        assert api.get(url).json()["results"][0]["name"] == late.profile.full_name
    lookup.forget()
    assert api.get(url).json()["results"][0]["name"] == sneaky.profile.full_name
    # errors are not kept
    assert api.get(f"/api/v1/contests/{contest.slug}/leaderboard/?round=9").status_code == 404
    assert api.get(f"/api/v1/contests/{contest.slug}/leaderboard/?round=9").status_code == 404


def test_unit_board_keeps_units_briefly_but_sees_changes(api, contest, django_assert_num_queries):
    round_ = contest.rounds.get(number=1)
    unit = UnitFactory(code="a-unit", headcount=4)
    graded(ProfileFactory(unit=unit).user, contest, round_, 4, 60, timezone.now())
    assert {row["code"]: row for row in unit_board(contest.pk, round_.pk)}["a-unit"]["participation_rate"] == 0.25
    with django_assert_num_queries(1):  # the aggregates; the units are remembered
        unit_board(contest.pk, round_.pk)
    unit.headcount = 2  # an edit in this process: seen at once
    unit.save()
    newcomer = UnitFactory(code="b-new", headcount=3)
    rows = {row["code"]: row for row in unit_board(contest.pk, round_.pk)}
    assert rows["a-unit"]["participation_rate"] == 0.5 and rows["b-new"]["participants"] == 0
    # a unit created elsewhere (no signal here) is read as soon as it has participants
    with mock.patch("quizzes.leaderboards.units.forget"):
        elsewhere = UnitFactory(code="c-elsewhere", headcount=1, valid_to=timezone.localdate() - timedelta(days=1))
    assert "c-elsewhere" not in {row["code"] for row in unit_board(contest.pk, round_.pk)}
    graded(ProfileFactory(unit=elsewhere).user, contest, round_, 2, 60, timezone.now())
    rows = {row["code"]: row for row in unit_board(contest.pk, round_.pk)}
    assert rows["c-elsewhere"]["participation_rate"] == 1.0  # closed since yesterday, but it took part
    assert newcomer.code in rows


# -- Redis ------------------------------------------------------------------------


def _random_field(contest, rng, people):
    round_ = contest.rounds.get(number=1)
    now = timezone.now()
    users = [ProfileFactory().user for _ in range(people)]
    for user in users:
        for _ in range(rng.randint(1, 2)):
            graded(
                user,
                contest,
                round_,
                rng.randint(0, 3),
                rng.choice([30, 31, 45]),
                now + timedelta(milliseconds=rng.choice([0, 0, 1, 500])),
            )
    return round_, users


def test_redis_pushes_on_commit_and_matches_sql(with_redis, django_capture_on_commit_callbacks, contest):
    with django_capture_on_commit_callbacks(execute=True):
        round_, users = _random_field(contest, random.Random(7), 12)
    redis_board, sql_board = get_backend(), SqlLeaderboard()
    assert isinstance(redis_board, RedisLeaderboard)
    redis_board.rebuild_round(round_.pk)  # marks the board built (meta), then compare
    assert redis_board.round_page(round_.pk, 0, 50) == sql_board.round_page(round_.pk, 0, 50)
    for user in users:
        assert redis_board.round_rank(round_.pk, user.pk) == sql_board.round_rank(round_.pk, user.pk)


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=10_000), people=st.integers(min_value=1, max_value=15))
def test_both_backends_rank_random_data_identically(with_redis, seed, people):
    contest = make_contest(questions=5, rounds=1)
    round_, users = _random_field(contest, random.Random(seed), people)
    redis_board, sql_board = RedisLeaderboard(), SqlLeaderboard()
    redis_board.rebuild_round(round_.pk)
    redis_board.rebuild_contest(contest.pk)
    assert redis_board.round_page(round_.pk, 0, 500) == sql_board.round_page(round_.pk, 0, 500)
    assert redis_board.contest_page(contest.pk, 0, 500) == sql_board.contest_page(contest.pk, 0, 500)
    assert redis_board.round_total(round_.pk) == sql_board.round_total(round_.pk) == people
    for user in users:
        assert redis_board.round_rank(round_.pk, user.pk) == sql_board.round_rank(round_.pk, user.pk)
        assert redis_board.contest_rank(contest.pk, user.pk) == sql_board.contest_rank(contest.pk, user.pk)


def test_empty_redis_is_rebuilt_from_the_database_on_first_read(with_redis, contest):
    round_, users = _random_field(contest, random.Random(3), 6)
    with_redis.flushdb()  # Redis restarted with nothing on disk
    board = RedisLeaderboard()
    assert board.round_page(round_.pk) == SqlLeaderboard().round_page(round_.pk)
    assert with_redis.exists(round_key(round_.pk) + ":meta")


def test_redis_down_degrades_to_sql_and_marks_stale(with_redis, contest, monkeypatch):
    round_, users = _random_field(contest, random.Random(5), 4)
    board = RedisLeaderboard()
    board.rebuild_round(round_.pk)

    def broken():
        raise redis_lib.ConnectionError("down")

    monkeypatch.setattr("quizzes.leaderboards.redis_backend._connection", broken)
    # reads answer from SQL
    assert board.round_page(round_.pk) == SqlLeaderboard().round_page(round_.pk)
    assert board.round_rank(round_.pk, users[0].pk) == SqlLeaderboard().round_rank(round_.pk, users[0].pk)
    # a write during the outage marks the round stale
    late = ProfileFactory().user
    graded(late, contest, round_, 3, 1, timezone.now())
    board.push(contest.pk, round_.pk, late.pk)
    assert RoundResult.objects.get(round=round_).leaderboard_stale
    monkeypatch.undo()
    # Redis back: the stale board is rebuilt before it is trusted again
    from quizzes.leaderboards import redis_backend

    redis_backend._stale_memo.clear()
    assert board.round_rank(round_.pk, late.pk) == SqlLeaderboard().round_rank(round_.pk, late.pk)
    assert not RoundResult.objects.get(round=round_).leaderboard_stale


def test_rebuild_command_matches_sql(with_redis, contest):
    round_, users = _random_field(contest, random.Random(11), 9)
    with_redis.flushdb()
    call_command("rebuild_leaderboards")
    board = RedisLeaderboard()
    assert with_redis.zcard(round_key(round_.pk)) == Standing.objects.filter(round=round_).count()
    assert board.round_page(round_.pk) == SqlLeaderboard().round_page(round_.pk)


def test_submit_through_service_updates_redis(with_redis, django_capture_on_commit_callbacks, contest):
    user = ProfileFactory().user
    RedisLeaderboard().rebuild_round(contest.rounds.get(number=1).pk)
    with django_capture_on_commit_callbacks(execute=True):
        attempt, _ = svc.start_attempt(user, contest)
        svc.submit_attempt(user, attempt.pk, 1)
    assert RedisLeaderboard().round_rank(attempt.round_id, user.pk)["rank"] == 1
