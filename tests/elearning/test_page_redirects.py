"""Editors' redirects (Wagtail's) apply to the site's pages, not to the JSON API's 404s."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Site

pytestmark = pytest.mark.django_db


def test_an_old_page_address_still_redirects(client):
    Redirect.objects.create(old_path="/tin-cu", redirect_link="/khoa-hoc/", site=Site.objects.get(is_default_site=True))
    response = client.get("/tin-cu/")
    assert response.status_code == 301 and response["Location"] == "/khoa-hoc/"


def test_an_api_404_is_answered_without_looking_for_a_redirect(client):
    Redirect.objects.create(old_path="/api/v1/contests/cu", redirect_link="/khoa-hoc/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/contests/cu/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not [q for q in queries.captured_queries if "wagtailredirects" in q["sql"]]
