"""Every API error is JSON ``{"detail", "code"}`` (+ ``fields`` for validation).

Never an HTML page and never a bare 500: an unexpected exception in an API view is
logged with its traceback and answered ``500 {"detail", "code": "server_error"}``.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from elearning.middleware import SERVICE_UNAVAILABLE_RETRY_AFTER, database_unavailable, service_unavailable_body

logger = logging.getLogger(__name__)


class ApiError(exceptions.APIException):
    """An error with an explicit status and machine-readable code."""

    def __init__(self, detail, code, status_code=status.HTTP_400_BAD_REQUEST):
        self.status_code = status_code
        super().__init__(detail=detail, code=code)


def _first_code(detail):
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    if isinstance(detail, dict) and detail:
        return _first_code(next(iter(detail.values())))
    return getattr(detail, "code", None)


def _messages(detail):
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        flat = []
        for item in detail:
            value = _messages(item)
            flat.extend(value if isinstance(value, list) else [value])
        return flat
    return str(detail)


def exception_handler(exc, context):
    if database_unavailable(exc):  # PostgreSQL restarting or unreachable: retry, not a server error
        logger.warning("Database unavailable in API view %s: %s", type(context.get("view")).__name__, exc)
        headers = {"Retry-After": str(SERVICE_UNAVAILABLE_RETRY_AFTER), "Cache-Control": "no-store"}
        return Response(service_unavailable_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        view = context.get("view")
        logger.error("Unhandled error in API view %s", type(view).__name__, exc_info=exc)
        set_rollback()
        return Response(
            {"detail": _("Server error. Please try again later."), "code": "server_error"},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    if isinstance(exc, exceptions.ValidationError):
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        non_field = fields.get("non_field_errors") if isinstance(fields, dict) else None
        message = str(non_field[0]) if non_field else str(exceptions.ValidationError.default_detail)
        code = _first_code(detail) if non_field else "invalid"
        body = {"detail": message, "code": code or "invalid", "fields": _messages(fields)}
    else:
        if isinstance(detail, dict) and "detail" in detail:
            detail = detail["detail"]
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"detail": str(detail), "code": code}
    headers = {key: value for key, value in response.items()}
    return Response(body, status=response.status_code, headers=headers)


@csrf_exempt  # a POST to an unknown API path is a JSON 404 too, not Django's HTML CSRF page
def not_found_json(request, exception=None):
    """404 for any /api/ path that matches no endpoint."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
