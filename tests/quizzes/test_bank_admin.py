"""Contest admin: bank and question listings, the question form, the spreadsheet import flow and export."""

import io
import re

import pytest
from django.core import signing
from django.urls import reverse
from openpyxl import load_workbook

from elearning import roles
from quizzes.admin_views import ROWS_SALT
from quizzes.models import Question, QuestionKind
from tests.factories.elearning import user_with_role
from tests.factories.quizzes import QuestionBankFactory, QuestionFactory
from tests.factories.spreadsheets import xlsx_upload

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/contest/banks/import/"
CONFIRM_URL = IMPORT_URL + "confirm/"
HEADER = ["Chủ đề", "Câu hỏi", "Loại", "A", "B", "C", "Đáp án đúng", "Giải thích", "Thẻ"]
GOOD_ROWS = [
    [
        "Một cửa",
        "Nghị định 61/2018/NĐ-CP quy định về vấn đề gì?",
        "một đáp án",
        "Một cửa",
        "Hộ tịch",
        "",
        "A",
        "",
        "nd-61-2018",
    ],
    ["ISO", "ISO 9001:2015 áp dụng chu trình PDCA.", "đúng/sai", "Đúng", "Sai", "", "A", "PDCA", ""],
]


@pytest.fixture
def organizer(client):
    user = user_with_role(roles.ORGANIZER)
    client.force_login(user)
    return user


