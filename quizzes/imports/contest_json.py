"""Contest definitions (JSON): set up, copy and archive a contest.

The format is DESIGN.md's "Contest definition"::

    {"slug", "title", "intro", "questions_per_attempt", "time_limit_seconds", "attempts_per_round",
     "prediction_question", "prediction_kind", "eligibility", "review",
     "rounds": [{"number", "opens_at", "closes_at"}],
     "questions": [{"topic", "text", "kind", "choices": [{"text", "correct"}], "explanation", "tags"}]}

:func:`import_contest` creates the contest under the contest index (and the
index under the home page when missing), or updates the contest with that slug:
its settings, its rounds by number, and its questions matched by text in the
contest's bank — questions no longer listed are deactivated, never deleted.
It checks the whole file first and changes nothing when anything is wrong.
:func:`export_contest` gives back exactly what the import reads.
"""

import copy
import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from elearning.models import HomePage
from quizzes.models import (
    Answer,
    Attempt,
    Choice,
    ContestIndexPage,
    ContestPage,
    Question,
    QuestionBank,
    QuestionKind,
    QuestionTag,
    Round,
)

from .questions import CHOICE_MAX_LENGTH, LETTERS, TAG_MAX_LENGTH, TOPIC_MAX_LENGTH, tags_by_name
from .text import clean_text, text_key

CONTEST_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DEMO_CONTEST_PATH = Path(__file__).resolve().parent.parent / "demo" / "cchc-2018.json"
TOP_KEYS = (
    "slug",
    "title",
    "intro",
    "questions_per_attempt",
    "time_limit_seconds",
    "attempts_per_round",
    "prediction_question",
    "prediction_kind",
    "eligibility",
    "review",
    "rounds",
    "questions",
)
REQUIRED_TOP_KEYS = (
    "slug",
    "title",
    "questions_per_attempt",
    "time_limit_seconds",
    "attempts_per_round",
    "rounds",
    "questions",
)
ROUND_KEYS = ("number", "opens_at", "closes_at")
QUESTION_KEYS = ("topic", "text", "kind", "choices", "explanation", "tags")
CHOICE_KEYS = ("text", "correct")
# name: (minimum, maximum)
NUMBER_SETTINGS = {
    "questions_per_attempt": (1, 1000),
    "time_limit_seconds": (10, 7 * 24 * 3600),
    "attempts_per_round": (1, 1000),
}
MAX_CHOICES = len(LETTERS)
TITLE_MAX_LENGTH = ContestPage._meta.get_field("title").max_length
SLUG_MAX_LENGTH = min(ContestPage._meta.get_field("slug").max_length, QuestionBank._meta.get_field("slug").max_length)
PREDICTION_MAX_LENGTH = ContestPage._meta.get_field("prediction_question").max_length
CONTEST_INDEX_TITLE = "Cuộc thi"  # page content, in the site's language
CONTEST_INDEX_SLUG = "cuoc-thi"


class ContestFileError(Exception):
    """The file cannot be imported; ``errors`` are translated messages, one per problem."""

    def __init__(self, errors):
        self.errors = [str(error) for error in errors]
        super().__init__("\n".join(self.errors))


@dataclass
class RoundSpec:
    number: int
    opens_at: datetime
    closes_at: datetime


@dataclass
class QuestionSpec:
    index: int
    topic: str
    text: str
    kind: str
    choices: list  # [(text, correct)]
    explanation: str
    tags: list


@dataclass
class ContestSpec:
    slug: str
    title: str
    intro: str
    settings: dict
    rounds: list
    questions: list


@dataclass
class ImportResult:
    contest: ContestPage
    created: bool = False
    questions_created: int = 0
    questions_updated: int = 0
    questions_deactivated: int = 0
    rounds_created: list = field(default_factory=list)
    rounds_updated: list = field(default_factory=list)
    rounds_closed_early: list = field(default_factory=list)
    rounds_removed: list = field(default_factory=list)

    def lines(self):
        lines = [
            (_("Created the contest “%(slug)s”.") if self.created else _("Updated the contest “%(slug)s”."))
            % {"slug": self.contest.slug},
            _("Questions: %(created)s new, %(updated)s updated, %(deactivated)s deactivated.")
            % {
                "created": self.questions_created,
                "updated": self.questions_updated,
                "deactivated": self.questions_deactivated,
            },
        ]
        for label, numbers in (
            (_("Rounds created: %(numbers)s."), self.rounds_created),
            (_("Rounds updated: %(numbers)s."), self.rounds_updated),
            (_("Rounds closed early: %(numbers)s."), self.rounds_closed_early),
            (_("Rounds removed: %(numbers)s."), self.rounds_removed),
        ):
            if numbers:
                lines.append(label % {"numbers": ", ".join(str(number) for number in numbers)})
        return lines


