"""Shared, atomic rate counters and the per-account login lock.

Counters live in ``caches["throttle"]``: Redis when ``REDIS_URL`` is set, otherwise
the database table ``throttle_cache``. Every app process reads and writes the same
counters, so several workers count as one.

A counter is a fixed window that opens at the first event for its key and closes
``window`` seconds later, taking its count with it; the next event opens a new one.
Counting is one round trip to the store whatever the number of counters a request
bumps (:func:`hit_many`): one Lua script on Redis (``INCR``, and ``PEXPIRE`` when the
window opens), one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on the database
(:class:`ThrottleDatabaseCache`; PostgreSQL, and SQLite ≥ 3.35). Both are atomic
across processes.
"""

import base64
import hashlib
import math
import pickle
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import ngettext

from elearning.validators import normalize_phone

THROTTLE_CACHE = "throttle"
# The database cache deletes its expired counters every this many hits in a process.
CULL_EVERY = 1000


@dataclass(frozen=True)
class Window:
    """A counter's state: events counted so far and seconds until the window closes."""

    count: int
    retry_after: int


def _seconds_left(expires_at, now):
    # Rounded to the millisecond first: a window just opened has exactly its length left.
    return max(1, math.ceil(round(expires_at - now, 3)))


class ThrottleDatabaseCache(DatabaseCache):
    """Django's database cache, with counters bumped in one statement each request.

    :meth:`hit_many` counts in one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``: the row
    lock of the upsert makes it atomic across processes on PostgreSQL, and SQLite
    serialises writers. A counter row holds the count as plain text (not a pickle), so
    it is read by :meth:`hit_many` and :meth:`peek_count` only, never by ``get``.

    ``incr`` is atomic too and keeps the expiry (the stock one is a ``get`` then a
    ``set``, which loses counts between processes and moves the expiry).
    """

    hits_since_cull = 0  # per process

    def _sql_names(self):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        return connection, quote(self._table), quote("cache_key"), quote("value"), quote("expires")

    @staticmethod
    def _moment(timestamp):
        if settings.USE_TZ:
            return datetime.fromtimestamp(timestamp, tz=UTC)
        return datetime.fromtimestamp(timestamp)  # noqa: DTZ006 — naive local, as Django's DatabaseCache

    @staticmethod
    def _timestamp(value):
        """A returned ``expires`` as a POSIX timestamp (SQLite returns text)."""
        if isinstance(value, str):
            value = parse_datetime(value)
        if settings.USE_TZ and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()

    def hit_many(self, requests, now):
        """Count one event under each ``(key, window)``; ``[Window, …]`` in the same order."""
        connection, table, key, value, expires = self._sql_names()
        adapt = connection.ops.adapt_datetimefield_value
        keys, rows, params = [], [], []
        for name, window in requests:
            keys.append(self.make_and_validate_key(name))
            rows.append("(%s, %s, %s)")
            params += [keys[-1], "1", adapt(self._moment(now + window))]
        params.append(adapt(self._moment(now)))
        # Identifiers are quoted by the backend and the values are parameters. Every SET
        # expression reads the row as it was before this statement.
        sql = (
            f"INSERT INTO {table} ({key}, {value}, {expires}) VALUES {', '.join(rows)} "  # noqa: S608
            f"ON CONFLICT ({key}) DO UPDATE SET "
            f"{value} = CASE WHEN {table}.{expires} > %s "
            f"THEN CAST(CAST({table}.{value} AS INTEGER) + 1 AS TEXT) ELSE EXCLUDED.{value} END, "
            f"{expires} = CASE WHEN {table}.{expires} > %s THEN {table}.{expires} ELSE EXCLUDED.{expires} END "
            f"RETURNING {key}, {value}, {expires}"
        )
        params.append(params[-1])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = {row[0]: (int(row[1]), self._timestamp(row[2])) for row in cursor.fetchall()}
        self._cull_now_and_then(len(requests), now)
        return [Window(found[k][0], _seconds_left(found[k][1], now)) for k in keys]

    def peek_count(self, name, now):
        connection, table, key, value, expires = self._sql_names()
        sql = f"SELECT {value}, {expires} FROM {table} WHERE {key} = %s AND {expires} > %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [self.make_and_validate_key(name), connection.ops.adapt_datetimefield_value(self._moment(now))]
            )
            row = cursor.fetchone()
        if row is None:
            return Window(0, 0)
        return Window(int(row[0]), _seconds_left(self._timestamp(row[1]), now))

    def _cull_now_and_then(self, hits, now):
        """Counters of keys never seen again would stay forever: drop the expired ones."""
        cls = ThrottleDatabaseCache
        cls.hits_since_cull += hits
        if cls.hits_since_cull < CULL_EVERY:
            return
        cls.hits_since_cull = 0
        connection, table, _key, _value, expires = self._sql_names()
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE {expires} <= %s",  # noqa: S608
                [connection.ops.adapt_datetimefield_value(self._moment(now))],
            )

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


