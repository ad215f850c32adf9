""" "My rank" answered without DRF's request cycle when it can be (``my_rank_fast``): every request,
whatever it is, gets what the DRF view gives (status, body, headers), with no more queries and no
more Redis round trips; the common one (a GET with a token remembered in Redis) reads no row and
makes one round trip, and never enters DRF."""

from contextlib import contextmanager, nullcontext

import pytest
import redis.connection
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.views import APIView

from elearning.api import authentication
from elearning.models import Profile
from quizzes.api import views
from quizzes.leaderboards import SqlLeaderboard
from quizzes.services import lookup, results
from tests.factories.elearning import ProfileFactory
from tests.factories.quizzes import make_contest

from .test_results import closed_contest, play
from .test_write_path import redis_calls, token_client  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(with_redis):
    """A contest with groups: round 1 closed with its final ranking, round 2 open; two people ranked
    in both, a third with no result; each with a token client. A contest without groups beside it."""
    contest = closed_contest(separate_groups=True)
    first = ProfileFactory(kind=Profile.Kind.CITIZEN)
    second = ProfileFactory(kind=Profile.Kind.OFFICIAL)
    unranked = ProfileFactory()
    for round_number in (1, 2):
        play(contest, first, right=3, seconds=100, prediction=5, round_number=round_number)
        play(contest, second, right=2, seconds=50, prediction=5, round_number=round_number)
    results.close_round(contest.rounds.get(number=1))
    people = {"first": first.user, "second": second.user, "unranked": unranked.user}
    clients = {name: token_client(user) for name, user in people.items()}
    ungrouped = make_contest(questions=5, rounds=1, questions_per_attempt=5)
    url = f"/api/v1/contests/{contest.slug}/leaderboard/me/"
    for client in clients.values():  # the boards built, every token seen once
        client.get(url + "?round=2")
        client.get(url)
    return {"contest": contest, "ungrouped": ungrouped, "people": people, "clients": clients, "url": url}


@contextmanager
def redis_down():
    def down(*args, **kwargs):
        raise RedisConnectionError("down")

    original = redis.connection.AbstractConnection.send_packed_command
    redis.connection.AbstractConnection.send_packed_command = down
    try:
        yield
    finally:
        redis.connection.AbstractConnection.send_packed_command = original


@contextmanager
def sql_backend():
    original = views.get_backend
    views.get_backend = SqlLeaderboard
    try:
        yield
    finally:
        views.get_backend = original


def token_header(world, name):
    return {"HTTP_AUTHORIZATION": "Token " + Token.objects.get(user=world["people"][name]).key}


def get(name="second", query="?round=2", method="get", **headers):
    """A request by ``name``'s token client (None: an anonymous client)."""

    def send(world):
        client = world["clients"][name] if name else APIClient()
        return getattr(client, method)(world["url"] + query, **headers)

    return send


def session_get(query="?round=2"):
    def send(world):
        client = APIClient()
        client.force_login(world["people"]["second"])
        return client.get(world["url"] + query)

    return send


def contest_get(slug_of, query=""):
    def send(world):
        return world["clients"]["second"].get(f"/api/v1/contests/{slug_of(world)}/leaderboard/me/{query}")

    return send


def evict_token(world):
    key = Token.objects.get(user=world["people"]["second"]).key
    caches["default"].delete(authentication._entry_key(key))


def deactivate(world):
    user = world["people"]["second"]
    user.is_active = False
    user.save()


def delete_token(world):
    Token.objects.filter(user=world["people"]["second"]).delete()


def another_users_token(world):
    world["clients"]["second"].credentials(**token_header(world, "first"))


CASES = {
    "round board": (get(), None, None),
    "contest board": (get(query=""), None, None),
    "more parameters": (get(query="?round=2&limit=5&offset=0&scope=individual"), None, None),
    "another person": (get("first"), None, None),
    "token of another user": (get(), another_users_token, None),
    "no result yet": (get("unranked"), None, None),
    "final ranking": (get(query="?round=1"), None, None),
    "final ranking of a group": (get(query="?round=1&group=official"), None, None),
    "group of a live round": (get(query="?round=2&group=official"), None, None),
    "group without groups": (contest_get(lambda w: w["ungrouped"].slug, "?group=citizen"), None, None),
    "unknown round": (get(query="?round=9"), None, None),
    "bad round": (get(query="?round=x"), None, None),
    "round out of range": (get(query="?round=0"), None, None),
    "bad scope": (get(query="?scope=team"), None, None),
    "unknown contest": (contest_get(lambda w: "no-such-contest"), None, None),
    "token not in the cache": (get(), evict_token, None),
    "inactive user": (get(), deactivate, None),
    "deleted token": (get(), delete_token, None),
    "unknown token": (get(HTTP_AUTHORIZATION="Token " + "0" * 40), None, None),
    "malformed token": (get(HTTP_AUTHORIZATION="Token a b"), None, None),
    "token without key": (get(HTTP_AUTHORIZATION="Token"), None, None),
    "other scheme": (get(HTTP_AUTHORIZATION="Bearer abc"), None, None),
    "no authentication": (get(None), None, None),
    "session cookie": (session_get(), None, None),
    "session cookie, contest board": (session_get(""), None, None),
    "accept anything": (get(HTTP_ACCEPT="*/*"), None, None),
    "accept json": (get(HTTP_ACCEPT="application/json"), None, None),
    "accept html": (get(HTTP_ACCEPT="text/html"), None, None),
    "accept html or json": (get(HTTP_ACCEPT="text/html, application/json;q=0.9"), None, None),
    "accept indented json": (get(HTTP_ACCEPT="application/json; indent=2"), None, None),
    "format json": (get(query="?round=2&format=json"), None, None),
    "format xml": (get(query="?round=2&format=xml"), None, None),
    "head": (get(method="head"), None, None),
    "options": (get(method="options"), None, None),
    "post": (get(method="post"), None, None),
    "redis down": (get(), None, redis_down),
    "redis down, contest board": (get(query=""), None, redis_down),
    "sql backend": (get(), None, sql_backend),
    "sql backend, contest board": (get(query=""), None, sql_backend),
}


