"""The Content-Security-Policy as a browser enforces it: Chromium reports no violation on the
public pages, the API documentation (Swagger UI) still works, and an injected inline script
does not run. Skipped where /usr/bin/chromium is not installed (.ci/run installs it)."""

import pytest
from django.urls import reverse

from tests.browser import chromium

from .conftest import build_world

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-quic"]

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page():
    with chromium(ARGS) as browser:
        context = browser.new_context(locale="vi-VN")
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.violations = []
        page.on(
            "console",
            lambda message: page.violations.append(message.text) if "Content Security Policy" in message.text else None,
        )
        yield page


def test_public_pages_and_the_api_docs_break_no_rule_of_the_policy(live_server, browser_page, file_storage):
    world = build_world()
    page = browser_page
    for url in ("/", world.news.url, world.course.url, world.lesson.url, world.contest.url, "/accounts/login/"):
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(live_server.url + reverse("api-docs"))
    page.wait_for_selector(".opblock", timeout=15_000)  # Swagger UI drew the operations
    assert page.locator(".opblock").count() >= 10
    assert page.violations == []


def test_an_injected_inline_script_does_not_run(live_server, browser_page, file_storage):
    world = build_world()
    page = browser_page
    page.goto(live_server.url + world.lesson.url)
    # As if a stored payload reached the page: the policy must stop it.
    page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.pwned = true';
                   document.body.appendChild(s); }"""
    )
    assert page.evaluate("() => window.pwned === true") is False
    assert any("inline script" in text for text in page.violations)
