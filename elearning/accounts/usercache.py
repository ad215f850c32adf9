"""The session's user without a query on every page: kept per process, checked against versions in the cache.

Every logged-in page reads the session's user with their profile (the header shows their name),
and a lesson page reads the learner's enrolment and progress. Both change rarely against how often
they are read. With ``SESSION_USER_MEMO`` on (the default when the cache is Redis, shared by every
app process), each process keeps the user and profile rows it read, and the lesson pages keep the
enrolment-with-progress rows (``courses.services.progress``), under a **version** token per user
in the default cache:

- the *user version* (``accounts:user-version:<id>``) is replaced by any save or delete of the
  user or their profile (a password change, a deactivation, a login's ``last_login``), a change of
  their groups or permissions, a logout, the admin's bulk "set active state", and :func:`bump_user`
  where code writes with ``QuerySet.update()``;
- the *progress version* (``accounts:progress-version:<id>``) by any save or delete of the user's
  enrolments, lesson progress rows and certificates, and :func:`bump_progress`.

Both are replaced now and again once the transaction commits (a reader between the two cannot keep
the rows of before the commit under the new token). Each request reads the two versions, the
admin-access entry of ``elearning.adminaccess`` and the per-user keys other apps register with
:func:`ride_along` (the lesson visits a learner recently had recorded) in one ``get_many``; a kept
row of another version is read again. So a change is seen by the next request of every process: a
deactivated user is refused at once, and Django still checks the session's password hash against
the row, so a password change logs the other sessions out. A kept entry is also dropped after ``MAX_AGE``
seconds, which bounds what a bump lost while the cache was unreachable can leave behind. Without a
reachable cache (no version), the rows are read from the database as before. Every request gets its
own model instances, built from the kept values; nothing of one request is shared with another.

The rows stay in the process (the password hash is not copied into the cache).

A rolling deploy from a release without this module: its processes do not replace the versions, so
while both run, a change they make is seen by the new processes within ``MAX_AGE`` seconds.
"""

import secrets
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

USER_VERSION_PREFIX = "accounts:user-version:"
PROGRESS_VERSION_PREFIX = "accounts:progress-version:"
VERSION_TIMEOUT = 7 * 24 * 3600  # seconds; a version that expires is replaced by a new token (all misses)
MAX_AGE = 60  # seconds a process keeps an entry at most
MAX_ENTRIES = 4096  # users per process (least recently used dropped first)
_PREFETCH_ATTR = "_usercache_prefetched"
PROGRESS_VERSION_ATTR = "_usercache_progress_version"
_RIDERS_ATTR = "_usercache_riders"
_rider_prefixes = []  # per-user keys other apps read in the versions' round trip (ride_along)


def enabled():
    return getattr(settings, "SESSION_USER_MEMO", False)


