""" "My rank" with an API token on Redis: the token's cache entry and the person's rank are read
in one round trip (``prefetch_my_rank``); every rule of the token and of the ranking still holds."""

import pytest
from django.core.cache import caches
from django.utils import timezone
from django_redis import get_redis_connection
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.authtoken.models import Token

from elearning.api import authentication
from quizzes.leaderboards import get_backend, my_rank_and_total
from quizzes.leaderboards.redis_backend import PrefetchedRank, RedisLeaderboard, round_key
from tests.factories.elearning import ProfileFactory

from .test_leaderboards import graded
from .test_write_path import redis_calls, token_client  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(with_redis, contest):
    """Three people graded in round 1 (ranks 1, 2, 3), each with a token client; the boards are
    built and every token has been seen once."""
    round_ = contest.rounds.get(number=1)
    people = [ProfileFactory().user for _ in range(3)]
    for i, user in enumerate(people):
        graded(user, contest, round_, 5 - i, 10, timezone.now())
    clients = [token_client(user) for user in people]
    url = f"/api/v1/contests/{contest.slug}/leaderboard/me/"
    for client in clients:
        client.get(url + "?round=1")
        client.get(url)
    return people, clients, url


def test_a_warm_my_rank_is_one_redis_round_trip_and_no_query(ranked, redis_calls, django_assert_num_queries):  # noqa: F811
    _people, clients, url = ranked
    for query, rank in (("?round=1", 2), ("", 2)):  # a round's board, then the contest's
        redis_calls.clear()
        with django_assert_num_queries(0):
            response = clients[1].get(url + query)
        assert response.json() == {"rank": rank, "total": 3, "score": 4, "duration_seconds": 10.0}
        assert len(redis_calls) == 1, redis_calls


def test_each_person_gets_their_own_rank(ranked):
    _people, clients, url = ranked
    assert [client.get(url + "?round=1").json()["rank"] for client in clients] == [1, 2, 3]
    assert [client.get(url).json()["rank"] for client in reversed(clients)] == [3, 2, 1]


def test_a_rank_read_for_someone_else_or_another_board_is_never_used(ranked, contest):
    people, _clients, _url = ranked
    round_id = contest.rounds.get(number=1).pk
    backend = get_backend()
    assert isinstance(backend, RedisLeaderboard)
    first_place = PrefetchedRank(round_key(round_id), people[0].pk, [7, 0, b'{"s": 99, "d": 1}'])
    mine, total = my_rank_and_total(backend, people[2].pk, round_id=round_id, prefetched=first_place)
    assert (mine["rank"], total) == (3, 3)
    mine, _total = my_rank_and_total(backend, people[0].pk, contest_id=contest.pk, prefetched=first_place)
    assert mine["rank"] == 1 and mine["score"] == 5  # the contest board, read on its own


def test_a_token_revoked_right_after_is_refused(ranked):
    people, clients, url = ranked
    assert clients[0].get(url + "?round=1").status_code == 200
    people[0].is_active = False
    people[0].save()  # revokes the cached entry
    response = clients[0].get(url + "?round=1")
    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")
    Token.objects.filter(user=people[1]).delete()
    assert clients[1].get(url).status_code == 401


def test_a_token_not_remembered_is_read_from_the_database_then_remembered(ranked, django_assert_num_queries):
    people, clients, url = ranked
    key = Token.objects.get(user=people[2]).key
    caches["default"].delete(authentication._entry_key(key))  # evicted
    with django_assert_num_queries(1):  # the token with its user
        assert clients[2].get(url + "?round=1").json()["rank"] == 3
    with django_assert_num_queries(0):
        assert clients[2].get(url + "?round=1").json()["rank"] == 3


def test_a_redis_that_forgot_its_scripts_still_answers(ranked):
    _people, clients, url = ranked
    get_redis_connection("default").script_flush()
    assert clients[2].get(url + "?round=1").json()["rank"] == 3
    assert clients[0].get(url).json()["rank"] == 1


def test_an_unreachable_redis_answers_from_the_database(ranked, monkeypatch):
    _people, clients, url = ranked

    def down(*args, **kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr("redis.connection.AbstractConnection.send_packed_command", down)
    assert clients[1].get(url + "?round=1").json()["rank"] == 2


def test_with_the_sql_backend_beside_redis_nothing_is_prefetched(ranked, monkeypatch):
    """The view prefetches from, and answers with, one backend: the SQL board chosen while the
    token cache is on Redis (as the in-process benchmark does) gives each person's SQL rank."""
    from quizzes.api import views
    from quizzes.leaderboards import SqlLeaderboard

    _people, clients, url = ranked
    monkeypatch.setattr(views, "get_backend", SqlLeaderboard)
    assert [client.get(url + "?round=1").json()["rank"] for client in clients] == [1, 2, 3]
    assert [client.get(url).json()["rank"] for client in clients] == [1, 2, 3]