# --- Reading and checking ----------------------------------------------------------


class _Checker:
    def __init__(self):
        self.errors = []

    def error(self, where, message):
        self.errors.append(f"{where}: {message}" if where else message)

    def keys(self, where, data, allowed, required):
        if not isinstance(data, dict):
            self.error(where, _("must be an object {…}"))
            return False
        for key in required:
            if key not in data:
                self.error(where, _("missing key “%(key)s”") % {"key": key})
        for key in data:
            if key not in allowed:
                self.error(where, _("unknown key “%(key)s”") % {"key": key})
        return True

    def text(self, where, value, *, required=False, max_length=None, nullable=True):
        if value is None and nullable:
            value = ""
        if not isinstance(value, str):
            self.error(where, _("must be text"))
            return ""
        value = clean_text(value)
        if required and not value:
            self.error(where, _("must not be empty"))
        if max_length and len(value) > max_length:
            self.error(where, _("is longer than %(limit)s characters") % {"limit": max_length})
        return value

    def number(self, where, value, minimum, maximum):
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where, _("must be a whole number"))
            return minimum
        if not minimum <= value <= maximum:
            self.error(
                where,
                _("must be between %(minimum)s and %(maximum)s, not %(value)s")
                % {"minimum": minimum, "maximum": maximum, "value": value},
            )
        return value

    def choice(self, where, value, choices, default):
        if value is None:
            return default
        allowed = [str(choice) for choice in choices.values]
        if value not in allowed:
            self.error(
                where,
                _("“%(value)s” is not one of: %(choices)s") % {"value": value, "choices": ", ".join(allowed)},
            )
            return default
        return value

    def moment(self, where, value):
        example = "2018-06-04T08:00:00+07:00"
        if not isinstance(value, str):
            self.error(where, _("must be a date and time such as %(example)s") % {"example": example})
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None or "T" not in value.upper():
            self.error(
                where,
                _("“%(value)s” is not an ISO 8601 date and time with a UTC offset, such as %(example)s")
                % {"value": value, "example": example},
            )
            return None
        return moment


def load(data):
    """``data``: a dict, or JSON text or bytes."""
    if isinstance(data, bytes | bytearray):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ContestFileError([_("The file is not UTF-8 text.")])
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as error:
            raise ContestFileError(
                [
                    _("The file is not valid JSON (line %(line)s, column %(column)s): %(error)s")
                    % {"line": error.lineno, "column": error.colno, "error": error.msg}
                ]
            )
    return data


def parse_contest(data):
    """Check a contest definition from top to bottom; a :class:`ContestSpec`, or ContestFileError listing every problem."""
    data = load(data)
    check = _Checker()
    if not check.keys("", data, TOP_KEYS, REQUIRED_TOP_KEYS):
        raise ContestFileError(check.errors)

    slug = check.text("slug", data["slug"], required=True, max_length=SLUG_MAX_LENGTH) if "slug" in data else ""
    if slug:
        try:
            validate_slug(slug)
        except ValidationError:
            check.error(
                "slug",
                _("“%(value)s” is not a valid slug: use letters, numbers, hyphens or underscores") % {"value": slug},
            )
    title = check.text("title", data["title"], required=True, max_length=TITLE_MAX_LENGTH) if "title" in data else ""
    intro = check.text("intro", data.get("intro"))
    settings = {
        name: check.number(name, data.get(name), minimum, maximum)
        for name, (minimum, maximum) in NUMBER_SETTINGS.items()
        if name in data
    }
    settings["prediction_question"] = check.text(
        "prediction_question", data.get("prediction_question"), max_length=PREDICTION_MAX_LENGTH
    )
    settings["prediction_kind"] = check.choice(
        "prediction_kind",
        data.get("prediction_kind"),
        ContestPage.PredictionKind,
        ContestPage.PredictionKind.PARTICIPANTS,
    )
    settings["eligibility"] = check.choice(
        "eligibility", data.get("eligibility"), ContestPage.Eligibility, ContestPage.Eligibility.EVERYONE
    )
    settings["review"] = check.choice(
        "review", data.get("review"), ContestPage.ReviewPolicy, ContestPage.ReviewPolicy.AFTER_ROUND
    )
    rounds = _parse_rounds(check, data.get("rounds"))
    questions = _parse_questions(check, data.get("questions", []))

    per_attempt = settings.get("questions_per_attempt")
    if isinstance(per_attempt, int) and questions and per_attempt > len(questions):
        check.error(
            "questions_per_attempt",
            _("asks %(n)s questions per attempt but the file lists only %(count)s questions")
            % {"n": per_attempt, "count": len(questions)},
        )
    if check.errors:
        raise ContestFileError(check.errors)
    return ContestSpec(slug=slug, title=title, intro=intro, settings=settings, rounds=rounds, questions=questions)


