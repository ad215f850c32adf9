"""The hottest API answers (autosave, "my rank") with less framework work per request: the Accept
header negotiated without parsing when it is what clients send, the token header read once, the
body rendered without DRF's template response. Bodies, headers and refusals are as before."""

import json

import pytest
from rest_framework import authentication as drf_authentication
from rest_framework.negotiation import DefaultContentNegotiation

from elearning.api import authentication

from .helpers import wrong_ids
from .test_my_rank_with_token import ranked  # noqa: F401
from .test_write_path import answer_url, bank_contest, redis_caches, redis_calls, token_client, two  # noqa: F401

pytestmark = pytest.mark.django_db


def save(client, attempt, index=0, **extra):
    body = {"choices": wrong_ids(attempt.draw[index]["q"])}
    return client.put(answer_url(attempt, index), body, format="json", **extra)


@pytest.fixture
def no_accept_parsing(monkeypatch):
    """DRF's parsing of the Accept header, made to fail: only the shortcut can answer."""

    def refuse(self, request):
        raise AssertionError("the Accept header was parsed")

    monkeypatch.setattr(DefaultContentNegotiation, "_get_parsed_accept_list", refuse)


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_what_clients_send_is_negotiated_without_parsing(two, no_accept_parsing, accept):  # noqa: F811
    client, attempt = two
    extra = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = save(client, attempt, **extra)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_other_accept_headers_are_negotiated_as_drf_does(two):  # noqa: F811
    client, attempt = two
    assert save(client, attempt, HTTP_ACCEPT="text/html").status_code == 406
    assert save(client, attempt, HTTP_ACCEPT="text/html, application/json;q=0.9").status_code == 200
    indented = save(client, attempt, HTTP_ACCEPT="application/json; indent=2")
    assert indented.status_code == 200
    assert indented.content.startswith(b'{\n  "question_id"')
    url = f"/api/v1/contests/{attempt.contest.slug}/"
    assert client.get(url + "?format=json").status_code == 200
    assert client.get(url + "?format=xml").status_code == 404  # no renderer for it: DRF's 404


def test_an_autosave_answers_the_same_body_and_headers(two):  # noqa: F811
    client, attempt = two
    response = save(client, attempt, 2)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "PUT, OPTIONS"
    body = response.json()
    assert list(body) == ["question_id", "choices", "saved_at"]
    assert (body["question_id"], body["choices"]) == (attempt.draw[2]["q"], wrong_ids(attempt.draw[2]["q"]))
    assert response.content == json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def test_my_rank_answers_the_same_body_and_headers(ranked):  # noqa: F811
    _people, clients, url = ranked
    response = clients[1].get(url + "?round=1")
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.content == b'{"rank":2,"total":3,"score":4,"duration_seconds":10.0}'
    assert response["Content-Language"] == "vi"


@pytest.fixture
def header_reads(monkeypatch):
    """Every read of the Authorization header, by this project's code or by DRF's."""
    reads = []
    for module, name in ((authentication, "authorization_header"), (drf_authentication, "get_authorization_header")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda request, f=original: reads.append(1) or f(request))
    return reads


def test_the_token_header_is_read_once_per_request(redis_caches, two, ranked, header_reads):  # noqa: F811
    client, attempt = two
    header_reads.clear()
    assert save(client, attempt).status_code == 200
    assert len(header_reads) == 1  # was 2: the throttles' one round trip, then DRF's authentication
    _people, clients, url = ranked
    header_reads.clear()
    assert clients[0].get(url + "?round=1").json()["rank"] == 1
    assert len(header_reads) == 1  # was 3: the view, its prefetch and DRF's authentication


def test_the_token_header_is_read_without_building_every_header(two, monkeypatch):  # noqa: F811
    """``request.headers`` (a dictionary of all of them) is not built for the token alone."""
    from django.http import HttpRequest

    def refuse(self):
        raise AssertionError("request.headers was built")

    client, attempt = two
    monkeypatch.setattr(HttpRequest, "headers", property(refuse))
    assert save(client, attempt).status_code == 200


@pytest.mark.parametrize(
    ("header", "code"),
    [("Token", "authentication_failed"), ("Token a b", "authentication_failed"), ("Token " + "0" * 40, None)],
)
def test_a_malformed_or_unknown_token_is_refused_as_before(two, header, code):  # noqa: F811
    client, attempt = two
    client.credentials(HTTP_AUTHORIZATION=header)
    response = save(client, attempt)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    if code:
        assert response.json()["code"] == code


def test_another_scheme_falls_through_to_the_session(two):  # noqa: F811
    client, attempt = two
    client.credentials(HTTP_AUTHORIZATION="Bearer abc")  # not a token: no user, so 401 as anonymous
    response = save(client, attempt)
    assert response.status_code == 401


@pytest.mark.parametrize("num_proxies", [None, 0, 1, 2])
@pytest.mark.parametrize("xff", [None, "", "203.0.113.7", "10.0.0.1, 203.0.113.7", " 10.0.0.1 ,203.0.113.7 "])
def test_the_client_address_of_the_limits_is_drfs(settings, num_proxies, xff):
    from django.test import RequestFactory
    from rest_framework.throttling import BaseThrottle

    from elearning.api.throttles import IPRateThrottle, RegisterIPThrottle

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    extra = {} if xff is None else {"HTTP_X_FORWARDED_FOR": xff}
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", **extra)
    assert issubclass(RegisterIPThrottle, IPRateThrottle)
    assert RegisterIPThrottle().get_ident(request) == BaseThrottle().get_ident(request)
