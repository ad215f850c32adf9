"""Every public page, as a phone and a desktop show it: a screenshot of each (artifacts/e2e/),
no serious or critical axe-core violation, nothing wider than a 320 px screen, and a first load
(HTML, CSS, JS, fonts; images aside) under 200 KB."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone
from django.views.defaults import server_error

from courses.models import Certificate
from elearning.models import Profile
from quizzes.services.attempts import start_attempt
from tests.e2e.conftest import ARTIFACTS, PAGE_BUDGET_BYTES, Traffic, serve_media
from tests.factories.courses import (
    EnrolmentFactory,
    ProcedureFactory,
    lesson_body,
    make_course,
    procedure_block,
)
from tests.factories.elearning import OfficialFactory, ProfileFactory, UnitFactory
from tests.factories.news import CustomImageFactory, NewsIndexPageFactory, NewsPageFactory
from tests.factories.results import closed_contest, graded_attempt, questions_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("baseline")]
PASSWORD = "Mat-khau-2018"


def build_site():
    """A small site with one of everything a visitor can open; returns {name: path} and the learner."""
    unit = UnitFactory(name="Xã Yên Trạch")
    image = CustomImageFactory()
    news_index = NewsIndexPageFactory()
    article = NewsPageFactory(parent=news_index, image=image, tags=["Một cửa"])
    NewsPageFactory(parent=news_index)
    procedure = ProcedureFactory()
    course = make_course(lessons=2, checks=1, title="Kỹ năng tiếp nhận hồ sơ tại bộ phận một cửa")
    lesson = course.get_children().specific().first()
    lesson.body = lesson_body(checks=1) + [procedure_block(procedure, note="Áp dụng tại xã.")]
    lesson.save_revision().publish()

    learner = OfficialFactory(full_name="Nguyễn Thị Hoa", unit=unit)
    learner.user.set_password(PASSWORD)
    learner.user.save()
    enrolment = EnrolmentFactory(user=learner.user, course=course)
    enrolment.completed_at = timezone.now()
    enrolment.save()
    certificate = Certificate.objects.create(
        enrolment=enrolment,
        issued_at=timezone.now(),
        hours=Decimal("1.5"),
        learner_name=learner.full_name,
        unit_name=unit.name,
        course_title=course.title,
    )

    contest = closed_contest(questions=4)
    q1, q2, q3, q4 = questions_of(contest)
    open_round = contest.rounds.get(number=2)
    with transaction.atomic():  # grading locks standings rows, as it does inside a request
        for index in range(3):
            citizen = ProfileFactory(kind=Profile.Kind.CITIZEN, unit=unit)
            graded_attempt(citizen, open_round, right=[q1, q2][: index + 1], wrong=[q3], seconds=60 + index)
        attempt = graded_attempt(
            learner, open_round, right=[q1, q2, q3], wrong=[q4], started_at=timezone.now() - timedelta(minutes=5)
        )
        closed = graded_attempt(learner, contest.rounds.get(number=1), right=[q1, q2], wrong=[q3, q4])
    running, _created = start_attempt(learner.user, contest)

    public = {
        "home": "/",
        "news": news_index.url,
        "article": article.url,
        "catalogue": course.get_parent().url,
        "course": course.url,
        "lesson": lesson.url,
        "procedures": "/thu-tuc/",
        "procedure": f"/thu-tuc/{procedure.code}/",
        "contest": contest.url,
        "leaderboard": contest.url + "leaderboard/",
        "winners": contest.url + "winners/",
        "certificate": f"/certificates/{certificate.code}/",
        "login": "/accounts/login/",
        "register": "/accounts/register/",
        "not-found": "/khong-co-trang-nay/",
    }
    private = {
        "my-learning": "/learn/",
        "course-done": course.url,
        "result": f"/contest/attempts/{attempt.pk}/result/",
        "review": f"/contest/attempts/{closed.pk}/review/",  # round 1 is closed: answers may be reviewed
        "runner": f"/contest/attempts/{running.pk}/",
    }
    return public, private, learner


def log_in(page, base, phone):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", phone)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def assert_fits_320(page, name):
    """At 320 px nothing makes the page scroll sideways (wide tables scroll inside their box)."""
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.screenshot(path=str(ARTIFACTS / f"test_public_pages-320-{name}.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    assert overflow <= 0, f"{name} is {overflow}px wider than a 320px screen"


def test_every_page_is_accessible_and_fits(live_server, page, audit, viewport_name):
    public, private, learner = build_site()
    for name, path in public.items():
        response = page.goto(live_server.url + path)
        assert response.status == (404 if name == "not-found" else 200), f"{name}: {response.status}"
        audit(name)
        if viewport_name == "phone":
            assert_fits_320(page, name)

    # The 500 page as Django's handler renders it (no request context), served at a made-up path.
    html = server_error(RequestFactory().get("/")).content
    page.route("**/loi-may-chu/", lambda route: route.fulfill(status=500, body=html, content_type="text/html"))
    assert page.goto(live_server.url + "/loi-may-chu/").status == 500
    assert page.locator("html").get_attribute("lang") == "vi" and "Đã có lỗi xảy ra" in page.locator("h1").inner_text()
    audit("server-error")
    page.unroute("**/loi-may-chu/")

    # Printed, the certificate check and a procedure keep their content and drop the navigation.
    for name in ("certificate", "procedure"):
        page.goto(live_server.url + public[name])
        page.emulate_media(media="print")
        page.screenshot(path=str(ARTIFACTS / f"test_public_pages-{viewport_name}-print-{name}.png"), full_page=True)
        assert not page.locator(".site-nav").is_visible() and page.locator("main h1").is_visible()
        page.emulate_media(media="screen")

    log_in(page, live_server.url, learner.phone)
    for name, path in private.items():
        assert page.goto(live_server.url + path).status == 200, name
        audit(name)
        if viewport_name == "phone":
            assert_fits_320(page, name)


def test_first_loads_stay_under_200_kb(live_server, browser_instance):
    """Each page opened with an empty cache, as on a phone: HTML + CSS + JS + fonts under 200 KB."""
    public, _private, _learner = build_site()
    weights = {}
    for name, path in public.items():
        context = browser_instance.new_context(
            locale="vi-VN", viewport={"width": 360, "height": 740}, is_mobile=True, service_workers="block"
        )
        serve_media(context)
        page = context.new_page()
        traffic = Traffic(page)
        page.goto(live_server.url + path, wait_until="networkidle")
        weights[name] = {
            "bytes": traffic.weight(),
            "requests": [(url, kind, size) for url, kind, size in traffic.entries()],
        }
        context.close()
    (ARTIFACTS).mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "page-weights.json").write_text(json.dumps(weights, indent=1))
    heavy = {name: row["bytes"] for name, row in weights.items() if row["bytes"] > PAGE_BUDGET_BYTES}
    assert not heavy, f"first loads over {PAGE_BUDGET_BYTES} bytes: {heavy}"
    assert all(row["bytes"] > 0 for row in weights.values())