def _parse_rounds(check, data):
    if not isinstance(data, list):
        if data is not None:
            check.error("rounds", _("must be a list […]"))
        return []
    if not data:
        check.error("rounds", _("at least one round is needed"))
    rounds, numbers = [], set()
    for position, item in enumerate(data):
        where = f"rounds[{position}]"
        if not check.keys(where, item, ROUND_KEYS, ROUND_KEYS):
            continue
        number = check.number(f"{where}.number", item.get("number"), 1, 1000)
        opens_at = check.moment(f"{where}.opens_at", item.get("opens_at"))
        closes_at = check.moment(f"{where}.closes_at", item.get("closes_at"))
        if number in numbers:
            check.error(f"{where}.number", _("round %(number)s appears twice") % {"number": number})
        numbers.add(number)
        if opens_at and closes_at:
            if closes_at <= opens_at:
                check.error(f"{where}.closes_at", _("must be after opens_at"))
            else:
                rounds.append(RoundSpec(number=number, opens_at=opens_at, closes_at=closes_at))
    spans = sorted(rounds, key=lambda spec: spec.opens_at)
    for first, second in zip(spans, spans[1:], strict=False):
        if second.opens_at < first.closes_at:
            check.error(
                "rounds",
                _("rounds %(first)s and %(second)s overlap: only one round can be open at a time")
                % {"first": first.number, "second": second.number},
            )
    return sorted(rounds, key=lambda spec: spec.number)


def _parse_questions(check, data):
    if not isinstance(data, list):
        check.error("questions", _("must be a list […]"))
        return []
    questions, seen = [], {}
    for position, item in enumerate(data):
        where = f"questions[{position}]"
        if not check.keys(where, item, QUESTION_KEYS, ("text", "choices")):
            continue
        before = len(check.errors)
        text = check.text(f"{where}.text", item.get("text"), required=True)
        if text:
            where = f"{where} (“{text[:60]}”)"
        topic = check.text(f"{where}.topic", item.get("topic"), max_length=TOPIC_MAX_LENGTH)
        kind = check.choice(f"{where}.kind", item.get("kind"), QuestionKind, QuestionKind.SINGLE)
        explanation = check.text(f"{where}.explanation", item.get("explanation"))
        tags = []
        raw_tags = item.get("tags", [])
        if not isinstance(raw_tags, list):
            check.error(f"{where}.tags", _("must be a list of texts"))
        else:
            for tag in raw_tags:
                tag = check.text(f"{where}.tags", tag, required=True, max_length=TAG_MAX_LENGTH, nullable=False)
                if tag and tag not in tags:
                    tags.append(tag)
        choices = []
        raw_choices = item.get("choices")
        if not isinstance(raw_choices, list):
            check.error(f"{where}.choices", _("must be a list […]"))
        else:
            if len(raw_choices) > MAX_CHOICES:
                check.error(f"{where}.choices", _("at most %(max)s choices") % {"max": MAX_CHOICES})
            for number, choice in enumerate(raw_choices):
                choice_where = f"{where}.choices[{number}]"
                if not check.keys(choice_where, choice, CHOICE_KEYS, ("text",)):
                    continue
                choice_text = check.text(
                    f"{choice_where}.text", choice.get("text"), required=True, max_length=CHOICE_MAX_LENGTH
                )
                correct = choice.get("correct", False)
                if not isinstance(correct, bool):
                    check.error(f"{choice_where}.correct", _("must be true or false"))
                choices.append((choice_text, correct is True))
        if len(check.errors) == before:
            try:
                Question(kind=kind).validate_choices([Choice(text=t, correct=c) for t, c in choices])
            except ValidationError as error:
                for message in error.messages:
                    check.error(where, message)
        if text:
            key = text_key(text)
            if key in seen:
                check.error(where, _("the same question as questions[%(index)s]") % {"index": seen[key]})
            seen.setdefault(key, position)
        questions.append(
            QuestionSpec(
                index=position,
                topic=topic,
                text=text,
                kind=kind,
                choices=choices,
                explanation=explanation,
                tags=tags,
            )
        )
    return questions


