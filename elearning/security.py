"""Response headers the settings cannot set: the Content-Security-Policy.

Django 5.2 has no CSP of its own. The site's pages load scripts only from the site itself
(the quiz runner is a static file; no inline script, no inline event handler), so the policy
allows scripts from 'self' only — an injected ``<script>`` or ``onerror=`` does not run.
Styles may be inline (``style=""`` attributes in content and reports); that cannot run code.

Paths in ``CSP_EXEMPT_PATHS`` (Wagtail's admin, whose editors still use inline scripts) get
no policy from here. A view that sets its own policy keeps it (Wagtail's document serving
sends ``default-src 'none'``).
"""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(
            f"{directive} {' '.join(sources)}".strip()
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )
        self.exempt = tuple(settings.CSP_EXEMPT_PATHS)

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.exempt):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


def admin_logout_view():
    """Wagtail's admin logout, POST only.

    Wagtail's view answers a GET with 405 but still deletes the session cookie, so an
    ``<img src="/admin/logout/">`` on any page would log an editor out. Mounted at the same
    path, before Wagtail's admin URLs (elearning/urls.py).
    """
    from django.views.decorators.http import require_POST
    from wagtail.admin.views.account import LogoutView

    return require_POST(LogoutView.as_view())
