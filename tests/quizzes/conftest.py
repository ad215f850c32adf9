import os

import pytest
import redis as redis_lib
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories.elearning import OfficialFactory, ProfileFactory
from tests.factories.quizzes import make_contest


@pytest.fixture
def contest(db):
    return make_contest(questions=8, rounds=2, questions_per_attempt=5, time_limit_seconds=600)


@pytest.fixture
def participant(db):
    return ProfileFactory().user


@pytest.fixture
def official(db):
    return OfficialFactory().user


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


# Without REDIS_URL (the SQLite run) the Redis tests use this one (TEST_REDIS_URL to choose another db).
REDIS_TEST_URL = settings.REDIS_URL or os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def redis_available():
    try:
        return redis_lib.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis_lib.RedisError:
        return False


@pytest.fixture
def with_redis():
    if not redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    caches = {
        alias: {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": f"test-{alias}",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
        for alias in ("default", "throttle")
    }
    with override_settings(REDIS_URL=REDIS_TEST_URL, CACHES=caches):
        client = redis_lib.Redis.from_url(REDIS_TEST_URL)
        for key in client.scan_iter(f"{settings.LEADERBOARD_REDIS_PREFIX}*"):
            client.delete(key)
        yield client
