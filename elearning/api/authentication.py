"""API token authentication that remembers valid tokens in the shared cache.

DRF's ``TokenAuthentication`` reads the token joined to its whole user row on every
request. Here the token is read with only the few user fields requests need (id,
username, is_active, is_staff, is_superuser; never the password hash), and a valid
token of an active user is remembered in ``caches["default"]`` under a digest of the
key for ``TTL_SECONDS`` (12 hours: a contest day). A token is put there when it is
handed out (created, or returned by the login endpoint), so a participant's requests
read no database row for it; otherwise its first request reads it and puts it there.
The user comes back as a model instance whose other fields are deferred: they are read
from the database if some code asks for them.

Revocation takes effect at once: deleting a token, and saving or deleting its user
(a password change, a deactivation, new staff rights), replace the cache entry with a
"revoked" mark for ``TTL_SECONDS``. While the mark is there the token is checked in the
database on every request, and the cache is only ever filled with ``add`` — so a request
that read the database just before the change cannot put the old state back.

Only a cache shared by every process (Redis) is used; with process-local memory (the
embedded SQLite setup) every request reads the database as before.

On Redis the entry is plain JSON text (``[version, id, username, is_active, is_staff,
is_superuser]``, or the mark), written with the raw client (``SET NX EX`` for ``add``), not
django-redis's pickle: a Lua script can then read it together with what the request needs
(:data:`LUA_TOKEN_USER`, :func:`prefetch_entry`), and Python checks it again here as always.
"""

import functools
import json

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import router
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _
from rest_framework import HTTP_HEADER_ENCODING
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from elearning import throttling

TTL_SECONDS = 12 * 3600
REVOKED = "revoked"
USER_FIELDS = ("id", "username", "is_active", "is_staff", "is_superuser")
_VERSION = 3  # bump when the entry's shape changes (it is part of the key: old entries are never read)
_ACTIVE = 1 + USER_FIELDS.index("is_active")  # in the entry, after the version

# Lua: ``token_user(raw)``, the user id (a string) of an entry that authentication would accept
# without the database, else false. A script may act on it before Python (which checks the entry
# again); the caller still compares that id with the authenticated user's.
LUA_TOKEN_USER = f"""
local function token_user(raw)
  if not raw then return false end
  local ok, entry = pcall(cjson.decode, raw)
  if not ok or type(entry) ~= 'table' or entry[1] ~= {_VERSION} or entry[{_ACTIVE + 1}] ~= true
    or type(entry[2]) ~= 'number' then
    return false
  end
  return string.format('%d', entry[2])
end
"""


def _cache():
    cache = caches["default"]
    if isinstance(cache, LocMemCache | DummyCache | BaseDatabaseCache):
        return None  # not shared between processes, or no cheaper than the database
    return cache


def _entry_key(token_key):
    return f"api-token:{_VERSION}:" + throttling.digest(token_key)


def _encode(values):
    return json.dumps([_VERSION, *values], separators=(",", ":"))


def _decode(raw):
    """The user values of a stored entry that needs no database read, else None (no entry, the
    revoked mark, another version, an inactive user)."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not isinstance(raw, str) or not raw.startswith("["):
        return None
    try:
        entry = json.loads(raw)
    except ValueError:
        return None
    if len(entry) != 1 + len(USER_FIELDS) or entry[0] != _VERSION or entry[_ACTIVE] is not True:
        return None
    return tuple(entry[1:])


def _read_entry(cache, name):
    """The stored entry (bytes or str), or None; None too when Redis is unreachable, as
    django-redis's ``get`` with ``IGNORE_EXCEPTIONS``."""
    client = throttling._redis_client(cache)
    if client is None:
        return cache.get(name)
    from redis.exceptions import RedisError

    try:
        return client.get(cache.make_key(name))
    except (RedisError, OSError) as error:
        throttling._redis_failed(cache, error)
        return None


