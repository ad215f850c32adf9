"""Contest definitions (JSON): create, update, round trip, deactivation, early close, errors change nothing."""

import copy
import io
import json
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from quizzes.imports.contest_json import ContestFileError, dumps, export_contest, import_contest
from quizzes.models import Answer, Attempt, Choice, ContestIndexPage, ContestPage, Question, QuestionBank, Round
from tests.factories.elearning import UserFactory
from tests.factories.quizzes import make_contest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (msgids); the site's default language is Vietnamese."""
    with translation.override("en"):
        yield


def canonical():
    """A definition as export_contest writes it: every key, sorted tags, +07:00 times."""
    return {
        "slug": "cchc-2019",
        "title": "Cuộc thi tìm hiểu cải cách hành chính năm 2019",
        "intro": "Cuộc thi dành cho mọi người.\n\nMỗi tuần một đợt thi.",
        "questions_per_attempt": 2,
        "time_limit_seconds": 600,
        "attempts_per_round": 2,
        "prediction_question": "Dự đoán có bao nhiêu người tham gia tuần thi này?",
        "prediction_kind": "participants",
        "eligibility": "everyone",
        "review": "after_round",
        "rounds": [
            {"number": 1, "opens_at": "2019-06-03T08:00:00+07:00", "closes_at": "2019-06-09T17:00:00+07:00"},
            {"number": 2, "opens_at": "2019-06-10T08:00:00+07:00", "closes_at": "2019-06-16T17:00:00+07:00"},
        ],
        "questions": [
            {
                "topic": "Một cửa",
                "text": "Nghị định nào quy định cơ chế một cửa, một cửa liên thông năm 2018?",
                "kind": "single",
                "choices": [
                    {"text": "Nghị định 61/2018/NĐ-CP", "correct": True},
                    {"text": "Nghị định 43/2011/NĐ-CP", "correct": False},
                    {"text": "Nghị định 45/2020/NĐ-CP", "correct": False},
                ],
                "explanation": "Nghị định 61/2018/NĐ-CP ngày 23/4/2018.",
                "tags": ["mot-cua", "nd-61-2018"],
            },
            {
                "topic": "Dịch vụ công trực tuyến",
                "text": "Dịch vụ công trực tuyến mức độ 4 cho phép những gì?",
                "kind": "multiple",
                "choices": [
                    {"text": "Nộp hồ sơ trực tuyến", "correct": True},
                    {"text": "Thanh toán lệ phí trực tuyến", "correct": True},
                    {"text": "Không cần hồ sơ", "correct": False},
                ],
                "explanation": "",
                "tags": [],
            },
            {
                "topic": "ISO 9001:2015",
                "text": "ISO 9001:2015 áp dụng chu trình PDCA.",
                "kind": "true_false",
                "choices": [{"text": "Đúng", "correct": True}, {"text": "Sai", "correct": False}],
                "explanation": "Plan – Do – Check – Act.",
                "tags": ["iso-9001"],
            },
        ],
    }


def test_import_creates_the_contest_under_a_new_index_with_its_bank_and_rounds():
    ContestIndexPage.objects.all().delete()
    result = import_contest(canonical())
    contest = ContestPage.objects.get(slug="cchc-2019")
    assert result.created
    assert contest.live and contest.has_unpublished_changes is False
    assert contest.get_latest_revision() is not None
    assert isinstance(contest.get_parent().specific, ContestIndexPage)
    assert contest.bank.slug == "cchc-2019"
    assert contest.bank.questions.count() == 3
    assert contest.intro == "<p>Cuộc thi dành cho mọi người.</p><p>Mỗi tuần một đợt thi.</p>"
    assert (contest.questions_per_attempt, contest.time_limit_seconds, contest.attempts_per_round) == (2, 600, 2)
    first = contest.rounds.get(number=1)
    assert first.opens_at == datetime.fromisoformat("2019-06-03T01:00:00+00:00")
    assert [r.number for r in contest.rounds.all()] == [1, 2]


def test_export_of_an_import_is_the_same_file():
    import_contest(canonical())
    exported = export_contest(ContestPage.objects.get(slug="cchc-2019"))
    assert exported == canonical()
    assert json.loads(dumps(exported)) == canonical()