# --- Redis: one script per request -------------------------------------------------

# KEYS: the counters; ARGV: their windows in milliseconds. Returns count, ms left, … per key.
_REDIS_HIT = """
local result = {}
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[i])
  local count = redis.call('INCR', key)
  local left = redis.call('PTTL', key)
  if count == 1 or left < 0 then
    redis.call('PEXPIRE', key, window)
    left = window
  end
  result[2 * i - 1] = count
  result[2 * i] = left
end
return result
"""
_REDIS_HIT_SHA = hashlib.sha1(_REDIS_HIT.encode()).hexdigest()  # noqa: S324 — Redis names scripts by SHA-1


def _redis_client(cache):
    """The raw client of a django-redis cache, or None for any other backend."""
    client = getattr(cache, "client", None)
    get_client = getattr(client, "get_client", None)
    return get_client(write=True) if get_client is not None else None


def _redis_failed(cache, error):
    # Like django-redis: an unreachable Redis counts nothing rather than fail the request.
    if not getattr(cache, "_ignore_exceptions", False):
        raise error


def _redis_hit_many(cache, client, requests):
    from redis.exceptions import NoScriptError, RedisError

    keys = [cache.make_key(name) for name, _window in requests]
    windows = [int(window * 1000) for _name, window in requests]
    try:
        try:
            reply = client.evalsha(_REDIS_HIT_SHA, len(keys), *keys, *windows)
        except NoScriptError:  # a restarted Redis: EVAL loads the script again
            reply = client.eval(_REDIS_HIT, len(keys), *keys, *windows)
    except (RedisError, OSError) as error:
        _redis_failed(cache, error)
        return [Window(0, 0)] * len(requests)
    now = time.time()
    return [Window(int(reply[2 * i]), _seconds_left(now + int(reply[2 * i + 1]) / 1000, now)) for i in range(len(keys))]


def _redis_peek(cache, client, name, window):
    from redis.exceptions import RedisError

    key = cache.make_key(name)
    try:
        pipe = client.pipeline(transaction=False)
        count, left = pipe.get(key).pttl(key).execute()
    except (RedisError, OSError) as error:
        _redis_failed(cache, error)
        return Window(0, 0)
    if count is None:
        return Window(0, 0)
    left = left if left >= 0 else window * 1000
    now = time.time()
    return Window(int(count), _seconds_left(now + left / 1000, now))


# --- Any other cache: add + incr ----------------------------------------------------


def _generic_hit(cache, name, window, now):
    start_key = f"{name}:start"
    cache.add(start_key, now, timeout=window)
    start = cache.get(start_key)
    if start is None:  # the cache is unreachable: count nothing rather than fail
        return Window(0, 0)
    count_key = f"{name}:{int(start * 1000)}"
    cache.add(count_key, 0, timeout=window)
    try:
        count = cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.add(count_key, 1, timeout=window)
        count = 1
    return Window(count or 0, _seconds_left(start + window, now))