def _write_entries(cache, entries, only_new):
    """Store ``{name: text}`` for TTL_SECONDS; ``only_new``: never over an existing entry (``add``)."""
    client = throttling._redis_client(cache)
    if client is None:
        if only_new:
            for name, text in entries.items():
                cache.add(name, text, TTL_SECONDS)
        else:
            cache.set_many(entries, TTL_SECONDS)
        return
    from redis.exceptions import RedisError

    try:
        pipe = client.pipeline(transaction=False)
        for name, text in entries.items():
            pipe.set(cache.make_key(name), text, ex=TTL_SECONDS, nx=only_new)
        pipe.execute()
    except (RedisError, OSError) as error:
        throttling._redis_failed(cache, error)


def stored_entry(token_key):
    """What the shared cache holds for ``token_key``: its user values, REVOKED, or None."""
    cache = _cache()
    raw = None if cache is None else _read_entry(cache, _entry_key(token_key))
    if isinstance(raw, bytes):
        raw = raw.decode()
    return raw if raw in (None, REVOKED) else _decode(raw)


@functools.cache
def _user_layout():
    """The user model, the USER_FIELDS in its column order, and where each is in USER_FIELDS."""
    User = get_user_model()
    fields = [f.attname for f in User._meta.concrete_fields if f.attname in USER_FIELDS]
    return User, fields, [USER_FIELDS.index(name) for name in fields]


def _user_from(values):
    User, fields, positions = _user_layout()
    if len(values) != len(USER_FIELDS):
        raise ValueError(f"expected {len(USER_FIELDS)} user values, got {len(values)}")
    return User.from_db(router.db_for_read(User), fields, [values[i] for i in positions])


def _read(key):
    """The token's user fields, in one query; refused with DRF's own messages."""
    values = Token.objects.filter(key=key).values_list(*(f"user__{name}" for name in USER_FIELDS)).first()
    if values is None:
        raise AuthenticationFailed(_("Invalid token."))
    if not values[USER_FIELDS.index("is_active")]:
        raise AuthenticationFailed(_("User inactive or deleted."))
    return values


def _authenticated(key, values):
    user = _user_from(values)
    token = Token.from_db(router.db_for_read(Token), ["key", "user_id"], [key, user.pk])
    token.user = user
    return user, token


_NOT_READ = object()


def token_key_in(request):
    """The key of a well-formed ``Authorization: Token <key>`` header, else None (DRF's
    ``TokenAuthentication`` answers a malformed one). Read once per request: the throttles'
    or the view's prefetch and authentication all ask."""
    found = request.__dict__.get("_api_token_key", _NOT_READ)
    if found is _NOT_READ:
        found = request.__dict__["_api_token_key"] = _parse_token_key(authorization_header(request))
    return found


def authorization_header(request):
    """DRF's ``get_authorization_header`` (the header as bytes) without building ``request.headers``,
    a dictionary of every header of the request, for the one it needs."""
    auth = request.META.get("HTTP_AUTHORIZATION", b"")
    if isinstance(auth, str):  # always, but for Django's test client
        auth = auth.encode(HTTP_HEADER_ENCODING)
    return auth


def _parse_token_key(header):
    auth = header.split()
    if len(auth) != 2 or auth[0].lower() != TokenAuthentication.keyword.lower().encode():
        return None
    try:
        return auth[1].decode()
    except UnicodeError:
        return None


def count_and_read(request, counters):
    """Bump the throttle ``counters`` ([(key, window)]) and read the request's token entry
    in one round trip to Redis, before authentication; the entry is kept on the request
    for :class:`CachedTokenAuthentication`. Returns the windows, or None when that is not
    possible (no token, no shared Redis): then each is done on its own, as usual."""
    key, cache = token_key_in(request), _cache()
    if key is None or cache is None:
        return None
    found = throttling.hit_many_and_read(counters, cache, _entry_key(key))
    if found is None:
        return None
    windows, raw = found
    request.prefetched_token_entry = (key, raw)
    return windows


