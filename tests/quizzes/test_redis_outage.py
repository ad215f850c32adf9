"""Redis down: the contest goes on (sessions, throttles, boards fall back), no error page."""

import pytest
from django.test import override_settings

from quizzes.models import Attempt, RoundResult

from .helpers import answer_all

pytestmark = pytest.mark.django_db
DEAD_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens here
DEAD_OPTIONS = {
    "CLIENT_CLASS": "django_redis.client.DefaultClient",
    "IGNORE_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": 0.2,
    "SOCKET_TIMEOUT": 0.2,
}
DEAD_CACHES = {
    alias: {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": DEAD_REDIS, "OPTIONS": DEAD_OPTIONS}
    for alias in ("default", "throttle")
}


@pytest.fixture
def redis_down():
    with override_settings(REDIS_URL=DEAD_REDIS, CACHES=DEAD_CACHES, DJANGO_REDIS_IGNORE_EXCEPTIONS=True):
        yield


def test_whole_attempt_with_redis_down(redis_down, client, contest, participant, django_capture_on_commit_callbacks):
    client.force_login(participant)  # session written through to the database
    start = client.post(contest.url + "start/")
    assert start.status_code == 302
    attempt = Attempt.objects.get(user=participant)
    for qid, choices in answer_all(attempt, right=2).items():
        response = client.put(
            f"/api/v1/attempts/{attempt.pk}/answers/{qid}/", {"choices": choices}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
    with django_capture_on_commit_callbacks(execute=True):
        result = client.post(
            f"/api/v1/attempts/{attempt.pk}/submit/", {"prediction": 9}, content_type="application/json"
        ).json()
    assert (result["state"], result["score"], result["rank"]) == ("submitted", 2, 1)
    board = client.get(f"/api/v1/contests/{contest.slug}/leaderboard/?round=1").json()
    assert board["total"] == 1 and board["results"][0]["score"] == 2
    assert client.get(contest.url + "leaderboard/").status_code == 200
    assert client.get(f"/contest/attempts/{attempt.pk}/result/").status_code == 200
    assert RoundResult.objects.get(
        round=attempt.round
    ).leaderboard_stale  # rebuilt from the database once Redis is back
