"""Question bank spreadsheets: all-or-nothing import, every row error, commands, export round trip."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from quizzes.imports.questions import HEADERS, export_rows, export_workbook, import_questions
from quizzes.models import Choice, Question, QuestionBank, QuestionKind
from tests.factories.quizzes import QuestionBankFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (msgids); the site's default language is Vietnamese."""
    with translation.override("en"):
        yield


HEADER = ["topic", "question", "kind", "A", "B", "C", "D", "correct", "explanation", "tags"]


def xlsx(*rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def good_row(text="Cơ chế một cửa là gì?", kind="single", correct="B", **overrides):
    values = {
        "topic": "Một cửa",
        "question": text,
        "kind": kind,
        "A": "Phương án A",
        "B": "Phương án B",
        "C": "Phương án C",
        "D": "",
        "correct": correct,
        "explanation": "Theo Nghị định 61/2018/NĐ-CP.",
        "tags": "nd-61-2018, mot-cua",
    }
    values.update(overrides)
    return [values[name] for name in HEADER]


def snapshot(bank):
    return sorted(
        (
            q.topic,
            q.text,
            q.kind,
            tuple((c.text, c.correct) for c in q.choices.all()),
            q.explanation,
            tuple(sorted(q.tags.names())),
        )
        for q in bank.questions.active()
    )


def test_imports_every_kind_with_choices_tags_and_explanation():
    bank = QuestionBankFactory()
    report = import_questions(
        xlsx(
            good_row("Câu hỏi một đáp án?"),
            good_row("Câu hỏi nhiều đáp án?", kind="multiple", correct="A, C"),
            good_row("Câu hỏi đúng sai?", kind="true_false", A="Đúng", B="Sai", C="", correct="a"),
            good_row("Loại để trống thì là một đáp án?", kind="", correct="C"),
        ),
        bank,
    )
    assert report.ok, [row.errors for row in report.rows]
    assert report.created == 4
    single, multiple, true_false, default = bank.questions.order_by("pk")
    assert (single.kind, multiple.kind, true_false.kind, default.kind) == ("single", "multiple", "true_false", "single")
    assert [(c.text, c.correct) for c in multiple.choices.all()] == [
        ("Phương án A", True),
        ("Phương án B", False),
        ("Phương án C", True),
    ]
    assert [(c.text, c.correct) for c in true_false.choices.all()] == [("Đúng", True), ("Sai", False)]
    assert sorted(single.tags.names()) == ["mot-cua", "nd-61-2018"]
    assert single.explanation == "Theo Nghị định 61/2018/NĐ-CP."
    assert single.topic == "Một cửa"


def test_one_bad_row_writes_nothing_and_the_report_names_it():
    bank = QuestionBankFactory()
    report = import_questions(xlsx(good_row("Câu 1?"), good_row("Câu 2?", correct="D"), good_row("Câu 3?")), bank)
    assert not report.ok
    assert [row.row_number for row in report.bad_rows] == [3]
    assert report.bad_rows[0].errors == ["The correct answer D points at an empty choice."]
    assert "Row 3: The correct answer D points at an empty choice." in report.lines()
    assert not Question.objects.filter(bank=bank).exists()
    assert not Choice.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"question": ""}, "The question is missing."),
        ({"B": "", "C": ""}, "A question needs at least two choices (columns A to F)."),
        ({"correct": "D"}, "The correct answer D points at an empty choice."),
        ({"correct": ""}, "Say which choice is correct in the “correct” column, e.g. B or A,C."),
        ({"correct": "B và C"}, "“B và C” in the “correct” column is not a letter from A to F, such as B or A,C."),
        (
            {"correct": "A,B"},
            "A single-choice or true/false question has exactly one correct answer; this row gives A,B.",
        ),
        (
            {"kind": "true_false", "correct": "A"},
            "A true/false question has exactly two choices (e.g. A: Đúng, B: Sai); this row has 3.",
        ),
        (
            {"kind": "tự luận"},
            "Unknown kind “tự luận”: use single, multiple or true_false (một đáp án, nhiều đáp án, đúng/sai).",
        ),
        ({"topic": "x" * 101}, "The topic is longer than 100 characters."),
        ({"A": "y" * 501}, "Choice A is longer than 500 characters."),
    ],
)
def test_each_bad_row_is_refused_with_its_reason(overrides, message):
    bank = QuestionBankFactory()
    report = import_questions(xlsx(good_row(**overrides)), bank)
    assert not report.ok
    assert message in report.rows[0].errors
    assert not bank.questions.exists()


def test_duplicates_in_the_file_and_in_the_bank_are_refused():
    bank = QuestionBankFactory()
    QuestionFactory(bank=bank, text="Câu hỏi đã có trong ngân hàng?")
    report = import_questions(
        xlsx(
            good_row("Câu hỏi mới?"),
            good_row("  câu hỏi   MỚI? "),
            good_row("Câu hỏi đã có trong ngân hàng?"),
        ),
        bank,
    )
    assert [(row.row_number, row.errors) for row in report.bad_rows] == [
        (3, ["The same question is already on row 2."]),
        (4, ["This question is already in the bank."]),
    ]
    assert bank.questions.count() == 1


