"""Walking the URLconf: every route with a concrete URL, and what a request to it came to.

Used by test_access_matrix.py. ``every_route()`` lists the URLconf programmatically, so a
route someone adds later shows up here (and fails the matrix until it is classified).
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# What a request came to, in words a table can hold.
OK = "ok"  # 2xx: the page, file or data
LOGIN = "login"  # redirected to the site's login page
ADMIN_LOGIN = "admin-login"  # redirected to the Wagtail admin's login page (no admin access)
DENIED = "denied"  # 403, or Wagtail's "permission denied" (redirect to the admin home)
UNAUTHORIZED = "401"  # the JSON API: log in first
NOT_FOUND = "404"  # also what another person's object answers: no probing
NOT_ALLOWED = "405"  # wrong method
REDIRECT = "redirect"  # any other redirect
BAD_REQUEST = "400"
CONFLICT = "409"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "<path>" for an unnamed route
    pattern: str  # the full pattern as Django shows it
    module: str  # the view's module

    @property
    def is_admin(self):
        return self.pattern.startswith("admin/")


def _callback_module(callback):
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    target = view_class or callback
    wrapped = getattr(target, "__wrapped__", None)
    return getattr(wrapped or target, "__module__", "") or ""


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (
                entry.namespace
                if not namespace
                else (f"{namespace}:{entry.namespace}" if entry.namespace else namespace)
            )
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner or "")
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            name = (f"{namespace}:{entry.name}" if namespace else entry.name) if entry.name else f"<{pattern}>"
            yield Route(name=name, pattern=pattern, module=_callback_module(entry.callback))


def every_route():
    """Every route of the URLconf (names repeated by Wagtail for two paths are kept once each path)."""
    seen, routes = set(), []
    for route in _walk(get_resolver().url_patterns):
        if (route.name, route.pattern) not in seen:
            seen.add((route.name, route.pattern))
            routes.append(route)
    return routes


def outcome(response):
    """The response in the matrix's words."""
    status = response.status_code
    if 200 <= status < 300:
        return OK
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        if target == reverse("wagtailadmin_login"):
            return ADMIN_LOGIN
        if target == reverse(settings.LOGIN_URL):
            return LOGIN
        if target == reverse("wagtailadmin_home"):
            return DENIED
        return REDIRECT
    return {
        400: BAD_REQUEST,
        401: UNAUTHORIZED,
        403: DENIED,
        404: NOT_FOUND,
        405: NOT_ALLOWED,
        409: CONFLICT,
    }.get(status, str(status))


_PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def placeholder_url(pattern, values):
    """A concrete path for a pattern: ``<int:pk>`` takes ``values[name]`` (or 1); regex parts are
    filled with the simplest match."""
    path = pattern

    def fill(match):
        name = match.group("name")
        if name in values:
            return str(values[name])
        return "1" if (match.group("converter") or "str") in ("int", "path") else "x"

    # Regex routes (Wagtail's): anchors out, groups replaced by a sample value.
    path = path.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<revision_id_a>[^)]*\)", "earliest", path)
    path = re.sub(r"\(\?P<revision_id_b>[^)]*\)", "latest", path)
    path = re.sub(r"\(\?P<pk>[^)]*\)", str(values.get("pk", 1)), path)
    path = _PLACEHOLDER.sub(fill, path)
    path = path.replace(r"\.", ".")
    path = re.sub(r"\(\(\?:\[\\w\\-\]\+/\)\*\)", "", path)  # the page-serving catch-all
    path = path.replace(r"(\d+)/(.*)", "1/x")
    path = path.replace(".*/", "no-such-admin-page/")
    return "/" + path
