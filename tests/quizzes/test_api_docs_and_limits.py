"""The published OpenAPI schema, its documentation page (no CDN), and write limits."""

import copy

import pytest
from django.conf import settings
from django.test import override_settings

from quizzes.models import Attempt

pytestmark = pytest.mark.django_db


def test_schema_lists_every_v1_route_and_nothing_else(api):
    response = api.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert {
        "/api/v1/contests/",
        "/api/v1/contests/{slug}/",
        "/api/v1/contests/{slug}/attempts/",
        "/api/v1/attempts/{attempt_id}/",
        "/api/v1/attempts/{attempt_id}/answers/{question_id}/",
        "/api/v1/attempts/{attempt_id}/submit/",
        "/api/v1/attempts/{attempt_id}/review/",
        "/api/v1/contests/{slug}/leaderboard/",
        "/api/v1/contests/{slug}/leaderboard/me/",
    } <= paths
    assert all(path.startswith("/api/v1/") for path in paths)


def test_docs_page_uses_no_cdn(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def limited(rates):
    framework = copy.deepcopy(settings.REST_FRAMEWORK)
    framework["DEFAULT_THROTTLE_RATES"].update(rates)
    return override_settings(REST_FRAMEWORK=framework)


def test_per_account_limit_on_contest_writes(client_for, contest, participant):
    client = client_for(participant)
    with limited({"attempt_user": "3/hour"}):
        attempt_id = client.post(f"/api/v1/contests/{contest.slug}/attempts/").json()["id"]
        item = Attempt.objects.get(pk=attempt_id).draw[0]
        url = f"/api/v1/attempts/{attempt_id}/answers/{item['q']}/"
        assert client.put(url, {"choices": item["c"][:1]}, format="json").status_code == 200
        assert client.put(url, {"choices": item["c"][:1]}, format="json").status_code == 200
        refused = client.put(url, {"choices": item["c"][1:2]}, format="json")
        assert refused.status_code == 429
        assert refused.json()["code"] == "throttled" and int(refused["Retry-After"]) > 0
        # someone else in the same office is not affected
        from tests.factories.elearning import ProfileFactory

        other = client_for(ProfileFactory().user)
        assert other.post(f"/api/v1/contests/{contest.slug}/attempts/").status_code == 201
    assert Attempt.objects.get(pk=attempt_id).answers.get().choice_ids == item["c"][:1]
