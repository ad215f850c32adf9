"""Vietnamese first, whatever the browser asks; the language switch keeps the page you are on,
and the English pages pass axe-core too."""

import pytest

from tests.factories.courses import make_course

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("baseline")]


def test_vietnamese_by_default_and_the_switch_keeps_the_page(live_server, browser_instance, audit, page):
    course = make_course(lessons=1, title="Cơ chế một cửa")
    lesson_url = live_server.url + course.get_children().first().url

    english_browser = browser_instance.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en-US,en"})
    try:
        first_visit = english_browser.new_page()
        first_visit.goto(lesson_url)
        assert first_visit.locator("html").get_attribute("lang") == "vi"
        assert first_visit.get_by_role("button", name="English").is_visible()
    finally:
        english_browser.close()

    page.goto(lesson_url + "?tab=1")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.url == lesson_url + "?tab=1"  # the same page, query string and all
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Courses").is_visible()
    audit("lesson-english")

    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_load_state()
    assert page.url == lesson_url + "?tab=1" and page.locator("html").get_attribute("lang") == "vi"