class Memo:
    """A small per-process LRU map whose entries expire after ``MAX_AGE`` seconds."""

    def __init__(self, max_entries=MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._entries.get(key)
            if item is None:
                return None
            if time.monotonic() - item[0] > MAX_AGE:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return item[1]

    def put(self, key, value):
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def pop(self, key):
        with self._lock:
            self._entries.pop(key, None)

    def clear(self):
        with self._lock:
            self._entries.clear()


_users = Memo()  # {user_id: (user_version, user values, profile values or None)}


# --- Versions ------------------------------------------------------------------------------------------


def _bump(prefix, user_id):
    cache.set(f"{prefix}{user_id}", secrets.token_hex(8), timeout=VERSION_TIMEOUT)


def _bump_twice(prefix, user_id):
    if user_id is None:
        return
    _bump(prefix, user_id)
    transaction.on_commit(lambda: _bump(prefix, user_id))


def bump_user(user_id):
    """The user's row or profile changed (call after a ``QuerySet.update()`` of either)."""
    _users.pop(user_id)
    _bump_twice(USER_VERSION_PREFIX, user_id)


def bump_progress(user_id):
    """The learner's enrolments, progress or certificates changed (after a write without signals)."""
    from courses.services.progress import forget_progress

    forget_progress(user_id)
    _bump_twice(PROGRESS_VERSION_PREFIX, user_id)


def ride_along(prefix):
    """Read the key ``<prefix><user id>`` of the default cache with the session user's versions, in
    their round trip, for :func:`rider` (called once, from an app's ``ready``)."""
    if prefix not in _rider_prefixes:
        _rider_prefixes.append(prefix)


def rider(user, prefix):
    """The value of ``<prefix><user id>`` as read with the user's versions on this request, or None
    (missing, not read: no memo or no reachable cache, or not registered with :func:`ride_along`)."""
    riders = getattr(user, _RIDERS_ATTR, None)
    return riders.get(f"{prefix}{user.pk}") if riders else None


def _read_versions(user_id):
    """``(user version, progress version, adminaccess entries, riders)`` in one round trip; a missing
    version is created. A version is None when the cache cannot be reached."""
    from elearning import adminaccess

    user_key = f"{USER_VERSION_PREFIX}{user_id}"
    progress_key = f"{PROGRESS_VERSION_PREFIX}{user_id}"
    admin_keys = [adminaccess.GENERATION_KEY, f"{adminaccess.ENTRY_PREFIX}{user_id}"]
    rider_keys = [f"{prefix}{user_id}" for prefix in _rider_prefixes]
    found = cache.get_many([user_key, progress_key, *admin_keys, *rider_keys])
    missing = [key for key in (user_key, progress_key) if key not in found]
    if missing:
        for key in missing:
            cache.add(key, secrets.token_hex(8), timeout=VERSION_TIMEOUT)
        found.update(cache.get_many(missing))
    admin = (adminaccess.bumps(), {key: found[key] for key in admin_keys if key in found})
    riders = {key: found[key] for key in rider_keys if key in found}
    return found.get(user_key), found.get(progress_key), admin, riders


# --- The session's user ------------------------------------------------------------------------------


def _values(instance):
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


def _build(user_model, db, values, profile_values):
    from elearning.models import Profile

    user = user_model.from_db(db, [f.attname for f in user_model._meta.concrete_fields], values)
    profile = None
    if profile_values is not None:
        profile = Profile.from_db(db, [f.attname for f in Profile._meta.concrete_fields], profile_values)
        Profile.user.field.set_cached_value(profile, user)
    user_model.profile.related.set_cached_value(user, profile)
    return user


def session_user(user_model, user_id, read):
    """The user ``read(user_id)`` returns (with their profile attached, or None), kept per process
    for the user's current version; the request's progress version and admin-access entries ride
    on the instance."""
    if not enabled():
        return read(user_id)
    user_version, progress_version, admin, riders = _read_versions(user_id)
    if user_version is None:
        return read(user_id)
    kept = _users.get(user_id)
    if kept is not None and kept[0] == user_version:
        user = _build(user_model, kept[1], kept[2], kept[3])
    else:
        # Read after the version: a change made meanwhile has replaced it, so these rows are
        # never kept under the token that follows the change.
        user = read(user_id)
        if user is None:
            return None
        profile = user_model.profile.related.get_cached_value(user, None)
        _users.put(
            user_id, (user_version, user._state.db, _values(user), _values(profile) if profile is not None else None)
        )
    setattr(user, PROGRESS_VERSION_ATTR, progress_version)
    setattr(user, _PREFETCH_ATTR, admin)
    setattr(user, _RIDERS_ATTR, riders)
    return user


def prefetched_admin_access(user):
    """The admin-access cache entries read with the user's versions (once), or None (also when this
    process has changed a permission since: then they are read again)."""
    from elearning import adminaccess

    # Through getattr/delattr, not the instance's __dict__: ``request.user`` is a lazy proxy, whose
    # own __dict__ never holds what was set on the user behind it.
    prefetched = getattr(user, _PREFETCH_ATTR, None)
    if prefetched is None:
        return None
    delattr(user, _PREFETCH_ATTR)
    if prefetched[0] != adminaccess.bumps():
        return None
    return prefetched[1]


def progress_version(user):
    return getattr(user, PROGRESS_VERSION_ATTR, None)


# --- What replaces the versions -------------------------------------------------------------------------


def _user_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        bump_user(instance.pk)


def _profile_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        bump_user(instance.user_id)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        bump_user(user.pk)


def _progress_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    user_id = getattr(instance, "user_id", None)
    if user_id is None:  # a certificate: its enrolment's learner
        from courses.models import Enrolment

        enrolment = type(instance).enrolment.field.get_cached_value(instance, None)
        if enrolment is not None:
            user_id = enrolment.user_id
        else:
            user_id = Enrolment.objects.filter(pk=instance.enrolment_id).values_list("user_id", flat=True).first()
    bump_progress(user_id)


def connect():
    """Called once from ``ElearningConfig.ready``."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_out
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail import hooks

    from courses.models import Certificate, Enrolment, LessonProgress
    from elearning.models import Profile

    User = get_user_model()
    for signal in (post_save, post_delete):
        name = signal is post_save and "saved" or "deleted"
        signal.connect(_user_saved, sender=User, dispatch_uid=f"elearning.usercache.user.{name}")
        signal.connect(_profile_saved, sender=Profile, dispatch_uid=f"elearning.usercache.profile.{name}")
        for model in (Enrolment, LessonProgress, Certificate):
            signal.connect(_progress_saved, sender=model, dispatch_uid=f"elearning.usercache.{model.__name__}.{name}")
    for through in (User.groups.through, User.user_permissions.through):
        m2m_changed.connect(_members_changed, sender=through, dispatch_uid=f"elearning.usercache.{through.__name__}")
    user_logged_out.connect(_logged_out, dispatch_uid="elearning.usercache.logged_out")
    hooks.register("after_bulk_action", _after_bulk_action)


def _members_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A user's groups or permissions changed (from either side; a clear from the group's side
    bumps its members before they are removed)."""
    if not reverse:
        if action.startswith("post_"):
            bump_user(instance.pk)
        return
    # ``instance`` is a group or permission, ``model`` the user model.
    if action == "pre_clear":
        for user_id in sender.objects.filter(**{_side(sender, instance): instance.pk}).values_list(
            "user_id", flat=True
        ):
            bump_user(user_id)
    elif action in ("post_add", "post_remove"):
        for user_id in pk_set or ():
            bump_user(user_id)


def _side(through, instance):
    for field in through._meta.concrete_fields:
        if field.is_relation and isinstance(instance, field.related_model):
            return field.attname
    raise LookupError(through)


def _after_bulk_action(request, action_type, objects, action_class_instance):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    for obj in objects:
        if isinstance(obj, User):
            bump_user(obj.pk)
