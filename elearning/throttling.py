"""Shared, atomic rate counters and the per-account login lock.

Counters live in ``caches["throttle"]``: Redis when ``REDIS_URL`` is set, otherwise
the database table ``throttle_cache``. Every app process reads and writes the same
counters, so several workers count as one.

A counter is a fixed window that opens at the first event for its key: the window's
start time is stored with ``cache.add`` (the first writer wins) and the count under a
key named after that start, bumped with ``cache.add(key, 0)`` + ``cache.incr`` — an
atomic increment on Redis and on the database (:class:`ThrottleDatabaseCache`).
A window that expires takes its count with it; the next event opens a new one.
"""

import base64
import hashlib
import math
import pickle
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils.translation import ngettext

from elearning.validators import normalize_phone

THROTTLE_CACHE = "throttle"


class ThrottleDatabaseCache(DatabaseCache):
    """Django's database cache with an atomic ``incr`` that keeps the expiry.

    The stock ``incr`` is a ``get`` then a ``set``: two processes can both read 3 and
    both write 4, and the ``set`` moves the expiry to the default timeout (so a lock
    could lapse before its window ends). Here the row is locked (``SELECT … FOR
    UPDATE`` on PostgreSQL; SQLite serialises writers) and only the value is updated.
    """

    def incr(self, key, delta=1, version=None):
        cache_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # Identifiers are quoted by the backend and the values are parameters.
        select = "SELECT {key} FROM {table} WHERE {key} = %s{lock}".format(  # noqa: S608
            key=quote("cache_key"), table=quote(self._table), lock=lock
        )
        update = "UPDATE {table} SET {value} = %s WHERE {key} = %s".format(  # noqa: S608
            table=quote(self._table), value=quote("value"), key=quote("cache_key")
        )
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                cursor.execute(select, [cache_key])
                if cursor.fetchone() is None:
                    raise ValueError(f"Key '{key}' not found")
            # Read through the stock code path (it decodes and honours expiry).
            value = self.get(key, version=version)
            if value is None:
                raise ValueError(f"Key '{key}' not found")
            new_value = value + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            with connection.cursor() as cursor:
                cursor.execute(update, [encoded, cache_key])
        return new_value


@dataclass(frozen=True)
class Window:
    """A counter's state: events counted so far and seconds until the window closes."""

    count: int
    retry_after: int


def _cache():
    return caches[THROTTLE_CACHE]


def digest(text):
    """A short, fixed-length cache-key part for any user-supplied text."""
    return hashlib.sha256(str(text).encode("utf-8", "backslashreplace")).hexdigest()[:40]


def _start_key(key):
    return f"{key}:start"


def _count_key(key, start):
    return f"{key}:{int(start * 1000)}"


def _seconds_left(start, window, now):
    return max(1, math.ceil(start + window - now))


def hit(key, window):
    """Count one event under ``key`` in a window of ``window`` seconds."""
    cache, now = _cache(), time.time()
    cache.add(_start_key(key), now, timeout=window)
    start = cache.get(_start_key(key))
    if start is None:  # the cache is unreachable: count nothing rather than fail
        return Window(0, 0)
    count_key = _count_key(key, start)
    cache.add(count_key, 0, timeout=window)
    try:
        count = cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.add(count_key, 1, timeout=window)
        count = 1
    return Window(count or 0, _seconds_left(start, window, now))


def peek(key, window):
    """The current window under ``key`` without counting anything."""
    cache, now = _cache(), time.time()
    start = cache.get(_start_key(key))
    if start is None:
        return Window(0, 0)
    count = cache.get(_count_key(key, start)) or 0
    return Window(count, _seconds_left(start, window, now))


def _minutes(seconds):
    return max(1, math.ceil(seconds / 60))


def network_limit_message(retry_after):
    """What a person reads when their network (one IP) sent too many requests."""
    minutes = _minutes(retry_after)
    return ngettext(
        "Too many requests from your network. Please try again in %(minutes)d minute.",
        "Too many requests from your network. Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


# --- Login lock: failed passwords per account -------------------------------------


def login_lock_message(retry_after):
    """What a person reads when their account is locked."""
    minutes = _minutes(retry_after)
    return ngettext(
        "Too many wrong passwords for this account. For your safety, logging in is paused: "
        "try again in %(minutes)d minute.",
        "Too many wrong passwords for this account. For your safety, logging in is paused: "
        "try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class LoginLocked(Exception):
    """Too many failed passwords for this account; retry after ``retry_after`` seconds."""

    def __init__(self, retry_after):
        super().__init__(retry_after)
        self.retry_after = retry_after


def canonical_username(value):
    """A phone in any common format ('+84 912 345 678') becomes '0912345678';
    other usernames ('admin', 'nguyen.van.a') are kept as typed, trimmed."""
    value = str(value or "").strip()
    phone = normalize_phone(value)
    return phone if phone.isdigit() else value


def _login_key(username):
    # One counter per account however the phone is written, and the same for
    # accounts that do not exist.
    return "login-failures:" + digest(canonical_username(username).casefold())


def login_lock(username):
    """Seconds left on the lock of ``username``, or ``None`` when it may try a password."""
    window = peek(_login_key(username), settings.LOGIN_FAILURE_WINDOW)
    if window.count >= settings.LOGIN_FAILURE_LIMIT:
        return window.retry_after
    return None


def check_login_allowed(username):
    """Raise :class:`LoginLocked` when ``username`` is locked."""
    retry_after = login_lock(username)
    if retry_after is not None:
        raise LoginLocked(retry_after)


def record_login_failure(username):
    """Count one wrong password for ``username``; returns the window after it."""
    return hit(_login_key(username), settings.LOGIN_FAILURE_WINDOW)
