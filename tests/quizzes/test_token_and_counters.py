"""A contest write with an API token reads the token and bumps both throttle counters in one
round trip to Redis (``CountedThrottlesMixin.perform_authentication``); every rule of the
token and of the limits still holds on that path."""

import pytest
from django_redis import get_redis_connection

from elearning.api import authentication
from quizzes.models import Answer

from .helpers import wrong_ids
from .test_api_docs_and_limits import limited
from .test_write_path import answer_url, bank_contest, redis_caches, redis_calls, two  # noqa: F401

pytestmark = pytest.mark.django_db


def save(client, attempt, index=0):
    return client.put(answer_url(attempt, index), {"choices": wrong_ids(attempt.draw[index]["q"])}, format="json")


def test_a_revoked_token_is_refused_on_the_one_round_trip_path(redis_caches, two, redis_calls):  # noqa: F811
    client, attempt = two
    assert save(client, attempt).status_code == 200
    attempt.user.is_active = False
    attempt.user.save()  # revokes the cached entry
    redis_calls.clear()
    response = save(client, attempt, 1)
    assert response.status_code == 401
    assert len(redis_calls) == 1  # the entry read was the revoked mark: the database said no
    assert not Answer.objects.filter(attempt=attempt, question_id=attempt.draw[1]["q"]).exists()


def test_an_unknown_token_is_refused(redis_caches, two):  # noqa: F811
    client, attempt = two
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert save(client, attempt).status_code == 401


def test_the_per_account_limit_counts_on_the_one_round_trip_path(redis_caches, two):  # noqa: F811
    client, attempt = two
    with limited({"attempt_user": "3/hour"}):  # the start counted once already
        assert [save(client, attempt, i).status_code for i in range(3)] == [200, 200, 429]
    assert not Answer.objects.filter(attempt=attempt, question_id=attempt.draw[2]["q"]).exists()


def test_a_redis_that_forgot_its_scripts_still_counts(redis_caches, two, redis_calls):  # noqa: F811
    client, attempt = two
    get_redis_connection("throttle").script_flush()
    with limited({"attempt_user": "2/hour"}):  # the start counted once already
        assert [save(client, attempt, i).status_code for i in range(2)] == [200, 429]


def test_caches_on_different_redis_databases_count_and_read_apart(redis_caches, two, monkeypatch):  # noqa: F811
    client, attempt = two
    monkeypatch.setattr("elearning.throttling._server_of", lambda redis_client: id(redis_client))
    before = authentication.count_and_read
    seen = []
    monkeypatch.setattr(authentication, "count_and_read", lambda *a: seen.append(before(*a)) or seen[-1])
    assert save(client, attempt).status_code == 200
    assert seen == [None]  # fell back to a read and a count apart
    assert authentication.stored_entry(client._credentials["HTTP_AUTHORIZATION"][6:])
