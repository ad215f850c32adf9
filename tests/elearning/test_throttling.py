"""Shared, atomic counters and the per-account login lock (elearning.throttling)."""

import os
import threading
import time
from datetime import UTC, datetime

import pytest
import redis as redis_lib
import redis.connection  # noqa: F401  (redis_lib.connection)
from django.conf import settings
from django.core.cache import caches
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import connection
from django.test import override_settings

from elearning import throttling
from elearning.throttling import ThrottleDatabaseCache

pytestmark = pytest.mark.django_db


def test_hit_counts_within_one_window_and_reports_the_seconds_left():
    first = throttling.hit("t:a", 900)
    second = throttling.hit("t:a", 900)
    assert (first.count, second.count) == (1, 2)
    assert 895 <= second.retry_after <= 900
    assert throttling.peek("t:a", 900).count == 2
    assert throttling.peek("t:other", 900) == throttling.Window(0, 0)


def test_a_window_that_ends_starts_a_fresh_count():
    throttling.hit("t:short", 1)
    throttling.hit("t:short", 1)
    time.sleep(2.1)
    assert throttling.peek("t:short", 1).count == 0
    assert throttling.hit("t:short", 1).count == 1


def test_the_login_lock_starts_at_the_limit():
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        throttling.record_login_failure("0912345678")
    assert throttling.login_lock("0912345678") is None
    throttling.record_login_failure("0912345678")
    assert 0 < throttling.login_lock("0912345678") <= settings.LOGIN_FAILURE_WINDOW
    with pytest.raises(throttling.LoginLocked):
        throttling.check_login_allowed("0912345678")
    assert throttling.login_lock("0987654321") is None


def test_one_account_however_its_phone_is_written():
    for phone in ["+84 912 345 678", "84912345678", "0912.345.678", "0912-345-678", " 0912345678 "] * 2:
        throttling.record_login_failure(phone)
    assert throttling.login_lock("0912345678") is not None


def test_usernames_that_are_not_phones_are_kept():
    assert throttling.canonical_username(" nguyen.van-a ") == "nguyen.van-a"
    assert throttling.canonical_username("+84 912 345 678") == "0912345678"


def test_counters_are_shared_by_every_process(monkeypatch):
    # Another worker process has its own cache connection to the same store.
    other_process = caches.create_connection(throttling.THROTTLE_CACHE)
    monkeypatch.setattr(throttling, "_cache", lambda: other_process)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        throttling.record_login_failure("0912345678")
    monkeypatch.undo()
    assert caches[throttling.THROTTLE_CACHE] is not other_process
    assert throttling.login_lock("0912345678") is not None


def test_the_throttle_cache_is_shared_storage_not_process_memory():
    backend = settings.CACHES["throttle"]["BACKEND"]
    assert "locmem" not in backend.lower()
    if settings.REDIS_URL:
        assert backend == "django_redis.cache.RedisCache"
    else:
        assert backend == "elearning.throttling.ThrottleDatabaseCache"


# --- The database cache's atomic incr ---------------------------------------------


TABLE = "throttle_incr_test"


@pytest.fixture
def db_cache():
    """A database throttle cache in a table of its own (the suite may run on Redis)."""
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table("default", TABLE, dry_run=False)
    yield ThrottleDatabaseCache(TABLE, {"TIMEOUT": 300})
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS throttle_incr_test")


def _expires(cache, key):
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM throttle_incr_test WHERE cache_key = %s", [cache.make_key(key)])
        return cursor.fetchone()[0]


def test_database_incr_keeps_the_expiry(db_cache):
    assert db_cache.add("n", 0, timeout=900)
    before = _expires(db_cache, "n")
    assert db_cache.incr("n") == 1
    assert db_cache.incr("n", 5) == 6
    assert db_cache.get("n") == 6
    assert _expires(db_cache, "n") == before
    assert not db_cache.add("n", 0, timeout=900)  # add never resets a live counter


def test_database_incr_of_a_missing_or_expired_key_is_a_value_error(db_cache):
    with pytest.raises(ValueError):
        db_cache.incr("missing")
    db_cache.set("old", 3, timeout=900)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE throttle_incr_test SET expires = %s WHERE cache_key = %s",
            [connection.ops.adapt_datetimefield_value(datetime(2000, 1, 1)), db_cache.make_key("old")],
        )
    with pytest.raises(ValueError):
        db_cache.incr("old")


