"""Feedback into training: each unit's most missed questions of a closed round, linked
to the lessons, procedures and courses that teach them."""

import io

import pytest
from openpyxl import load_workbook

from elearning.roles import ORGANIZER
from quizzes.services import feedback
from quizzes.services.results import RoundNotClosed
from tests.factories.courses import CoursePageFactory, LessonPageFactory, ProcedureFactory
from tests.factories.elearning import LegalDocumentFactory, ProfileFactory, UnitFactory, user_with_role
from tests.factories.results import closed_contest, graded_attempt, questions_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    """Q1 tagged "một cửa", Q2 citing Decree 61, Q3 with nothing to link.

    Unit A: P1 misses Q1 and Q2, P2 misses Q1 and Q3 → Q1 2/2, Q2 1/2, Q3 1/2 wrong.
    Unit B: P3 gets everything right.
    """
    contest = closed_contest(questions=3)
    q1, q2, q3 = questions_of(contest)
    decree = LegalDocumentFactory(number="61/2018/NĐ-CP")
    q1.tags.add("một cửa")
    q1.save()
    q2.legal_document = decree
    q2.save()
    course = CoursePageFactory(title="Khóa học một cửa", tags=["một cửa"])
    lesson = LessonPageFactory(parent=course, title="Bài 1: Bộ phận một cửa", tags=["một cửa"])
    citing = LessonPageFactory(parent=course, title="Bài 2: Nghị định 61", legal_documents=[decree])
    draft = LessonPageFactory(parent=course, title="Bài nháp", tags=["một cửa"], live=False)
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh", legal_basis=[decree])
    unit_a, unit_b = UnitFactory(code="xa-a", name="Xã A"), UnitFactory(code="xa-b", name="Xã B")
    round1 = contest.rounds.get(number=1)
    graded_attempt(ProfileFactory(unit=unit_a), round1, right=[q3], wrong=[q1, q2])
    graded_attempt(ProfileFactory(unit=unit_a), round1, right=[q2], wrong=[q1, q3])
    graded_attempt(ProfileFactory(unit=unit_b), round1, right=[q1, q2, q3])
    return {
        "contest": contest,
        "round": round1,
        "questions": (q1, q2, q3),
        "lesson": lesson,
        "citing": citing,
        "draft": draft,
        "course": course,
        "procedure": procedure,
    }


def test_most_missed_questions_per_unit_with_links(setup):
    q1, q2, q3 = setup["questions"]
    units = {unit.code: unit for unit in feedback.unit_feedback(setup["round"])}
    assert list(units) == ["xa-a", "xa-b"]
    unit_a = units["xa-a"]
    assert unit_a.participants == 2
    assert [(q.question_id, q.wrong, q.seen) for q in unit_a.questions] == [
        (q1.pk, 2, 2),
        (q2.pk, 1, 2),
        (q3.pk, 1, 2),
    ]
    assert [q.share_wrong for q in unit_a.questions] == [1.0, 0.5, 0.5]
    links = {q.question_id: [(link.kind, link.title) for link in q.links] for q in unit_a.questions}
    # Q1: the live lesson sharing its tag first, then the course; the draft lesson never
    assert links[q1.pk] == [("lesson", "Bài 1: Bộ phận một cửa"), ("course", "Khóa học một cửa")]
    # Q2: the lesson citing its decree, then the procedure based on it
    assert links[q2.pk] == [("lesson", "Bài 2: Nghị định 61"), ("procedure", "1.001193 — Đăng ký khai sinh")]
    # Q3: nothing teaches it yet
    assert links[q3.pk] == []
    assert units["xa-b"].questions == []


def test_links_point_at_the_pages(setup):
    q1, q2, _q3 = setup["questions"]
    links = feedback.teaching_links([q1.pk, q2.pk])
    assert links[q1.pk][0].url == setup["lesson"].url
    assert links[q2.pk][1].url == "/thu-tuc/1.001193/"


def test_feedback_waits_for_the_round_to_close(setup):
    with pytest.raises(RoundNotClosed):
        feedback.unit_feedback(setup["contest"].rounds.get(number=2))


def test_feedback_on_the_dashboard_and_in_the_export(client, setup):
    client.force_login(user_with_role(ORGANIZER, unit=None))
    contest = setup["contest"]
    html = client.get(f"/admin/contest/results/{contest.pk}/?round=1").content.decode()
    assert "Bài 1: Bộ phận một cửa" in html and f'href="{setup["lesson"].url}"' in html
    assert 'href="/thu-tuc/1.001193/"' in html
    response = client.get(f"/admin/contest/results/{contest.pk}/export/feedback.xlsx?round=1")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    q1 = setup["questions"][0]
    first = rows[1]
    assert first[:3] == ("xa-a", "Xã A", 2) and first[3] == q1.text
    assert first[5:8] == (2, 2, 100)
    assert first[9] == "http://testserver" + setup["lesson"].url + "\nhttp://testserver" + setup["course"].url
    # the open round has no feedback yet: a clear message, no file
    refused = client.get(f"/admin/contest/results/{contest.pk}/export/feedback.xlsx?round=2")
    assert refused.status_code == 302
