"""Password authentication behind the per-account login lock.

Every password check in the site goes through here — the login page, the API token
endpoint and the Wagtail admin login — so ten wrong passwords lock the account
everywhere, not just on one form.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from elearning import throttling
from elearning.accounts import usercache

CHANGE_REQUIRED_SESSION_KEY = "accounts:must_change_password"


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        if throttling.login_lock(username) is not None:
            # PermissionDenied stops Django from trying other backends.
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttling.record_login_failure(username)
        elif request is not None and hasattr(request, "session"):
            flag_password_change(request, user)
        return user

    def get_user(self, user_id):
        """The session's user with their profile (every page's header shows their name): one query,
        or none while this process keeps the rows of the user's current version (``usercache``)."""
        user_model = get_user_model()
        user = usercache.session_user(user_model, user_id, _read_user)
        return user if user is not None and self.user_can_authenticate(user) else None


def _read_user(user_id):
    user_model = get_user_model()
    try:
        return user_model._default_manager.select_related("profile").get(pk=user_id)
    except user_model.DoesNotExist:
        return None


def flag_password_change(request, user):
    """Remember in the session that ``user`` logged in with a one-time password."""
    from elearning.models import Profile

    if Profile.objects.filter(user=user, must_change_password=True).exists():
        request.session[CHANGE_REQUIRED_SESSION_KEY] = str(user.pk)
        return True
    request.session.pop(CHANGE_REQUIRED_SESSION_KEY, None)
    return False