# --- Writing -------------------------------------------------------------------------


def intro_to_rich_text(text):
    """Plain text -> RichTextField HTML: a paragraph per blank-line-separated block."""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text or "") if part.strip()]
    return "".join("<p>" + html.escape(part).replace("\n", "<br/>") + "</p>" for part in paragraphs)


_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL | re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def rich_text_to_intro(value):
    """RichTextField HTML -> plain text (the inverse of :func:`intro_to_rich_text`)."""
    value = value or ""
    parts = _PARAGRAPH.findall(value) or [value]
    texts = [html.unescape(_TAG.sub("", _BREAK.sub("\n", part))).strip() for part in parts]
    return "\n\n".join(text for text in texts if text)


def contest_index():
    index = ContestIndexPage.objects.first()
    if index is not None:
        return index
    home = HomePage.objects.order_by("path").first()
    if home is None:
        raise ContestFileError([_("The site has no home page to put the contest index under.")])
    index = home.add_child(instance=ContestIndexPage(title=CONTEST_INDEX_TITLE, slug=CONTEST_INDEX_SLUG))
    index.save_revision().publish()
    return index


def import_contest(data, *, user=None):
    """Create or update the contest a definition describes, all or nothing.

    Returns an :class:`ImportResult`; raises :class:`ContestFileError`.
    """
    spec = parse_contest(data)
    with transaction.atomic():
        contest = ContestPage.objects.select_for_update().filter(slug=spec.slug).first()
        result = ImportResult(contest=contest, created=contest is None)
        if contest is None:
            bank, _created = QuestionBank.objects.get_or_create(slug=spec.slug, defaults={"title": spec.title})
        else:
            bank = contest.bank
        errors = _sync_questions(spec, bank, result)
        if contest is None:
            contest = ContestPage(slug=spec.slug, title=spec.title, bank=bank)
            _apply_settings(contest, spec)
            contest_index().add_child(instance=contest)
            result.contest = contest
        else:
            _apply_settings(contest, spec)
            contest.title = spec.title
            contest.draft_title = spec.title
        errors += _sync_rounds(spec, contest, result)
        if errors:
            raise ContestFileError(errors)
        try:
            revision = contest.save_revision(user=user, log_action=True)
        except ValidationError as error:
            raise ContestFileError(
                [f"{name}: {message}" for name, messages in error.message_dict.items() for message in messages]
            )
        revision.publish(user=user)
    return result


def _apply_settings(contest, spec):
    contest.intro = intro_to_rich_text(spec.intro)
    for name, value in spec.settings.items():
        setattr(contest, name, value)


def _sync_questions(spec, bank, result):
    errors = []
    existing = {}
    for question in Question.objects.filter(bank=bank).order_by("pk"):
        existing.setdefault(text_key(question.text), question)
    listed = []
    tags = tags_by_name({tag for question in spec.questions for tag in question.tags})
    for item in spec.questions:
        question = existing.get(text_key(item.text))
        if question is None:
            question = Question(bank=bank)
            result.questions_created += 1
        else:
            result.questions_updated += 1
        question.text = item.text
        question.topic = item.topic
        question.kind = item.kind
        question.explanation = item.explanation
        question.active = True
        created = question.pk is None
        question.save()
        listed.append(question.pk)
        if created:
            Choice.objects.bulk_create(
                Choice(question=question, text=text, correct=correct, sort_order=order)
                for order, (text, correct) in enumerate(item.choices)
            )
        else:
            error = _update_choices(question, item)
            if error:
                errors.append(error)
        QuestionTag.objects.filter(content_object=question).exclude(tag__name__in=item.tags).delete()
        have = set(QuestionTag.objects.filter(content_object=question).values_list("tag__name", flat=True))
        QuestionTag.objects.bulk_create(
            QuestionTag(content_object=question, tag=tags[name]) for name in item.tags if name not in have
        )
    result.questions_deactivated = (
        Question.objects.filter(bank=bank, active=True).exclude(pk__in=listed).update(active=False)
    )
    return errors


