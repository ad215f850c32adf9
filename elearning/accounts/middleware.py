from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.shortcuts import redirect
from django.urls import reverse

from .backends import CHANGE_REQUIRED_SESSION_KEY


class PasswordChangeRequiredMiddleware:
    """Someone who logged in with a one-time password (``Profile.must_change_password``)
    is sent to the password change page, from any page, until they change it.

    The flag is put in the session at login, so other visitors cost nothing here.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed = None

    def allowed_prefixes(self):
        if self._allowed is None:
            # Paths a person who must change their password can still reach.
            self._allowed = (
                settings.STATIC_URL,
                settings.MEDIA_URL,
                reverse("set_language"),
                reverse("api-schema").split("schema/")[0],  # the JSON API
                reverse("password_change"),  # also covers password/change/done/
                reverse("logout"),
                reverse("password_reset"),
                reverse("password_reset_complete").rsplit("done/", 1)[0],  # the reset/ links
            )
        return self._allowed

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and hasattr(request, "session"):
            flagged = request.session.get(CHANGE_REQUIRED_SESSION_KEY)
            if (
                flagged
                and flagged == str(request.session.get(SESSION_KEY))
                and not request.path.startswith(self.allowed_prefixes())
            ):
                target = request.get_full_path() if request.method == "GET" else settings.LOGIN_REDIRECT_URL
                return redirect(f"{reverse('password_change')}?{urlencode({'next': target})}")
        return self.get_response(request)
