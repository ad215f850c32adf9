"""While the database cannot be reached, a request answers 503 — JSON ``{"detail", "code":
"service_unavailable"}`` under /api/, a friendly page elsewhere, both with Retry-After —
never a 500. Other errors are still 500s. (In process; the real outage against gunicorn
and a restarted PostgreSQL is test_postgres_restart.py.)"""

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import caches
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token
from wagtail.models import Page

from elearning.api import authentication
from elearning.middleware import service_unavailable_response
from quizzes.services import lookup
from tests.factories.elearning import ProfileFactory
from tests.factories.quizzes import make_contest

pytestmark = pytest.mark.django_db
LOST = "server closed the connection unexpectedly"


def fail_with(error):
    def fail(*args, **kwargs):
        raise error

    return fail


def assert_api_503(response):
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert body["detail"]
    assert int(response["Retry-After"]) > 0


def test_api_answers_503_json_while_the_database_is_down_and_recovers(client, monkeypatch):
    contest = make_contest()
    with monkeypatch.context() as patch:
        patch.setattr(lookup, "live_contest", fail_with(OperationalError(LOST)))
        assert_api_503(client.get(f"/api/v1/contests/{contest.slug}/"))
    assert client.get(f"/api/v1/contests/{contest.slug}/").status_code == 200


def test_a_lost_connection_during_token_authentication_is_503_json(client, monkeypatch):
    contest = make_contest()
    profile = ProfileFactory()
    token = Token.objects.create(user=profile.user).key
    caches["default"].delete(authentication._entry_key(token))  # not remembered: the token is read from the database
    monkeypatch.setattr(authentication, "_read", fail_with(InterfaceError("connection closed")))
    response = client.post(
        f"/api/v1/contests/{contest.slug}/attempts/",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert_api_503(response)


def test_a_page_answers_a_friendly_503_in_vietnamese(client, monkeypatch):
    make_contest()
    monkeypatch.setattr(Page, "route_for_request", fail_with(OperationalError(LOST)))
    response = client.get("/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert int(response["Retry-After"]) > 0
    assert "Content-Security-Policy" in response  # still inside the security middleware
    html = response.content.decode()
    assert "<h1>Tạm thời gián đoạn</h1>" in html
    assert "không được kéo dài thêm" in html  # the time limit of an attempt is not extended


def test_the_page_follows_the_chosen_language(client, monkeypatch):
    monkeypatch.setattr(Page, "route_for_request", fail_with(OperationalError(LOST)))
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert "<h1>Briefly unavailable</h1>" in html


def test_the_database_failing_inside_a_middleware_is_503_too(monkeypatch):
    """Loading the session (PasswordChangeRequiredMiddleware reads it) before any view runs."""
    make_contest()
    monkeypatch.setattr(SessionStore, "load", fail_with(OperationalError(LOST)))
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    page = client.get("/")
    assert page.status_code == 503
    assert "503" in page.content.decode()
    assert_api_503(client.get("/api/v1/units/"))


def test_other_errors_are_still_server_errors(monkeypatch):
    contest = make_contest()
    client = Client(raise_request_exception=False)
    monkeypatch.setattr(lookup, "live_contest", fail_with(ValueError("a bug")))
    api = client.get(f"/api/v1/contests/{contest.slug}/")
    assert api.status_code == 500 and api.json()["code"] == "server_error"
    monkeypatch.setattr(Page, "route_for_request", fail_with(RuntimeError("a bug")))
    assert client.get("/").status_code == 500


def test_the_503_page_needs_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = service_unavailable_response(RequestFactory().get("/cuoc-thi/"))
    assert response.status_code == 503
    assert response["Cache-Control"] == "no-store"
