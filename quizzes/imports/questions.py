"""Question bank spreadsheets (.xlsx): import all or nothing, export in the same format.

Columns (DESIGN.md, "Files people bring"; Vietnamese headers accepted too):
``topic``, ``question``, ``kind`` (single | multiple | true_false; default single),
``A`` … ``F``, ``correct`` (letters: ``B`` or ``A,C``), ``explanation``,
``tags`` (comma-separated).

Every row is checked first; if any row is bad nothing is written, and the
report names each bad row and why. An export read back into an empty bank
gives the same questions (:func:`export_rows` / :func:`import_rows`).
"""

import re
from dataclasses import dataclass, field

from anyascii import anyascii
from django.db import transaction
from django.utils.translation import gettext as _
from taggit.models import Tag
from wagtail.search.backends import get_search_backends

from elearning.spreadsheets import build_workbook, read_rows
from quizzes.models import Choice, Question, QuestionBank, QuestionKind, QuestionTag

from .text import clean_text, split_tags, text_key

LETTERS = "ABCDEF"
COLUMNS = {
    "topic": {"Chủ đề", "Chuyên đề", "Lĩnh vực"},
    "question": {"Câu hỏi", "Nội dung câu hỏi", "Question text"},
    "kind": {"Loại", "Loại câu hỏi", "Kiểu", "Type"},
    **{letter: {f"Phương án {letter}", f"Đáp án {letter}", f"Choice {letter}"} for letter in LETTERS},
    "correct": {"Đáp án đúng", "Đáp án", "Correct answer", "Answer"},
    "explanation": {"Giải thích"},
    "tags": {"Thẻ", "Từ khóa", "Tag"},
}
REQUIRED_COLUMNS = ("question", "A", "B", "correct")
HEADERS = ["topic", "question", "kind", *LETTERS, "correct", "explanation", "tags"]

# What people write in the kind column -> the kind (keys folded: lower case, no diacritics).
KIND_NAMES = {
    QuestionKind.SINGLE: {"single", "một đáp án", "một lựa chọn", "chọn một", "1 đáp án"},
    QuestionKind.MULTIPLE: {"multiple", "nhiều đáp án", "nhiều lựa chọn", "chọn nhiều"},
    QuestionKind.TRUE_FALSE: {"true_false", "true/false", "true false", "đúng/sai", "đúng sai", "đúng - sai"},
}
TOPIC_MAX_LENGTH = Question._meta.get_field("topic").max_length
CHOICE_MAX_LENGTH = Choice._meta.get_field("text").max_length
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length
# Spreadsheet programs run a cell starting with one of these as a formula; the
# export writes such text with a leading apostrophe (safe_cell), the import drops it.
_FORMULA_TRIGGERS = ("=", "+", "-", "@")
_LETTER_SEPARATORS = re.compile(r"[\s,;/]+")


def _fold(value):
    return anyascii(" ".join(str(value).split()).casefold())


_KIND_LOOKUP = {_fold(name): kind for kind, names in KIND_NAMES.items() for name in names}


def parse_kind(value):
    """'Nhiều đáp án' -> 'multiple'; '' -> 'single'; unknown -> None."""
    if not value.strip():
        return QuestionKind.SINGLE
    return _KIND_LOOKUP.get(_fold(value))


def unescape_cell(value):
    """Undo the formula guard of an export: "'=2+3" -> "=2+3"."""
    if value.startswith("'") and value[1:].startswith(_FORMULA_TRIGGERS):
        return value[1:]
    return value


@dataclass
class QuestionRow:
    """One spreadsheet row, read and checked."""

    row_number: int
    values: dict
    topic: str = ""
    text: str = ""
    kind: str = QuestionKind.SINGLE
    choices: list = field(default_factory=list)
    """``[(letter, text, correct)]`` for the non-empty choice columns."""
    explanation: str = ""
    tags: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def correct_letters(self):
        return ",".join(letter for letter, _text, correct in self.choices if correct)


@dataclass
class ImportReport:
    rows: list = field(default_factory=list)
    created: int = 0

    @property
    def ok(self):
        return bool(self.rows) and not self.bad_rows

    @property
    def bad_rows(self):
        return [row for row in self.rows if row.errors]

    def lines(self):
        """The report as lines of text (for the command line)."""
        if not self.rows:
            return [_("The sheet has no questions.")]
        if self.bad_rows:
            lines = [
                _("Nothing was imported: %(bad)s of %(total)s rows have errors.")
                % {"bad": len(self.bad_rows), "total": len(self.rows)}
            ]
            for row in self.bad_rows:
                lines.extend(
                    _("Row %(row)s: %(error)s") % {"row": row.row_number, "error": error} for error in row.errors
                )
            return lines
        return [_("Imported %(count)s questions.") % {"count": self.created}]


def read_question_rows(fileobj):
    """``[(row_number, {column: text})]`` from the first sheet; raises SpreadsheetError."""
    sheet = read_rows(fileobj, COLUMNS, required=REQUIRED_COLUMNS)
    return [
        (row_number, {name: unescape_cell(value) for name, value in values.items()})
        for row_number, values in sheet.rows
    ]


