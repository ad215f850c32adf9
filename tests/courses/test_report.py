"""The outdated-citation report: content citing a legal document no longer in force."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from courses.admin_views import outdated_citations
from tests.factories.courses import LessonPageFactory, ProcedureFactory, legal_quote_block, make_course
from tests.factories.elearning import LegalDocumentFactory, user_with_role
from tests.factories.quizzes import QuestionFactory

pytestmark = pytest.mark.django_db

URL = "/admin/reports/outdated-citations/"


@pytest.fixture
def decrees():
    new = LegalDocumentFactory(
        number="118/2025/NĐ-CP",
        title="Về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông",
        effective_from=datetime.date(2025, 7, 1),
    )
    old = LegalDocumentFactory(
        number="61/2018/NĐ-CP",
        title="Về thực hiện cơ chế một cửa, một cửa liên thông",
        effective_from=datetime.date(2018, 6, 21),
        effective_to=datetime.date(2025, 6, 30),
        replaced_by=new,
    )
    expired = LegalDocumentFactory(number="43/2011/NĐ-CP", effective_to=datetime.date(2022, 8, 1))
    return {"new": new, "old": old, "expired": expired}


@pytest.fixture
def citing(decrees):
    course = make_course(lessons=0, title="Một cửa hiện đại")
    return {
        "procedure": ProcedureFactory(name="Đăng ký khai sinh", legal_basis=[decrees["old"], decrees["new"]]),
        "current_procedure": ProcedureFactory(name="Chứng thực bản sao", legal_basis=[decrees["new"]]),
        "lesson": LessonPageFactory(parent=course, title="Quy trình một cửa", legal_documents=[decrees["expired"]]),
        "quoting_lesson": LessonPageFactory(
            parent=course, title="Trích dẫn nghị định", body=[legal_quote_block(decrees["old"])]
        ),
        "question": QuestionFactory(text="Nghị định 61 quy định gì?", legal_document=decrees["old"]),
        "current_question": QuestionFactory(text="Nghị định 118 quy định gì?", legal_document=decrees["new"]),
    }


def rows_by_title():
    return {(row.title, row.document_number): row.replacement_number for row in outdated_citations()}


def test_the_report_lists_every_outdated_citation_with_its_replacement(citing):
    rows = rows_by_title()

    assert rows == {
        ("Quy trình một cửa", "43/2011/NĐ-CP"): "",
        ("Trích dẫn nghị định", "61/2018/NĐ-CP"): "118/2025/NĐ-CP",
        (str(citing["procedure"]), "61/2018/NĐ-CP"): "118/2025/NĐ-CP",
        (str(citing["question"]), "61/2018/NĐ-CP"): "118/2025/NĐ-CP",
    }


def test_a_document_not_yet_in_force_is_flagged_too(decrees):
    future = LegalDocumentFactory(number="1/2099/NĐ-CP", effective_from=datetime.date(2099, 1, 1))
    procedure = ProcedureFactory(legal_basis=[future])

    assert [(row.title, row.document_number) for row in outdated_citations()] == [(str(procedure), "1/2099/NĐ-CP")]


def test_reviewers_see_the_report_with_links_to_edit(client, citing):
    client.force_login(user_with_role("Reviewer"))

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in html
    assert "118/2025/NĐ-CP" in html
    assert "Chứng thực bản sao" not in html
    assert "Nghị định 118 quy định gì?" not in html
    assert f"/admin/snippets/courses/procedure/edit/{citing['procedure'].pk}/" in html
    # Pages link to their editor for those who may edit them.
    assert f"/admin/pages/{citing['lesson'].pk}/edit/" not in html
    client.force_login(get_user_model().objects.create_superuser("admin", password="x"))
    assert f"/admin/pages/{citing['lesson'].pk}/edit/" in client.get(URL).content.decode()


def test_the_report_exports_to_a_spreadsheet(client, citing):
    client.force_login(user_with_role("Reviewer"))

    response = client.get(URL, {"export": "csv"})

    content = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in content
    assert "118/2025/NĐ-CP" in content


def test_the_report_is_in_the_reports_menu_for_reviewers_only(client, citing):
    client.force_login(user_with_role("Reviewer"))
    assert URL in client.get("/admin/").content.decode()

    client.force_login(user_with_role("Organizer"))
    assert client.get(URL).status_code == 200

    trainer_without_sections = user_with_role("Trainer")
    client.force_login(trainer_without_sections)
    assert URL not in client.get("/admin/").content.decode()
    assert client.get(URL).status_code in (302, 403)
