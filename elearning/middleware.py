import logging
import sys

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext
from wagtail.contrib.redirects.middleware import RedirectMiddleware

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"


def requested_language(request):
    """The language of the request: the language cookie set by ``set_language`` when it names a
    supported language, else Vietnamese (the page cache keys its copies by it)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in {code for code, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE


class DefaultLanguageMiddleware:
    """Vietnamese unless the visitor chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; here the
    choice is only the language cookie set by ``set_language``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = requested_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class LazyMessageMiddleware(MessageMiddleware):
    """Django's ``MessageMiddleware``, with the message storage built the first time something
    reads or adds a message, not on every request.

    An API call or a page without messages never touches it; a storage nobody used has nothing
    to store (its ``update`` does nothing), so the response is left as it is.
    """

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        storage = getattr(request, "_messages", None)
        if isinstance(storage, SimpleLazyObject) and storage._wrapped is empty:
            return response
        return super().process_response(request, response)


# --- The database briefly unavailable (a restart, a failover) -------------------------------

SERVICE_UNAVAILABLE_RETRY_AFTER = 5  # seconds, sent as Retry-After with every 503
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable(exception):
    """True for the errors of a database that cannot be reached or dropped the connection."""
    return isinstance(exception, DATABASE_UNAVAILABLE_ERRORS)


def service_unavailable_body():
    return {
        "detail": gettext("The service is briefly unavailable. Please try again in a few seconds."),
        "code": "service_unavailable",
    }


def service_unavailable_response(request):
    """503: JSON ``{"detail", "code"}`` under /api/, a friendly page elsewhere; both say when to retry."""
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(service_unavailable_body(), status=503)
    else:
        # No request context: the page must render with the database down (no user, no site settings).
        with translation.override(getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE):
            response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(SERVICE_UNAVAILABLE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def _note_database_unavailable(sender, request=None, **kwargs):
    # Sent by Django while it turns an exception raised in a middleware into a 500.
    if request is not None and database_unavailable(sys.exc_info()[1]):
        request.database_unavailable = True


class DatabaseUnavailableMiddleware:
    """A request that fails because PostgreSQL cannot be reached answers 503, not 500.

    The app heals by itself once the database is back (persistent connections are health
    checked). Views raise into ``process_exception``; an error raised in another middleware
    (loading the session or the user) is marked by the ``got_request_exception`` signal and
    its 500 turned into the 503 here. The JSON API's views go through
    ``elearning.api.errors.exception_handler``, which answers the same 503 JSON.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_note_database_unavailable, dispatch_uid="elearning.database_unavailable")

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "database_unavailable", False):
            return service_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if not database_unavailable(exception):
            return None
        logger.warning("Database unavailable (%s): %s answered 503", type(exception).__name__, request.path)
        return service_unavailable_response(request)


class PageRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects (an editor's old address → its new one) for the site's pages only. A 404
    of the JSON API is an answer ("not_ranked", "round_not_found"), not a moved page, and looking
    it up cost 3 queries (site, redirect, redirect without query string) on each one."""

    def process_response(self, request, response):
        if request.path_info.startswith(API_PREFIX):
            return response
        return super().process_response(request, response)