@pytest.fixture
def in_english(organizer):
    """The organizer reads the admin in English (the default is Vietnamese)."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(organizer)
    profile.preferred_language = "en"
    profile.save()
    return organizer


@pytest.fixture
def bank():
    return QuestionBankFactory(title="Ngân hàng CCHC 2018", slug="cchc-2018")


def payload_of(response):
    return re.search(r'name="payload" value="([^"]+)"', response.content.decode()).group(1)


def upload(client, bank, *rows, header=HEADER):
    return client.post(IMPORT_URL, {"bank": bank.pk, "file": xlsx_upload(header, *rows)})


def test_urls_are_named():
    assert reverse("quizzes_bank:import") == IMPORT_URL
    assert reverse("quizzes_bank:import_confirm") == CONFIRM_URL
    assert reverse("quizzes_bank:export", args=[7]) == "/admin/contest/banks/7/export/"
    assert reverse("quizzes_question:index") == "/admin/contest/questions/"


def test_upload_preview_confirm_imports_and_reports(client, in_english, bank):
    page = client.get(f"{IMPORT_URL}?bank={bank.pk}")
    assert page.status_code == 200
    assert "Đáp án đúng" in page.content.decode()
    assert 'data-w-progress-active-value="' in page.content.decode()

    preview = upload(client, bank, *GOOD_ROWS)
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "Nghị định 61/2018/NĐ-CP quy định về vấn đề gì?" in text
    assert "Import these questions" in text
    # Importing… replaces the button label while the import runs; the button is disabled.
    assert 'data-w-progress-active-value="Importing…"' in text
    assert not bank.questions.exists()

    result = client.post(CONFIRM_URL, {"payload": payload_of(preview)})
    assert result.status_code == 200
    assert "Imported 2 questions into the bank “Ngân hàng CCHC 2018”." in result.content.decode()
    assert list(bank.questions.order_by("pk").values_list("kind", flat=True)) == [
        QuestionKind.SINGLE,
        QuestionKind.TRUE_FALSE,
    ]


def test_preview_in_vietnamese_names_each_bad_row_and_offers_no_confirm(client, organizer, bank):
    rows = [GOOD_ROWS[0], ["ISO", "", "đúng/sai", "Đúng", "Sai", "Không rõ", "A,B", "", ""]]
    preview = upload(client, bank, *rows)
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "payload" not in text
    assert 'class="error"' in text
    assert "<td>3</td>" in text
    assert not bank.questions.exists()
    # The admin speaks Vietnamese by default, row errors included.
    assert "Chưa nhập gì: có 1 dòng sai." in text
    assert "Thiếu nội dung câu hỏi." in text
    assert "Câu hỏi đúng/sai phải có đúng hai phương án (ví dụ A: Đúng, B: Sai); dòng này có 3 phương án." in text


def test_confirm_checks_again_and_refuses_what_became_a_duplicate(client, organizer, bank):
    preview = upload(client, bank, *GOOD_ROWS)
    QuestionFactory(bank=bank, text=GOOD_ROWS[1][1])
    response = client.post(CONFIRM_URL, {"payload": payload_of(preview)})
    assert response.status_code == 409
    assert bank.questions.count() == 1


def test_forged_or_foreign_payloads_are_refused(client, organizer, bank):
    assert client.post(CONFIRM_URL, {"payload": "nope"}).status_code == 400
    other = signing.dumps({"user": organizer.pk + 1000, "bank": bank.pk, "rows": []}, salt=ROWS_SALT)
    assert client.post(CONFIRM_URL, {"payload": other}).status_code == 400
    assert not bank.questions.exists()


def test_a_file_that_is_not_a_workbook_is_refused(client, organizer, bank):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(IMPORT_URL, {"bank": bank.pk, "file": SimpleUploadedFile("a.xlsx", b"hello")})
    assert response.status_code == 400


@pytest.mark.parametrize("url", [IMPORT_URL, "/admin/contest/banks/", "/admin/contest/questions/"])
def test_a_learner_cannot_reach_the_contest_admin(client, url):
    client.force_login(user_with_role(roles.LEARNER))
    response = client.get(url)
    assert response.status_code in (302, 403)


def test_a_learner_cannot_post_an_import(client, bank):
    client.force_login(user_with_role(roles.LEARNER))
    response = upload(client, bank, *GOOD_ROWS)
    assert response.status_code in (302, 403)
    assert not bank.questions.exists()


def test_anonymous_is_sent_to_login(client, bank):
    response = client.get(reverse("quizzes_bank:export", args=[bank.pk]))
    assert response.status_code == 302


def test_export_button_downloads_the_bank(client, organizer, bank):
    QuestionFactory(bank=bank, text="=1+1")
    response = client.get(reverse("quizzes_bank:export", args=[bank.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert list(sheet.iter_rows(values_only=True))[1][1] == "'=1+1"


def test_bank_listing_shows_counts_and_import_export_buttons(client, organizer, bank):
    QuestionFactory.create_batch(2, bank=bank)
    QuestionFactory(bank=bank, active=False)
    response = client.get("/admin/contest/banks/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Ngân hàng CCHC 2018" in text
    assert f'href="{IMPORT_URL}?bank={bank.pk}"' in text
    assert reverse("quizzes_bank:export", args=[bank.pk]) in text


def test_question_listing_filters_and_search(client, organizer, bank, django_assert_max_num_queries):
    other = QuestionBankFactory(title="Ngân hàng khác")
    QuestionFactory(bank=bank, text="Câu về một cửa liên thông?", topic="Một cửa", tags=["nd-61-2018"])
    QuestionFactory(bank=bank, text="Câu về ISO 9001:2015?", topic="ISO", kind=QuestionKind.TRUE_FALSE)
    QuestionFactory(bank=bank, text="Câu đã ngừng dùng?", active=False)
    QuestionFactory.create_batch(20, bank=other, tags=["khac"])

    with django_assert_max_num_queries(16):
        response = client.get("/admin/contest/questions/")
    assert response.status_code == 200

    def listed(query):
        text = client.get(f"/admin/contest/questions/?{query}").content.decode()
        return {t for t in ["Câu về một cửa", "Câu về ISO", "Câu đã ngừng dùng"] if t in text}

    assert listed(f"bank={bank.pk}") == {"Câu về một cửa", "Câu về ISO", "Câu đã ngừng dùng"}
    assert listed("topic=ISO") == {"Câu về ISO"}
    assert listed("kind=true_false") == {"Câu về ISO"}
    assert listed("active=false") == {"Câu đã ngừng dùng"}
    tag = Question.objects.get(text="Câu về một cửa liên thông?").tags.get()
    assert listed(f"tag={tag.pk}") == {"Câu về một cửa"}
    assert listed("q=ISO") == {"Câu về ISO"}


def _question_form(bank, kind, choices, **extra):
    data = {
        "bank": bank.pk,
        "topic": "Một cửa",
        "text": "Câu hỏi từ biểu mẫu?",
        "kind": kind,
        "explanation": "",
        "tags": "nd-61-2018",
        "active": "on",
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "2",
        "choices-MAX_NUM_FORMS": "6",
    }
    for index, (text, correct) in enumerate(choices):
        data[f"choices-{index}-text"] = text
        data[f"choices-{index}-ORDER"] = str(index + 1)
        data[f"choices-{index}-id"] = ""
        if correct:
            data[f"choices-{index}-correct"] = "on"
    data.update(extra)
    return data


def test_question_form_creates_a_question_with_inline_choices(client, organizer, bank):
    data = _question_form(bank, "multiple", [("Một", True), ("Hai", False), ("Ba", True)])
    response = client.post("/admin/contest/questions/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get(text="Câu hỏi từ biểu mẫu?")
    assert [(c.text, c.correct) for c in question.choices.all()] == [("Một", True), ("Hai", False), ("Ba", True)]
    assert list(question.tags.names()) == ["nd-61-2018"]


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        ("true_false", [("Đúng", True), ("Sai", False), ("Không biết", False)], "exactly two choices"),
        ("true_false", [("Đúng", True), ("Sai", True)], "exactly one correct choice"),
        ("single", [("Một", True), ("Hai", True)], "exactly one correct choice"),
        ("multiple", [("Một", False), ("Hai", False)], "Mark at least one choice as correct."),
    ],
)
def test_question_form_refuses_inconsistent_choices(client, in_english, bank, kind, choices, message):
    response = client.post("/admin/contest/questions/new/", _question_form(bank, kind, choices))
    assert response.status_code == 200
    assert not Question.objects.filter(text="Câu hỏi từ biểu mẫu?").exists()
    assert message in response.content.decode()


def test_an_answered_question_is_not_deleted_but_the_organizer_is_told_why(client, in_english, bank):
    from quizzes.models import Answer, Attempt
    from tests.factories.quizzes import make_contest

    contest = make_contest(questions=2, bank=bank, questions_per_attempt=1)
    question = bank.questions.first()
    attempt = Attempt.objects.create(
        user=in_english,
        contest=contest,
        round=contest.rounds.get(),
        number=1,
        group="official",
        started_at=contest.rounds.get().opens_at,
        deadline=contest.rounds.get().closes_at,
        max_score=1,
        draw=[],
    )
    Answer.objects.create(attempt=attempt, question=question, choice_ids=[], saved_at=attempt.started_at)

    response = client.post(reverse("quizzes_question:delete", args=[question.pk]), follow=True)
    assert response.status_code == 200
    assert "Participants have answered this question, so it cannot be deleted." in response.content.decode()
    assert Question.objects.filter(pk=question.pk).exists()

    unanswered = bank.questions.exclude(pk=question.pk).get()
    assert client.post(reverse("quizzes_question:delete", args=[unanswered.pk])).status_code == 302
    assert not Question.objects.filter(pk=unanswered.pk).exists()

    response = client.post(reverse("quizzes_bank:delete", args=[bank.pk]), follow=True)
    assert response.status_code in (200, 403)
    assert bank.questions.filter(pk=question.pk).exists()