def test_export_command_to_stdout_and_file_and_import_command(tmp_path):
    path = tmp_path / "cchc-2019.json"
    path.write_text(json.dumps(canonical(), ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("import_contest", str(path), stdout=out)
    assert "Created the contest “cchc-2019”." in out.getvalue()
    out = io.StringIO()
    call_command("export_contest", "cchc-2019", stdout=out)
    assert json.loads(out.getvalue()) == canonical()
    target = tmp_path / "out.json"
    call_command("export_contest", "cchc-2019", str(target), stderr=io.StringIO())
    assert target.read_text(encoding="utf-8") == out.getvalue()
    with pytest.raises(CommandError, match="No contest"):
        call_command("export_contest", "khong-co")


def test_reimport_updates_settings_rounds_and_questions_in_place():
    import_contest(canonical())
    contest = ContestPage.objects.get(slug="cchc-2019")
    question_ids = set(contest.bank.questions.values_list("pk", flat=True))
    choice_ids = list(Choice.objects.filter(question__bank=contest.bank).order_by("pk").values_list("pk", flat=True))

    data = canonical()
    data["title"] = "Tên mới"
    data["time_limit_seconds"] = 900
    data["prediction_question"] = None
    data["review"] = "after_submit"
    data["rounds"].append(
        {"number": 3, "opens_at": "2019-06-17T08:00:00+07:00", "closes_at": "2019-06-23T17:00:00+07:00"}
    )
    data["questions"][0]["choices"][0]["text"] = "Nghị định số 61/2018/NĐ-CP"
    data["questions"][0]["tags"] = ["nd-61-2018"]
    data["questions"][1]["text"] = "  dịch vụ công trực tuyến mức độ 4 cho phép những gì? "
    data["questions"][1]["explanation"] = "Theo Nghị định 43/2011/NĐ-CP."
    result = import_contest(data)

    contest = ContestPage.objects.get(slug="cchc-2019")
    assert not result.created
    assert (contest.title, contest.time_limit_seconds, contest.prediction_question, contest.review) == (
        "Tên mới",
        900,
        "",
        "after_submit",
    )
    assert [r.number for r in contest.rounds.all()] == [1, 2, 3]
    assert set(contest.bank.questions.values_list("pk", flat=True)) == question_ids
    assert list(Choice.objects.filter(question__bank=contest.bank).order_by("pk").values_list("pk", flat=True)) == (
        choice_ids
    )
    first = Question.objects.get(text__startswith="Nghị định nào")
    assert first.choices.first().text == "Nghị định số 61/2018/NĐ-CP"
    assert list(first.tags.names()) == ["nd-61-2018"]
    assert Question.objects.get(pk=Question.objects.filter(kind="multiple").get().pk).explanation == (
        "Theo Nghị định 43/2011/NĐ-CP."
    )
    assert contest.revisions.count() == 2
    assert export_contest(contest)["prediction_question"] is None


def test_questions_no_longer_listed_are_deactivated_not_deleted_and_come_back():
    import_contest(canonical())
    data = canonical()
    dropped = data["questions"].pop(2)
    result = import_contest(data)
    assert result.questions_deactivated == 1
    question = Question.objects.get(text=dropped["text"])
    assert not question.active
    assert dropped["text"] not in [q["text"] for q in export_contest(ContestPage.objects.get())["questions"]]

    import_contest(canonical())
    question.refresh_from_db()
    assert question.active
    assert Question.objects.filter(text=dropped["text"]).count() == 1


def _attempt(contest, round_, question, deadline):
    user = UserFactory()
    attempt = Attempt.objects.create(
        user=user,
        contest=contest,
        round=round_,
        number=1,
        group="citizen",
        started_at=round_.opens_at,
        deadline=deadline,
        max_score=1,
        draw=[{"q": question.pk, "k": question.kind, "c": [c.pk for c in question.choices.all()]}],
    )
    Answer.objects.create(
        attempt=attempt, question=question, choice_ids=[question.choices.first().pk], saved_at=round_.opens_at
    )
    return attempt


def _contest_file(contest):
    data = export_contest(contest)
    data["questions_per_attempt"] = 1
    return data


def test_moving_closes_at_earlier_closes_the_round_and_caps_deadlines():
    contest = make_contest(questions=3, rounds=2, questions_per_attempt=1)
    first = contest.rounds.get(number=1)
    attempt = _attempt(contest, first, contest.bank.questions.first(), deadline=timezone.now() + timedelta(minutes=10))
    assert contest.round_open_at(timezone.now()) == first

    data = _contest_file(contest)
    now = timezone.now().replace(microsecond=0)
    data["rounds"][0]["closes_at"] = (now - timedelta(minutes=1)).isoformat()
    result = import_contest(data)

    assert result.rounds_closed_early == [1]
    first.refresh_from_db()
    assert first.is_closed()
    assert contest.round_open_at(timezone.now()) is None
    attempt.refresh_from_db()
    assert attempt.deadline == now - timedelta(minutes=1)


def test_a_round_with_attempts_is_never_deleted():
    contest = make_contest(questions=3, rounds=2, questions_per_attempt=1)
    _attempt(contest, contest.rounds.get(number=1), contest.bank.questions.first(), timezone.now())
    data = _contest_file(contest)
    data["rounds"] = data["rounds"][1:]
    with pytest.raises(ContestFileError) as caught:
        import_contest(data)
    assert caught.value.errors == ["Round 1 has attempts and cannot be removed; keep it in the file."]
    assert contest.rounds.count() == 2

    data = _contest_file(contest)
    data["rounds"] = data["rounds"][:1]
    assert import_contest(data).rounds_removed == [2]
    assert list(Round.objects.filter(contest=contest).values_list("number", flat=True)) == [1]


def test_answered_question_keeps_its_choices_and_refuses_a_new_count():
    contest = make_contest(questions=3, rounds=1, questions_per_attempt=1)
    question = contest.bank.questions.order_by("pk").first()
    choice_ids = list(question.choices.values_list("pk", flat=True))
    _attempt(contest, contest.rounds.get(), question, timezone.now())

    data = _contest_file(contest)
    data["questions"][0]["choices"][1]["text"] = "Phương án B đã sửa"
    import_contest(data)
    assert list(question.choices.values_list("pk", flat=True)) == choice_ids
    assert question.choices.get(pk=choice_ids[1]).text == "Phương án B đã sửa"

    data["questions"][0]["choices"].pop()
    data["title"] = "Không được đổi"
    with pytest.raises(ContestFileError) as caught:
        import_contest(data)
    assert "participants have already answered this question" in caught.value.errors[0]
    assert question.choices.count() == 4
    assert ContestPage.objects.get(pk=contest.pk).title != "Không được đổi"


def test_unanswered_question_may_change_its_number_of_choices():
    import_contest(canonical())
    data = canonical()
    data["questions"][0]["choices"].append({"text": "Nghị định 42/2022/NĐ-CP", "correct": False})
    data["questions"][1]["choices"].pop()
    import_contest(data)
    assert export_contest(ContestPage.objects.get())["questions"] == data["questions"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("slug"), "missing key “slug”"),
        (lambda d: d.update(question_per_attempt=3), "unknown key “question_per_attempt”"),
        (lambda d: d.update(eligibility="citizens"), "eligibility: “citizens” is not one of: everyone, officials"),
        (lambda d: d.update(review="later"), "review: “later” is not one of: after_submit, after_round, never"),
        (
            lambda d: d.update(prediction_kind="winners"),
            "prediction_kind: “winners” is not one of: participants, full_score",
        ),
        (lambda d: d.update(time_limit_seconds="900"), "time_limit_seconds: must be a whole number"),
        (lambda d: d.update(attempts_per_round=0), "attempts_per_round: must be between 1 and 1000, not 0"),
        (
            lambda d: d["rounds"][0].update(opens_at="2019-06-03 08:00"),
            "rounds[0].opens_at: “2019-06-03 08:00” is not an ISO 8601 date and time with a UTC offset",
        ),
        (lambda d: d["rounds"][0].update(closes_at="04/06/2019"), "rounds[0].closes_at: “04/06/2019” is not an ISO"),
        (lambda d: d["rounds"][1].update(number=1), "rounds[1].number: round 1 appears twice"),
        (
            lambda d: d["rounds"][1].update(opens_at="2019-06-09T08:00:00+07:00"),
            "rounds: rounds 1 and 2 overlap",
        ),
        (
            lambda d: d["rounds"][0].update(closes_at="2019-06-03T07:00:00+07:00"),
            "rounds[0].closes_at: must be after opens_at",
        ),
        (lambda d: d["questions"][2]["choices"].pop(), "A question needs at least two choices."),
        (lambda d: d["questions"][0]["choices"][1].update(correct=True), "exactly one correct choice"),
        (lambda d: d["questions"][1].update(kind="essay"), "“essay” is not one of: single, multiple, true_false"),
        (lambda d: d["questions"][1].update(text=d["questions"][0]["text"]), "the same question as questions[0]"),
        (lambda d: d["questions"][0].pop("choices"), "missing key “choices”"),
        (lambda d: d.update(questions_per_attempt=5), "the file lists only 4 questions"),
        (lambda d: d.update(slug="cchc 2019!"), "is not a valid slug"),
    ],
)
def test_invalid_files_are_refused_with_a_clear_error_and_change_nothing(change, message):
    import_contest(canonical())
    before = json.dumps(export_contest(ContestPage.objects.get()), sort_keys=True)
    data = canonical()
    data["title"] = "Tên đã đổi"
    data["questions"].append(
        {
            "topic": "",
            "text": "Câu hỏi mới?",
            "kind": "single",
            "choices": [{"text": "a", "correct": True}, {"text": "b"}],
        }
    )
    data["questions_per_attempt"] = 3
    change(data)
    with pytest.raises(ContestFileError) as caught:
        import_contest(data)
    assert any(message in error for error in caught.value.errors), caught.value.errors
    assert json.dumps(export_contest(ContestPage.objects.get()), sort_keys=True) == before
    assert not Question.objects.filter(text="Câu hỏi mới?").exists()


