"""Messages (``django.contrib.messages``) with the storage built only when something uses it
(``elearning.middleware.LazyMessageMiddleware``): a request that shows or adds no message builds
none and its response is untouched; messages still go from one request to the next."""

import pytest
from django.contrib import messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from elearning import middleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def storages_built(monkeypatch):
    built = []
    original = middleware.default_storage
    monkeypatch.setattr(middleware, "default_storage", lambda request: built.append(request) or original(request))
    return built


def test_an_api_call_builds_no_message_storage(client, storages_built):
    response = client.get("/api/v1/contests/")
    assert response.status_code == 200
    assert storages_built == []
    assert "messages" not in response.cookies


def through_the_middleware(view, cookies=None):
    request = RequestFactory().get("/")
    request.COOKIES.update(cookies or {})
    SessionMiddleware(lambda r: None).process_request(request)
    return middleware.LazyMessageMiddleware(view)(request)


def test_a_message_added_is_stored_and_read_on_the_next_request(storages_built):
    def add(request):
        messages.success(request, "Đã lưu.")
        return HttpResponse()

    response = through_the_middleware(add)
    assert len(storages_built) == 1
    cookie = response.cookies["messages"].value
    seen = []

    def show(request):
        seen.extend(str(m) for m in messages.get_messages(request))
        return HttpResponse()

    after = through_the_middleware(show, {"messages": cookie})
    assert seen == ["Đã lưu."]
    assert after.cookies["messages"].value == ""  # read: the cookie is cleared, as Django does


def test_a_request_without_messages_leaves_the_response_alone(storages_built):
    response = through_the_middleware(lambda request: HttpResponse())
    assert storages_built == []
    assert not response.cookies
