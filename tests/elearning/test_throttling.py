"""Shared, atomic counters and the per-account login lock (elearning.throttling)."""

import threading
import time
from datetime import datetime

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import connection

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