def test_a_question_in_another_bank_is_not_a_duplicate():
    QuestionFactory(text="Câu hỏi chung?")
    bank = QuestionBankFactory()
    assert import_questions(xlsx(good_row("Câu hỏi chung?")), bank).ok


def test_vietnamese_headers_and_kind_names():
    header = ["Chủ đề", "Câu hỏi", "Loại", "A", "B", "C", "D", "Đáp án đúng", "Giải thích", "Thẻ"]
    bank = QuestionBankFactory()
    report = import_questions(
        xlsx(
            ["Một cửa", "Câu một đáp án?", "Một đáp án", "x", "y", "", "", "B", "", "nd-61-2018"],
            ["Một cửa", "Câu nhiều đáp án?", "nhiều đáp án", "x", "y", "z", "", "A,B", "", ""],
            ["ISO", "Câu đúng sai?", "Đúng/Sai", "Đúng", "Sai", "", "", "B", "Giải thích", ""],
            header=header,
        ),
        bank,
    )
    assert report.ok, [row.errors for row in report.rows]
    assert list(bank.questions.order_by("pk").values_list("kind", flat=True)) == [
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.TRUE_FALSE,
    ]


def test_export_round_trips_into_a_new_bank():
    bank = QuestionBankFactory()
    QuestionFactory(bank=bank, topic="Một cửa", text="Câu một?", tags=["nd-61-2018", "mot-cua"])
    QuestionFactory(bank=bank, topic="ISO", text="Câu hai?", kind=QuestionKind.MULTIPLE, choices=6)
    QuestionFactory(bank=bank, topic="", text="Câu ba?", kind=QuestionKind.TRUE_FALSE, explanation="")
    QuestionFactory(bank=bank, text="=1+2 có phải công thức?", choices=[("-5 ngày", True), "@mọi người", "+3"])
    QuestionFactory(bank=bank, text="Câu đã ngừng dùng?", active=False)

    copy = QuestionBankFactory()
    report = import_questions(io.BytesIO(export_workbook(bank)), copy)

    assert report.ok, [row.errors for row in report.bad_rows]
    assert report.created == 4
    assert snapshot(copy) == snapshot(bank)
    assert export_rows(copy) == export_rows(bank)


def test_export_neutralises_formulas():
    bank = QuestionBankFactory()
    QuestionFactory(
        bank=bank, text='=HYPERLINK("http://example.com","Bấm vào đây")', choices=[("@SUM(A1)", True), "+1"]
    )
    sheet = load_workbook(io.BytesIO(export_workbook(bank))).worksheets[0]
    header, row = list(sheet.iter_rows(values_only=True))
    assert list(header) == HEADERS
    assert row[1] == '\'=HYPERLINK("http://example.com","Bấm vào đây")'
    assert row[3:5] == ("'@SUM(A1)", "'+1")
    assert all(cell.data_type != "f" for cells in sheet.iter_rows() for cell in cells)


def test_import_command_creates_the_bank_and_reports(tmp_path):
    path = tmp_path / "ngan-hang.xlsx"
    path.write_bytes(xlsx(good_row("Câu 1?"), good_row("Câu 2?")).getvalue())
    out = io.StringIO()
    call_command("import_questions", str(path), "--bank", "cchc-2019", stdout=out)
    assert "Imported 2 questions." in out.getvalue()
    assert QuestionBank.objects.get(slug="cchc-2019").questions.count() == 2


def test_import_command_fails_on_bad_rows_and_creates_no_bank(tmp_path):
    path = tmp_path / "ngan-hang.xlsx"
    path.write_bytes(xlsx(good_row("Câu 1?"), good_row("", correct="Z")).getvalue())
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 of 2 rows have errors."):
        call_command("import_questions", str(path), "--bank", "moi", stderr=err)
    assert "Row 3: The question is missing." in err.getvalue()
    assert not QuestionBank.objects.filter(slug="moi").exists()


def test_import_command_exit_code_is_non_zero(tmp_path):
    path = tmp_path / "hong.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="not an Excel workbook"):
        call_command("import_questions", str(path), "--bank", "moi")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_questions", str(tmp_path / "missing.xlsx"), "--bank", "moi")


def test_import_command_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "ngan-hang.xlsx"
    path.write_bytes(xlsx(good_row("Câu 1?")).getvalue())
    call_command("import_questions", str(path), "--bank", "thu", "--dry-run", stdout=io.StringIO())
    assert not QuestionBank.objects.filter(slug="thu").exists()


def test_export_command_writes_what_import_reads(tmp_path):
    bank = QuestionBankFactory(slug="goc")
    QuestionFactory.create_batch(3, bank=bank)
    path = tmp_path / "xuat.xlsx"
    call_command("export_questions", "goc", str(path), stdout=io.StringIO())
    call_command("import_questions", str(path), "--bank", "ban-sao", stdout=io.StringIO())
    assert snapshot(QuestionBank.objects.get(slug="ban-sao")) == snapshot(bank)
    with pytest.raises(CommandError, match="No question bank"):
        call_command("export_questions", "khong-co", str(path))