def _generic_peek(cache, name, window, now):
    start = cache.get(f"{name}:start")
    if start is None:
        return Window(0, 0)
    count = cache.get(f"{name}:{int(start * 1000)}") or 0
    return Window(count, _seconds_left(start + window, now))


# --- Counting ------------------------------------------------------------------------


def _cache():
    return caches[THROTTLE_CACHE]


def digest(text):
    """A short, fixed-length cache-key part for any user-supplied text."""
    return hashlib.sha256(str(text).encode("utf-8", "backslashreplace")).hexdigest()[:40]


def _counter_key(key):
    return f"{key}:n"


def hit_many(requests):
    """Count one event under each ``(key, window seconds)``, in one round trip to the store.

    Returns a :class:`Window` per request, in order. A key named twice counts twice.
    """
    requests = list(requests)
    if len({key for key, _window in requests}) < len(requests):  # the same key twice: one at a time
        return [hit(key, window) for key, window in requests]
    if not requests:
        return []
    requests = [(_counter_key(key), window) for key, window in requests]
    cache, now = _cache(), time.time()
    if isinstance(cache, ThrottleDatabaseCache):
        return cache.hit_many(requests, now)
    client = _redis_client(cache)
    if client is not None:
        return _redis_hit_many(cache, client, requests)
    return [_generic_hit(cache, name, window, now) for name, window in requests]


def hit_many_and_read(requests, other_cache, name):
    """``hit_many(requests)`` and the raw value under ``name`` in ``other_cache``, in one round
    trip: ``(windows, raw bytes or None)``. None when that cannot be one round trip (either
    cache is not Redis, they are not the same Redis server and database, a key is named
    twice, or Redis failed): the caller counts and reads apart. The raw value is decoded
    with ``other_cache.client.decode``."""
    requests = [(_counter_key(key), window) for key, window in requests]
    cache = _cache()
    client, other = _redis_client(cache), _redis_client(other_cache)
    if not requests or client is None or other is None or len({k for k, _w in requests}) < len(requests):
        return None
    if _server_of(client) != _server_of(other):
        return None
    from redis.exceptions import NoScriptError, RedisError

    keys = [cache.make_key(key) for key, _window in requests]
    windows = [int(window * 1000) for _key, window in requests]
    try:
        for script in ("evalsha", "eval"):  # EVAL after a restart emptied the script cache
            pipe = client.pipeline(transaction=False)
            pipe.get(other_cache.make_key(name))
            if script == "evalsha":
                pipe.evalsha(_REDIS_HIT_SHA, len(keys), *keys, *windows)
            else:
                pipe.eval(_REDIS_HIT, len(keys), *keys, *windows)
            try:
                raw, reply = pipe.execute()
                break
            except NoScriptError:
                continue
        else:
            return None
    except (RedisError, OSError):
        return None
    now = time.time()
    counted = [
        Window(int(reply[2 * i]), _seconds_left(now + int(reply[2 * i + 1]) / 1000, now)) for i in range(len(keys))
    ]
    return counted, raw


def _server_of(client):
    kwargs = client.connection_pool.connection_kwargs
    return kwargs.get("host"), kwargs.get("port"), kwargs.get("path"), kwargs.get("db", 0)


def hit(key, window):
    """Count one event under ``key`` in a window of ``window`` seconds."""
    return hit_many([(key, window)])[0]


def peek(key, window):
    """The current window under ``key`` without counting anything."""
    cache, now, name = _cache(), time.time(), _counter_key(key)
    if isinstance(cache, ThrottleDatabaseCache):
        return cache.peek_count(name, now)
    client = _redis_client(cache)
    if client is not None:
        return _redis_peek(cache, client, name, window)
    return _generic_peek(cache, name, window, now)


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