def test_not_json_and_wrong_shapes():
    for data, message in [
        (b"{nope", "The file is not valid JSON (line 1, column 2)"),
        (b"[]", "must be an object"),
        ("\xff".encode("latin-1"), "not UTF-8"),
    ]:
        with pytest.raises(ContestFileError) as caught:
            import_contest(data)
        assert message in caught.value.errors[0]
    assert not QuestionBank.objects.exists()


def test_import_command_fails_with_errors_and_changes_nothing(tmp_path):
    data = copy.deepcopy(canonical())
    data["rounds"][0]["opens_at"] = "mai"
    path = tmp_path / "hong.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was changed: the file has 1 error"):
        call_command("import_contest", str(path), stderr=err)
    assert "rounds[0].opens_at" in err.getvalue()
    assert not ContestPage.objects.exists()
    assert not QuestionBank.objects.exists()
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_contest", str(tmp_path / "missing.json"))


def test_the_demo_contest_imports_cleanly_and_round_trips():
    from pathlib import Path

    import quizzes

    path = Path(quizzes.__file__).parent / "demo" / "cchc-2018.json"
    text = path.read_text(encoding="utf-8")
    result = import_contest(text)
    contest = result.contest
    assert contest.title == "Cuộc thi trực tuyến tìm hiểu về cải cách hành chính năm 2018"
    assert (contest.questions_per_attempt, contest.time_limit_seconds, contest.attempts_per_round) == (20, 900, 3)
    assert contest.prediction_question == "Dự đoán có bao nhiêu người tham gia tuần thi này?"
    assert (contest.eligibility, contest.review) == ("everyone", "after_round")
    assert contest.rounds.count() == 4
    questions = contest.bank.questions.active()
    assert questions.count() >= 45
    assert set(questions.values_list("kind", flat=True)) == {"single", "multiple", "true_false"}
    assert all(q.explanation and q.tags.exists() for q in questions)
    assert dumps(export_contest(contest)) == text


def test_shift_rounds_opens_the_chosen_round_now_for_the_demo():
    from quizzes.imports.contest_json import DEMO_CONTEST_PATH, shift_rounds

    data = json.loads(DEMO_CONTEST_PATH.read_text(encoding="utf-8"))
    now = timezone.now()
    shifted = shift_rounds(data, now, number=2)
    assert shifted["rounds"][1]["opens_at"].endswith("T08:00:00+07:00")
    result = import_contest(shifted)
    assert result.contest.round_open_at(now).number == 2
    assert data["rounds"][0]["opens_at"] == "2018-06-04T08:00:00+07:00"  # the original is left alone
