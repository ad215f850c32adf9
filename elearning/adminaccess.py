"""Whether a user may use the Wagtail admin, without reading their permissions on every page.

The site's header shows an "Administration" link and Wagtail's user bar to the people who can
edit in the admin (``wagtailadmin.access_admin``, held by the trainer, reviewer and organizer
roles). Asking Django (``user.has_perm``) reads all of the user's permissions: two queries on
every page a logged-in learner opens, who never has that permission.

:func:`can_access_admin` keeps the answer per user in the default cache, stamped with a
permissions generation token that any change to who holds which permission replaces (a user's
groups or own permissions, a group's permissions, a group or a permission saved or deleted, a
user deleted), now and again once the transaction commits. A change is therefore seen by the next
request. Superusers and inactive users are answered from the user row, as Django does. Without a
reachable cache the permissions are read as before.
"""

import secrets

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

PERMISSION = "wagtailadmin.access_admin"
GENERATION_KEY = "adminaccess:generation"
ENTRY_PREFIX = "adminaccess:user:"
TIMEOUT = 24 * 3600  # seconds; a changed permission makes the entry stale at once anyway
_REQUEST_ATTR = "_elearning_admin_access"


_bumps = [0]  # bumps made by this process: an answer read before one of them is not used


def bump():
    _bumps[0] += 1
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)


def bumps():
    return _bumps[0]


def invalidate(**kwargs):
    """Bump now and again on commit (a reader between the two cannot keep the old answer)."""
    if kwargs.get("raw"):
        return
    bump()
    transaction.on_commit(bump)


def _read(user):
    """The cached answer for ``user``, computing and storing it when missing or stale."""
    from elearning.accounts.usercache import prefetched_admin_access

    key = f"{ENTRY_PREFIX}{user.pk}"
    found = prefetched_admin_access(user)  # read with the session user's versions, in their round trip
    if found is None:
        found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY)
        if generation is None:  # no reachable cache
            return user.has_perm(PERMISSION)
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        return entry[1]
    # Read after the generation: a change made meanwhile has bumped it, so this answer is never
    # kept under the token that follows the change.
    allowed = user.has_perm(PERMISSION)
    cache.set(key, (generation, allowed), TIMEOUT)
    return allowed


def can_access_admin(request_or_user):
    """True when the user may use the Wagtail admin (``wagtailadmin.access_admin``), read once per request."""
    request = None
    user = request_or_user
    if hasattr(request_or_user, "user"):
        request = request_or_user
        user = request.user
        if hasattr(request, _REQUEST_ATTR):
            return getattr(request, _REQUEST_ATTR)
    if user is None or not user.is_authenticated or not user.is_active:
        allowed = False
    elif user.is_superuser or hasattr(user, "_perm_cache"):
        allowed = user.has_perm(PERMISSION)  # no query: Django answers from the row or its loaded permissions
    else:
        allowed = _read(user)
    if request is not None:
        setattr(request, _REQUEST_ATTR, allowed)
    return allowed


def connect():
    """Called once from ``ElearningConfig.ready``."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    User = get_user_model()
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(invalidate, sender=through, dispatch_uid=f"elearning.adminaccess.m2m.{through.__name__}")
    for model in (Group, Permission):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"elearning.adminaccess.saved.{model.__name__}")
    # A user's own row (last login, is_superuser, is_active) is read on every request anyway.
    for model in (User, Group, Permission):
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"elearning.adminaccess.deleted.{model.__name__}")