def prefetch_entry(request, read):
    """Read the request's token entry in a round trip that does more: ``read(entry key as
    Redis names it)`` returns ``(raw entry, anything)``. The entry is kept on the request for
    :class:`CachedTokenAuthentication`; returns the anything, or None when there is no token,
    no shared Redis, or ``read`` returned None."""
    key, cache = token_key_in(request), _cache()
    if key is None or cache is None or throttling._redis_client(cache) is None:
        return None
    found = read(cache.make_key(_entry_key(key)))
    if found is None:
        return None
    raw, extra = found
    request.prefetched_token_entry = (key, raw)
    return extra


def prefetched_user_id(request):
    """The user id of the token entry read ahead for this request (:func:`prefetch_entry`,
    :func:`count_and_read`) when :class:`CachedTokenAuthentication` would accept that entry
    without the database (an active user's), else None."""
    prefetched = getattr(request, "prefetched_token_entry", None)
    if prefetched is None or prefetched[0] != token_key_in(request) or _cache() is None:
        return None
    values = _decode(prefetched[1])
    return None if values is None else values[USER_FIELDS.index("id")]


class CachedTokenAuthentication(TokenAuthentication):
    """``TokenAuthentication`` with valid tokens remembered (see the module)."""

    def authenticate(self, request):
        self.prefetched = getattr(request, "prefetched_token_entry", None)
        key = token_key_in(request)
        if key is None:  # no token header, or a malformed one: DRF's answers
            return super().authenticate(request)
        return self.authenticate_credentials(key)  # what DRF does with a well-formed header

    def authenticate_credentials(self, key):
        cache = _cache()
        if cache is None:
            return _authenticated(key, _read(key))
        entry_key = _entry_key(key)
        # Read with the throttle counters (``count_and_read``) or the request's other reads
        # (``prefetch_entry``), else now; None when Redis is unreachable.
        prefetched = getattr(self, "prefetched", None)
        entry = prefetched[1] if prefetched is not None and prefetched[0] == key else _read_entry(cache, entry_key)
        values = _decode(entry)
        if values is not None:
            return _authenticated(key, values)
        values = _read(key)  # AuthenticationFailed when not valid
        if entry is None:
            # ``add``: never over a "revoked" mark set since the read above.
            _write_entries(cache, {entry_key: _encode(values)}, only_new=True)
        return _authenticated(key, values)


def remember(token_key, user):
    """Put a token that is being handed out in the cache, so its first request reads no row."""
    cache = _cache()
    if cache is not None and user.is_active:
        # ``add``: never over a "revoked" mark.
        values = [getattr(user, name) for name in USER_FIELDS]
        _write_entries(cache, {_entry_key(token_key): _encode(values)}, only_new=True)


def _legacy_entry_key(token_key):
    """Where processes of the release before entry version 3 look for the token (a pickled
    tuple, or the mark, through django-redis)."""
    return "api-token:" + throttling.digest(token_key)


def revoke(token_keys):
    """The next request with any of these tokens is checked in the database: by this release's
    processes, and by the previous release's still serving during a rolling deploy (they read
    the pickled entry under the old key; the mark there makes them read the database)."""
    cache = _cache()
    if cache is not None and token_keys:
        _write_entries(cache, {_entry_key(key): REVOKED for key in token_keys}, only_new=False)
        cache.set_many({_legacy_entry_key(key): REVOKED for key in token_keys}, TTL_SECONDS)


def _token_created(sender, instance, created=False, **kwargs):
    if created:
        remember(instance.key, instance.user)


def _token_deleted(sender, instance, **kwargs):
    revoke([instance.key])


def _user_changed(sender, instance, update_fields=None, created=False, **kwargs):
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return  # a new account has no token yet; logging in changes nothing a token relies on
    if _cache() is not None:
        revoke(list(Token.objects.filter(user_id=instance.pk).values_list("key", flat=True)))


def connect():
    """Called from the app's ``ready()``: every process revokes, whether it serves the API or not."""
    User = get_user_model()
    post_save.connect(_token_created, sender=Token, dispatch_uid="api-token-cache-token-created")
    post_delete.connect(_token_deleted, sender=Token, dispatch_uid="api-token-cache-token-deleted")
    post_save.connect(_user_changed, sender=User, dispatch_uid="api-token-cache-user-saved")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="api-token-cache-user-deleted")