def answer(response):
    cookies = {name: morsel.value for name, morsel in response.cookies.items()}
    return response.status_code, response.content, dict(response.items()), cookies


def run(world, case, fast, redis_calls):  # noqa: F811
    """The case's answer, queries and Redis round trips, with the fast path on or off; the memos
    warmed first by the same request, so that both runs start alike."""
    send, prepare, condition = CASES[case]
    original = views.my_rank_fast
    if not fast:
        views.my_rank_fast = lambda *args, **kwargs: None
    try:
        # Every request reads the page cache's generation, so neither run's count depends on whether
        # its one-second window ran out between the warm-up and the request on a slow machine.
        with (condition or nullcontext)(), override_settings(PAGE_CACHE_GENERATION_SECONDS=0):
            lookup.forget()
            send(world)
            if prepare is not None:
                prepare(world)
            redis_calls.clear()
            with CaptureQueriesContext(connection) as queries:
                response = send(world)
            return answer(response), len(queries), len(redis_calls)
    finally:
        views.my_rank_fast = original


@pytest.mark.parametrize("case", list(CASES))
def test_every_request_gets_what_the_drf_view_gives(world, case, redis_calls):  # noqa: F811
    with_fast, fast_queries, fast_calls = run(world, case, True, redis_calls)
    without, drf_queries, drf_calls = run(world, case, False, redis_calls)
    assert with_fast == without
    assert fast_queries <= drf_queries and fast_calls <= drf_calls, (fast_queries, drf_queries, fast_calls, drf_calls)


def test_the_answers_compared_are_the_contracts(world):
    """What the parity above compares: the 200, and the refusals with their codes and headers."""
    expect = {
        "round board": (200, None),
        "final ranking": (200, None),
        "no result yet": (404, "not_ranked"),
        "group of a live round": (400, "not_final"),
        "group without groups": (400, "no_groups"),
        "unknown round": (404, "round_not_found"),
        "bad round": (400, "invalid"),
        "unknown contest": (404, "not_found"),
        "inactive user": (401, "authentication_failed"),
        "deleted token": (401, "authentication_failed"),
        "no authentication": (401, "not_authenticated"),
        "accept html": (406, "not_acceptable"),
    }
    for case, (status, code) in expect.items():
        send, prepare, _condition = CASES[case]
        if prepare is not None:
            prepare(world)
        response = send(world)
        assert response.status_code == status, case
        assert response.get("Content-Type") == "application/json", case
        assert response["Allow"] == "GET, HEAD, OPTIONS", case
        assert "Content-Security-Policy" in response and response["X-Content-Type-Options"] == "nosniff", case
        if code is not None:
            assert response.json()["code"] == code, case
        if status == 401:
            assert response["WWW-Authenticate"] == "Token", case


@pytest.fixture
def no_drf(monkeypatch):
    """DRF's request cycle, made to fail: only the fast path can answer."""

    def refuse(self, request, *args, **kwargs):
        raise AssertionError("DRF's request cycle ran")

    monkeypatch.setattr(APIView, "initial", refuse)


def test_a_warm_token_get_never_enters_drf_and_costs_one_round_trip(
    world,
    no_drf,
    redis_calls,  # noqa: F811
    django_assert_num_queries,
):
    client, url = world["clients"]["second"], world["url"]
    expected = {  # a round's board, then the contest's (the sums of the round-best results)
        "?round=2": {"rank": 2, "total": 2, "score": 2, "duration_seconds": 50.0},
        "": {"rank": 2, "total": 2, "score": 4, "duration_seconds": 100.0},
    }
    for query, body in expected.items():
        redis_calls.clear()
        with django_assert_num_queries(0):
            response = client.get(url + query)
        assert (response.status_code, response.json()) == (200, body)
        assert len(redis_calls) == 1, redis_calls
    assert world["clients"]["first"].get(url + "?round=2").json()["rank"] == 1


def test_what_the_fast_path_read_is_not_read_again(world, redis_calls, django_assert_num_queries):  # noqa: F811
    """A refusal after the fast path's round trip (no result yet) costs what it did before: the
    same round trip, and the one query that confirms in SQL that the person has no place."""
    client, url = world["clients"]["unranked"], world["url"]
    lookup.forget()
    client.get(url + "?round=2")
    redis_calls.clear()
    # The SQL check; no redirect lookup (the site's redirects are for pages, not the API's 404s).
    with django_assert_num_queries(1):
        response = client.get(url + "?round=2")
    assert (response.status_code, response.json()["code"]) == (404, "not_ranked")
    assert len(redis_calls) == 1, redis_calls


def test_an_error_in_the_fast_path_is_answered_by_the_view(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(views, "my_rank_and_total", broken)
    response = world["clients"]["second"].get(world["url"] + "?round=2")
    assert (response.status_code, response.json()["code"]) == (500, "server_error")
    assert response["Allow"] == "GET, HEAD, OPTIONS"