def parse_row(row_number, values):
    """A :class:`QuestionRow` with every problem the row has on its own."""
    row = QuestionRow(row_number=row_number, values=values)
    errors = row.errors
    row.topic = clean_text(values.get("topic"))
    row.text = clean_text(values.get("question"))
    row.explanation = clean_text(values.get("explanation"))
    row.tags = split_tags(values.get("tags"))

    if not row.text:
        errors.append(_("The question is missing."))
    if len(row.topic) > TOPIC_MAX_LENGTH:
        errors.append(_("The topic is longer than %(limit)s characters.") % {"limit": TOPIC_MAX_LENGTH})
    for tag in row.tags:
        if len(tag) > TAG_MAX_LENGTH:
            errors.append(
                _("The tag “%(tag)s” is longer than %(limit)s characters.") % {"tag": tag[:30], "limit": TAG_MAX_LENGTH}
            )

    kind = parse_kind(values.get("kind", ""))
    if kind is None:
        errors.append(
            _("Unknown kind “%(value)s”: use single, multiple or true_false (một đáp án, nhiều đáp án, đúng/sai).")
            % {"value": values.get("kind")}
        )
    row.kind = kind or QuestionKind.SINGLE

    texts = {letter: clean_text(values.get(letter)) for letter in LETTERS}
    filled = [letter for letter in LETTERS if texts[letter]]
    for letter in filled:
        if len(texts[letter]) > CHOICE_MAX_LENGTH:
            errors.append(
                _("Choice %(letter)s is longer than %(limit)s characters.")
                % {"letter": letter, "limit": CHOICE_MAX_LENGTH}
            )

    correct, correct_ok = [], True
    raw_correct = clean_text(values.get("correct"))
    for token in _LETTER_SEPARATORS.split(raw_correct.upper()):
        if not token:
            continue
        if len(token) != 1 or token not in LETTERS:
            errors.append(
                _("“%(value)s” in the “correct” column is not a letter from A to F, such as B or A,C.")
                % {"value": raw_correct}
            )
            correct_ok = False
            break
        if token not in correct:
            correct.append(token)
    if correct_ok and not correct:
        errors.append(_("Say which choice is correct in the “correct” column, e.g. B or A,C."))
    for letter in correct:
        if letter not in filled:
            errors.append(_("The correct answer %(letter)s points at an empty choice.") % {"letter": letter})

    if kind == QuestionKind.TRUE_FALSE and len(filled) != 2:
        errors.append(
            _("A true/false question has exactly two choices (e.g. A: Đúng, B: Sai); this row has %(count)s.")
            % {"count": len(filled)}
        )
    elif len(filled) < 2:
        errors.append(_("A question needs at least two choices (columns A to F)."))
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and len(correct) > 1:
        errors.append(
            _("A single-choice or true/false question has exactly one correct answer; this row gives %(letters)s.")
            % {"letters": ",".join(correct)}
        )

    row.choices = [(letter, texts[letter], letter in correct) for letter in filled]
    return row


def check_rows(raw_rows, bank):
    """Parse every row and find duplicates within the file and against the bank."""
    report = ImportReport(rows=[parse_row(row_number, values) for row_number, values in raw_rows])
    existing = set()
    if bank is not None and bank.pk:
        existing = {text_key(text) for text in Question.objects.filter(bank=bank).values_list("text", flat=True)}
    first_seen = {}
    for row in report.rows:
        if not row.text:
            continue
        key = text_key(row.text)
        if key in first_seen:
            row.errors.append(_("The same question is already on row %(row)s.") % {"row": first_seen[key]})
        else:
            first_seen[key] = row.row_number
        if key in existing:
            row.errors.append(_("This question is already in the bank."))
    return report


def import_rows(raw_rows, bank):
    """Check the rows against the bank and, only if every row is good, add them all to it."""
    with transaction.atomic():
        # One import into a bank at a time, so two cannot both add the same question.
        bank = QuestionBank.objects.select_for_update().get(pk=bank.pk)
        report = check_rows(raw_rows, bank)
        if report.ok:
            report.created = len(_write(bank, report.rows))
    return report


def import_questions(fileobj, bank):
    """Read an .xlsx file and import it into ``bank``; raises SpreadsheetError for an unreadable file."""
    return import_rows(read_question_rows(fileobj), bank)


def _write(bank, rows):
    questions = Question.objects.bulk_create(
        Question(bank=bank, topic=row.topic, text=row.text, kind=row.kind, explanation=row.explanation) for row in rows
    )
    Choice.objects.bulk_create(
        Choice(question=question, text=text, correct=correct, sort_order=index)
        for question, row in zip(questions, rows, strict=True)
        for index, (_letter, text, correct) in enumerate(row.choices)
    )
    tags = tags_by_name({tag for row in rows for tag in row.tags})
    QuestionTag.objects.bulk_create(
        QuestionTag(content_object=question, tag=tags[name])
        for question, row in zip(questions, rows, strict=True)
        for name in row.tags
    )
    # bulk_create sends no post_save: index the new questions for search here.
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(Question, questions)
    return questions


def tags_by_name(names):
    """``{name: Tag}``, creating the tags that do not exist yet."""
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=set(names))}
    for name in set(names) - set(tags):
        tags[name] = Tag.objects.create(name=name)
    return tags


def exported_questions(bank):
    """The active questions of a bank in import order, with what the export needs."""
    return bank.questions.active().order_by("pk").prefetch_related("choices", "tagged_items__tag")


def question_cells(question):
    choices = list(question.choices.all())[: len(LETTERS)]
    texts = [choice.text for choice in choices] + [""] * (len(LETTERS) - len(choices))
    correct = ",".join(LETTERS[index] for index, choice in enumerate(choices) if choice.correct)
    tags = ", ".join(sorted(item.tag.name for item in question.tagged_items.all()))
    return [question.topic, question.text, question.kind, *texts, correct, question.explanation, tags]


def export_rows(bank):
    return [question_cells(question) for question in exported_questions(bank)]


def export_workbook(bank):
    """The bank's active questions as .xlsx bytes, in the import format (formula-safe cells)."""
    return build_workbook(HEADERS, export_rows(bank), sheet_title=bank.slug)
