"""API tokens remembered in the shared cache (elearning.api.authentication): no query for a
known token, and a deleted token, a deactivated or changed account refused or re-read at once."""

import os

import pytest
import redis as redis_lib
from django.conf import settings
from django.contrib.auth.models import update_last_login
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from elearning.api import authentication
from tests.factories.elearning import ProfileFactory

pytestmark = pytest.mark.django_db
REDIS_URL = settings.REDIS_URL or os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
PROBE = "/api/v1/contests/"  # authentication runs before the view: a refused token is a 401


@pytest.fixture
def shared_cache():
    try:
        redis_lib.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis_lib.RedisError:
        pytest.skip("Redis is not running")
    default = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "test-token-cache",
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "IGNORE_EXCEPTIONS": True},
    }
    with override_settings(CACHES={**settings.CACHES, "default": default}):
        caches["default"].delete_pattern("*")
        yield caches["default"]


@pytest.fixture
def account():
    profile = ProfileFactory()
    return profile.user, Token.objects.create(user=profile.user)


def client_with(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def probe(client):
    """(status, queries beyond those of the same request without a token)."""
    with CaptureQueriesContext(connection) as anonymous:
        APIClient().get(PROBE)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(PROBE).status_code
    return status, len(queries) - len(anonymous)


def test_a_known_token_costs_no_query(shared_cache, account):
    _user, token = account
    shared_cache.delete(authentication._entry_key(token.key))  # e.g. evicted, or handed out before a restart
    client = client_with(token)
    assert probe(client) == (200, 1)  # the token with its user
    assert probe(client) == (200, 0)


def test_a_new_token_is_known_from_its_first_request(shared_cache):
    user = ProfileFactory().user
    token = Token.objects.create(user=user)
    assert probe(client_with(token)) == (200, 0)


def test_a_token_handed_out_at_login_is_known_from_its_first_request(shared_cache):
    user = ProfileFactory(user__username="0912345678", phone="0912345678").user
    Token.objects.create(user=user)
    shared_cache.delete_pattern("*")  # the token was created long ago; this login hands it out again
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "0912345678", "password": "Mat-khau-2018"}, format="json"
    )
    assert response.status_code == 200
    assert probe(client_with(Token(key=response.json()["token"]))) == (200, 0)


def test_a_login_does_not_undo_a_revocation(shared_cache, account):
    user, token = account
    authentication.revoke([token.key])
    authentication.remember(token.key, user)
    assert authentication.stored_entry(token.key) == authentication.REVOKED


def test_a_revocation_reaches_processes_of_the_previous_release(shared_cache, account):
    """During a rolling deploy, processes of the release before entry version 3 still serve: they
    read a pickled entry under the old key, and must see the mark there too."""
    user, token = account
    old_key = "api-token:" + authentication.throttling.digest(token.key)
    shared_cache.set(old_key, (2, user.pk, user.username, True, False, False), 3600)  # what they had cached
    user.is_active = False
    user.save()
    assert shared_cache.get(old_key) == authentication.REVOKED
    assert authentication.stored_entry(token.key) == authentication.REVOKED


def test_the_cache_keeps_no_password_and_the_user_reads_the_rest(shared_cache, account):
    user, token = account
    auth = authentication.CachedTokenAuthentication()
    auth.authenticate_credentials(token.key)
    entry = authentication.stored_entry(token.key)
    assert user.password not in repr(entry) and token.key not in repr(entry)
    cached, cached_token = auth.authenticate_credentials(token.key)
    assert (cached.pk, cached.username, cached.is_active, cached_token.key) == (user.pk, user.username, True, token.key)
    assert cached.date_joined == user.date_joined  # not cached: read from the database when asked for


def test_the_token_read_never_selects_the_password(account):
    _user, token = account
    caches["default"].delete(authentication._entry_key(token.key))  # read from the database
    with CaptureQueriesContext(connection) as queries:
        assert client_with(token).get(PROBE).status_code == 200
    token_reads = [q["sql"] for q in queries.captured_queries if '"authtoken_token"' in q["sql"]]
    assert len(token_reads) == 1 and '"password"' not in token_reads[0]


def test_an_inactive_account_is_refused_without_a_cache(account):
    user, token = account
    user.is_active = False
    user.save()
    response = client_with(token).get(PROBE)
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"


def test_a_deleted_token_is_refused_at_once(shared_cache, account):
    _user, token = account
    client = client_with(token)
    assert client.get(PROBE).status_code == 200
    token.delete()
    assert client.get(PROBE).status_code == 401


def test_a_deleted_account_is_refused_at_once(shared_cache, account):
    user, token = account
    client = client_with(token)
    assert client.get(PROBE).status_code == 200
    user.delete()
    assert client.get(PROBE).status_code == 401


def test_a_deactivated_account_is_refused_at_once(shared_cache, account):
    user, token = account
    client = client_with(token)
    assert client.get(PROBE).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(PROBE).status_code == 401
    assert client.get(PROBE).status_code == 401


def test_a_changed_account_is_read_again(shared_cache, account):
    user, token = account
    client = client_with(token)
    client.get(PROBE)
    user.set_password("Mat-khau-moi-2026")
    user.is_staff = True
    user.save()
    assert probe(client) == (200, 1)  # the token and its user from the database again
    cached, _token = authentication.CachedTokenAuthentication().authenticate_credentials(token.key)
    assert cached.is_staff


def test_logging_in_elsewhere_keeps_the_token_remembered(shared_cache, account):
    user, token = account
    client = client_with(token)
    client.get(PROBE)
    update_last_login(None, user)
    assert probe(client) == (200, 0)


def test_a_read_from_before_a_revocation_is_not_remembered(shared_cache, account, monkeypatch):
    """The account changes between this request's database read and its cache fill."""
    user, token = account
    shared_cache.delete(authentication._entry_key(token.key))  # not remembered: this request reads it
    read = authentication._read

    def read_then_deactivate(key):
        result = read(key)
        user.is_active = False
        user.save()
        return result

    monkeypatch.setattr(authentication, "_read", read_then_deactivate)
    client = client_with(token)
    assert client.get(PROBE).status_code == 200  # let through, as the database said a moment ago
    monkeypatch.undo()
    assert authentication.stored_entry(token.key) == authentication.REVOKED
    assert client.get(PROBE).status_code == 401


def test_process_memory_is_never_used(account):
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    _user, token = account
    client = client_with(token)
    with override_settings(CACHES={**settings.CACHES, "default": local}):
        for _ in range(2):
            assert probe(client) == (200, 1)
        token.delete()
        assert client.get(PROBE).status_code == 401


def test_an_unknown_token_is_refused(shared_cache):
    client = client_with(Token(key="0" * 40))
    response = client.get(PROBE)
    assert response.status_code == 401
    assert response.json() == {"detail": "Mã truy cập không hợp lệ.", "code": "authentication_failed"}
    assert authentication.stored_entry("0" * 40) is None