def _update_choices(question, item):
    """Update choices in place by position; add or remove only while nobody has answered the question."""
    current = list(Choice.objects.filter(question=question).order_by("sort_order", "pk"))
    if len(current) != len(item.choices) and Answer.objects.filter(question=question).exists():
        return _(
            "questions[%(index)s] (“%(text)s”): participants have already answered this question, so its "
            "choices can be edited but not added or removed (%(old)s on the site, %(new)s in the file)."
        ) % {"index": item.index, "text": item.text[:60], "old": len(current), "new": len(item.choices)}
    changed = []
    for order, (choice, (text, correct)) in enumerate(zip(current, item.choices, strict=False)):
        if (choice.text, choice.correct, choice.sort_order) != (text, correct, order):
            choice.text, choice.correct, choice.sort_order = text, correct, order
            changed.append(choice)
    Choice.objects.bulk_update(changed, ["text", "correct", "sort_order"])
    Choice.objects.filter(pk__in=[choice.pk for choice in current[len(item.choices) :]]).delete()
    Choice.objects.bulk_create(
        Choice(question=question, text=text, correct=correct, sort_order=order)
        for order, (text, correct) in enumerate(item.choices)
        if order >= len(current)
    )
    return None


def _sync_rounds(spec, contest, result):
    errors = []
    current = {round_.number: round_ for round_ in Round.objects.filter(contest=contest)}
    wanted = {item.number for item in spec.rounds}
    for number, round_ in sorted(current.items()):
        if number in wanted:
            continue
        if round_.attempts.exists():
            errors.append(
                _("Round %(number)s has attempts and cannot be removed; keep it in the file.") % {"number": number}
            )
        else:
            round_.delete()
            result.rounds_removed.append(number)
    for order, item in enumerate(spec.rounds):
        round_ = current.get(item.number)
        if round_ is None:
            Round.objects.create(
                contest=contest, number=item.number, opens_at=item.opens_at, closes_at=item.closes_at, sort_order=order
            )
            result.rounds_created.append(item.number)
            continue
        if (round_.opens_at, round_.closes_at, round_.sort_order) == (item.opens_at, item.closes_at, order):
            continue
        if item.closes_at < round_.closes_at:
            result.rounds_closed_early.append(item.number)
            # Nobody keeps answering in a round that now closes earlier.
            Attempt.objects.in_progress().filter(round=round_, deadline__gt=item.closes_at).update(
                deadline=item.closes_at
            )
        round_.opens_at, round_.closes_at, round_.sort_order = item.opens_at, item.closes_at, order
        round_.save(update_fields=["opens_at", "closes_at", "sort_order"])
        result.rounds_updated.append(item.number)
    return errors


# --- Export --------------------------------------------------------------------------


def _moment(value):
    return value.astimezone(CONTEST_TIME_ZONE).isoformat()


def export_contest(contest):
    """The contest as a definition :func:`import_contest` reads (its live version and active questions)."""
    from .questions import exported_questions

    contest = ContestPage.objects.select_related("bank").get(pk=contest.pk)
    return {
        "slug": contest.slug,
        "title": contest.title,
        "intro": rich_text_to_intro(contest.intro),
        "questions_per_attempt": contest.questions_per_attempt,
        "time_limit_seconds": contest.time_limit_seconds,
        "attempts_per_round": contest.attempts_per_round,
        "prediction_question": contest.prediction_question or None,
        "prediction_kind": contest.prediction_kind,
        "eligibility": contest.eligibility,
        "review": contest.review,
        "rounds": [
            {"number": round_.number, "opens_at": _moment(round_.opens_at), "closes_at": _moment(round_.closes_at)}
            for round_ in Round.objects.filter(contest=contest).order_by("number")
        ],
        "questions": [
            {
                "topic": question.topic,
                "text": question.text,
                "kind": question.kind,
                "choices": [{"text": choice.text, "correct": choice.correct} for choice in question.choices.all()],
                "explanation": question.explanation,
                "tags": sorted(item.tag.name for item in question.tagged_items.all()),
            }
            for question in exported_questions(contest.bank)
        ],
    }


def dumps(data):
    """Definitions are written as UTF-8 JSON with readable Vietnamese, two-space indents and a final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def shift_rounds(data, moment, number=1):
    """A copy of a definition (dict) with every round moved by the same whole number of
    days, so that round ``number`` opened the day before ``moment`` (times of day kept)."""
    data = copy.deepcopy(data)
    target = next(item for item in data["rounds"] if item["number"] == number)
    opens_at = datetime.fromisoformat(target["opens_at"])
    days = (moment.astimezone(CONTEST_TIME_ZONE).date() - opens_at.astimezone(CONTEST_TIME_ZONE).date()).days - 1
    for item in data["rounds"]:
        for key in ("opens_at", "closes_at"):
            item[key] = _moment(datetime.fromisoformat(item[key]) + timedelta(days=days))
    return data
