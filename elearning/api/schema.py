from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse

ERROR_DESCRIPTIONS = {
    400: _("Invalid input: see code and fields."),
    401: _("Not logged in, or the token is not valid: send 'Authorization: Token <token>'."),
    403: _("Not allowed: the code says why (e.g. not_eligible, review_not_available)."),
    404: _("Not found, or not yours."),
    409: _("Conflicts with the state of the contest or attempt: the code says which rule."),
    429: _("Too many requests: wait for Retry-After seconds."),
}


def only_public_api(endpoints, **kwargs):
    """Publish the v1 API only (not Wagtail's admin API)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def error_responses(*statuses):
    """Schema entries for error answers: every one is ``{"detail", "code"}`` (+ ``fields``)."""
    from .serializers import ErrorSerializer

    return {status: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status]) for status in statuses}