@pytest.mark.django_db(transaction=True)
def test_database_incr_is_atomic_across_connections(db_cache):
    if connection.vendor != "postgresql":
        pytest.skip("needs real parallel transactions (PostgreSQL)")
    db_cache.add("parallel", 0, timeout=900)
    threads_count, per_thread = 6, 20
    barrier = threading.Barrier(threads_count)

    def bump():
        try:
            barrier.wait(timeout=10)
            for _ in range(per_thread):
                db_cache.incr("parallel")
        finally:
            connection.close()

    threads = [threading.Thread(target=bump) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert db_cache.get("parallel") == threads_count * per_thread


# --- One round trip per request -------------------------------------------------------


def test_several_counters_in_one_statement_on_the_database(db_cache, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(throttling, "_cache", lambda: db_cache)
    throttling.hit("t:user", 60)
    with django_assert_num_queries(1):
        user, ip = throttling.hit_many([("t:user", 60), ("t:ip", 3600)])
    assert (user.count, ip.count) == (2, 1)
    assert 55 <= user.retry_after <= 60 and 3595 <= ip.retry_after <= 3600
    with django_assert_num_queries(1):
        assert throttling.peek("t:user", 60).count == 2
    assert throttling.peek("t:never", 60) == throttling.Window(0, 0)


def test_the_same_key_twice_counts_twice(db_cache, monkeypatch):
    monkeypatch.setattr(throttling, "_cache", lambda: db_cache)
    assert [w.count for w in throttling.hit_many([("t:k", 60), ("t:k", 60)])] == [1, 2]


def test_an_expired_database_counter_starts_a_new_window(db_cache, monkeypatch):
    monkeypatch.setattr(throttling, "_cache", lambda: db_cache)
    for _ in range(3):
        throttling.hit("t:old", 900)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE throttle_incr_test SET expires = %s",
            [connection.ops.adapt_datetimefield_value(datetime(2000, 1, 1, tzinfo=UTC))],
        )
    assert throttling.peek("t:old", 900) == throttling.Window(0, 0)
    fresh = throttling.hit("t:old", 900)
    assert fresh.count == 1 and 895 <= fresh.retry_after <= 900


def test_expired_database_counters_are_deleted_now_and_then(db_cache, monkeypatch):
    monkeypatch.setattr(throttling, "_cache", lambda: db_cache)
    monkeypatch.setattr(throttling, "CULL_EVERY", 3)
    monkeypatch.setattr(ThrottleDatabaseCache, "hits_since_cull", 0)
    throttling.hit("t:gone", 900)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE throttle_incr_test SET expires = %s",
            [connection.ops.adapt_datetimefield_value(datetime(2000, 1, 1, tzinfo=UTC))],
        )
    throttling.hit_many([("t:a", 900), ("t:b", 900)])  # the third hit: culls
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM throttle_incr_test")
        assert cursor.fetchone()[0] == 2


@pytest.mark.django_db(transaction=True)
def test_database_hits_are_atomic_across_connections(db_cache, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs real parallel transactions (PostgreSQL)")
    monkeypatch.setattr(throttling, "_cache", lambda: db_cache)
    threads_count, per_thread = 6, 20
    barrier = threading.Barrier(threads_count)
    counts = []

    def bump():
        try:
            barrier.wait(timeout=10)
            for _ in range(per_thread):
                counts.append(throttling.hit_many([("t:shared", 900), ("t:other", 900)])[0].count)
        finally:
            connection.close()

    threads = [threading.Thread(target=bump) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    total = threads_count * per_thread
    assert sorted(counts) == list(range(1, total + 1))  # every hit saw its own count
    assert throttling.peek("t:shared", 900).count == throttling.peek("t:other", 900).count == total


# --- On Redis: one script ---------------------------------------------------------------------

REDIS_URL = settings.REDIS_URL or os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def redis_throttle():
    try:
        redis_lib.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis_lib.RedisError:
        pytest.skip("Redis is not running")
    options = {"CLIENT_CLASS": "django_redis.client.DefaultClient", "IGNORE_EXCEPTIONS": True}
    location = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL, "OPTIONS": options}
    with override_settings(CACHES={**settings.CACHES, "throttle": {**location, "KEY_PREFIX": "test-throttle-hits"}}):
        caches["throttle"].delete_pattern("*")
        yield


@pytest.fixture
def round_trips(monkeypatch):
    sent = []
    send = redis_lib.connection.AbstractConnection.send_packed_command

    def counting(conn, command, check_health=True):
        sent.append(command)
        return send(conn, command, check_health)

    monkeypatch.setattr(redis_lib.connection.AbstractConnection, "send_packed_command", counting)
    return sent


def test_several_counters_in_one_redis_round_trip(redis_throttle, round_trips, django_assert_num_queries):
    throttling.hit("t:user", 60)
    round_trips.clear()
    with django_assert_num_queries(0):
        user, ip = throttling.hit_many([("t:user", 60), ("t:ip", 3600)])
    assert len(round_trips) == 1
    assert (user.count, ip.count) == (2, 1)
    assert 55 <= user.retry_after <= 60 and 3595 <= ip.retry_after <= 3600
    round_trips.clear()
    assert throttling.peek("t:user", 60).count == 2 and len(round_trips) == 1
    assert throttling.peek("t:never", 60) == throttling.Window(0, 0)


def test_a_redis_window_ends_with_its_count(redis_throttle):
    throttling.hit("t:short", 1)
    assert throttling.hit("t:short", 1).count == 2
    time.sleep(1.2)
    assert throttling.peek("t:short", 1).count == 0
    assert throttling.hit("t:short", 1).count == 1


def test_a_counter_without_expiry_gets_one(redis_throttle):
    cache = caches["throttle"]
    client = cache.client.get_client(write=True)
    client.set(cache.make_key("t:stuck:n"), 41)  # say, written by hand
    window = throttling.hit("t:stuck", 60)
    assert window.count == 42 and 55 <= window.retry_after <= 60
    assert 0 < client.pttl(cache.make_key("t:stuck:n")) <= 60_000


def test_a_restarted_redis_loads_the_script_again(redis_throttle):
    caches["throttle"].client.get_client(write=True).script_flush()
    assert throttling.hit("t:flushed", 60).count == 1
    assert throttling.hit("t:flushed", 60).count == 2


def test_an_unreachable_redis_counts_nothing():
    dead = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6390/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
    with override_settings(CACHES={**settings.CACHES, "throttle": dead}):
        assert throttling.hit_many([("t:a", 60), ("t:b", 60)]) == [throttling.Window(0, 0)] * 2
        assert throttling.peek("t:a", 60) == throttling.Window(0, 0)
