"""The course progress report: numbers against hand-computed data, filters, who may see it,
the .xlsx export (formula-safe) and the trainer's dashboard panel."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from courses.models import Enrolment, LessonPage, LessonProgress
from courses.reports import course_report
from elearning import roles
from tests.factories.courses import LessonPageFactory, lesson_body, make_course
from tests.factories.elearning import OfficialFactory, UnitFactory, UnitKindFactory, user_with_role

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def answers(block_ids, first_correct):
    """check_results for ``block_ids``, right at the first try for those in ``first_correct``."""
    return {
        block_id: {
            "choices": [1],
            "correct": True,
            "passed": True,
            "first_correct": block_id in first_correct,
            "attempts": 1 if block_id in first_correct else 2,
            "answered_at": "2018-06-10T08:00:00+07:00",
        }
        for block_id in block_ids
    }


@pytest.fixture
def data():
    """Course with 3 checks (lesson 1: one, lesson 2: two). By hand:

    unit            learner  completed  answered  right 1st  share
    Xã Yên Trạch    a        yes        3         3          1
    Xã Yên Trạch    b        no         2         1          1/2
    Xã Phủ Lý       c        yes        3         2          2/3
    Xã Phủ Lý       d        no         0         -          -
    (no unit)       e        no         1         1          1
    """
    course = make_course(lessons=1, checks=1, slug="mot-cua", title="Một cửa")
    LessonPageFactory(parent=course, body=lesson_body(checks=2))
    first, second = LessonPage.objects.child_of(course).order_by("path")
    (k1,) = first.knowledge_checks()
    k2, k3 = second.knowledge_checks()
    district = UnitFactory(name="Huyện Phú Lương", kind=UnitKindFactory(code="district", name="Huyện"))
    yen_trach = UnitFactory(name="Xã Yên Trạch", parent=district)
    phu_ly = UnitFactory(name="Xã Phủ Lý")
    plan = [
        ("a", yen_trach, True, {first: answers([k1], [k1]), second: answers([k2, k3], [k2, k3])}, 10),
        ("b", yen_trach, False, {first: answers([k1], [k1]), second: answers([k2], [])}, 10),
        ("c", phu_ly, True, {first: answers([k1], []), second: answers([k2, k3], [k2, k3])}, 10),
        ("d", phu_ly, False, {}, 1),
        ("e", None, False, {first: answers([k1], [k1])}, 10),
    ]
    users = {}
    for name, unit, completed, results, day in plan:
        user = OfficialFactory(unit=unit, full_name=f"Học viên {name}").user
        enrolled_at = datetime(2018, 6, day, 9, 0, tzinfo=VN)
        enrolment = Enrolment.objects.create(
            user=user, course=course, enrolled_at=enrolled_at, completed_at=enrolled_at if completed else None
        )
        for lesson, check_results in results.items():
            LessonProgress.objects.create(user=user, lesson=lesson, enrolment=enrolment, check_results=check_results)
        users[name] = user
    return course, district, users


def by_name(report):
    return {row.name: row for row in report.rows}


def test_numbers_by_unit_match_the_hand_computation(data):
    course, _district, _users = data
    report = course_report(course)
    rows = by_name(report)
    assert report.check_count == 3
    assert (rows["Xã Yên Trạch"].enrolled, rows["Xã Yên Trạch"].completed) == (2, 1)
    assert rows["Xã Yên Trạch"].completion_rate == Decimal("50.0")
    assert rows["Xã Yên Trạch"].average_score == Decimal("75.0")  # (1 + 1/2) / 2
    assert rows["Xã Phủ Lý"].average_score == Decimal("66.7")  # only c answered: 2/3
    assert rows["Xã Phủ Lý"].completion_rate == Decimal("50.0")
    no_unit = report.rows[-1]
    assert (no_unit.enrolled, no_unit.completed, no_unit.average_score) == (1, 0, Decimal("100.0"))
    assert (report.total.enrolled, report.total.completed) == (5, 2)
    assert report.total.completion_rate == Decimal("40.0")
    assert report.total.average_score == Decimal("79.2")  # (1 + 1/2 + 2/3 + 1) / 4


def test_unit_filter_includes_the_units_below(data):
    course, district, _users = data
    report = course_report(course, unit=district)
    assert [row.name for row in report.rows] == ["Xã Yên Trạch"]
    assert report.total.enrolled == 2


def test_date_range_is_by_enrolment_day(data):
    course, _district, _users = data
    assert course_report(course, date_to=date(2018, 6, 5)).total.enrolled == 1  # d, on 1 June
    assert course_report(course, date_from=date(2018, 6, 10), date_to=date(2018, 6, 10)).total.enrolled == 4
    assert course_report(course, date_from=date(2018, 6, 11)).total.enrolled == 0


def report_url(course, **params):
    url = reverse("courses_progress_report_course", kwargs={"course_id": course.pk})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else "")


def test_organizer_and_the_course_trainer_see_the_report_others_403(client, data):
    course, _district, _users = data
    other_course = make_course(lessons=1, slug="iso", title="ISO")
    organizer = user_with_role(roles.ORGANIZER)
    client.force_login(organizer)
    response = client.get(report_url(course))
    html = response.content.decode()
    assert response.status_code == 200 and "<svg" in html and "Xã Yên Trạch" in html and "79,2%" in html

    trainer = user_with_role(roles.TRAINER)
    call_command("grant_course_section", "mot-cua", "--group", "Giảng viên một cửa", "--user", trainer.username)
    client.force_login(trainer)
    assert client.get(report_url(course)).status_code == 200
    assert client.get(report_url(other_course)).status_code == 403
    index = client.get(reverse("courses_progress_report")).content.decode()
    assert "Một cửa" in index and "ISO" not in index

    reviewer = user_with_role(roles.REVIEWER)
    client.force_login(reviewer)
    assert client.get(report_url(course)).status_code == 403
    assert client.get(reverse("courses_progress_report")).status_code == 403


def test_learners_never_reach_the_report(client, data):
    course, _district, users = data
    client.force_login(users["a"])
    response = client.get(report_url(course))
    assert response.status_code in (302, 403) and "Xã Yên Trạch" not in response.content.decode()


def test_bad_filter_is_a_clear_error(client, data):
    course, _district, _users = data
    client.force_login(user_with_role(roles.ORGANIZER))
    response = client.get(report_url(course, date_from="2018-06-10", date_to="2018-06-01"))
    assert response.status_code == 400
    assert client.get(report_url(course, date_from="khong-phai-ngay")).status_code == 400


def test_xlsx_export_has_the_numbers_and_is_formula_safe(client, data):
    course, _district, users = data
    profile = users["e"].profile
    profile.unit = UnitFactory(name='=HYPERLINK("http://evil.example","bấm")')
    profile.save()
    client.force_login(user_with_role(roles.ORGANIZER))
    response = client.get(report_url(course, export="xlsx"))
    assert response.status_code == 200 and response["Cache-Control"].startswith("private, no-store")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(rows[0]) == 5
    values = {row[0]: row[1:] for row in rows[1:]}
    assert values["Xã Yên Trạch"] == [2, 1, 50, 75]
    assert values['\'=HYPERLINK("http://evil.example","bấm")'] == [1, 0, 0, 100]
    assert rows[-1][1:] == [5, 2, 40, pytest.approx(79.2)]


def test_dashboard_panel_lists_the_trainers_courses(client, data):
    course, _district, _users = data
    trainer = user_with_role(roles.TRAINER)
    call_command("grant_course_section", "mot-cua", "--group", "Giảng viên một cửa", "--user", trainer.username)
    client.force_login(trainer)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert report_url(course) in html and "40,0%" in html  # Vietnamese decimal comma
    client.force_login(user_with_role(roles.TRAINER))  # no section: no panel
    assert report_url(course) not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_report_query_count_does_not_grow_with_learners(client, data, django_assert_max_num_queries):
    course, _district, _users = data
    client.force_login(user_with_role(roles.ORGANIZER))
    client.get(report_url(course))
    with django_assert_max_num_queries(25):
        assert client.get(report_url(course)).status_code == 200
