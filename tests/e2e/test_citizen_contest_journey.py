"""A citizen registers and takes the contest with the keyboard alone: a registration error
shown inline first, then the account; answers chosen with arrow keys and the space bar, each
saved; a reload mid-attempt brings them back; the countdown tells screen readers the last
minute has come (politely); submit, and find themself on the board. Every page passes axe-core."""

import re

import pytest

from elearning.models import Profile
from quizzes.models import Answer, Attempt
from tests.factories.elearning import UnitFactory
from tests.factories.quizzes import make_contest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("baseline")]
PASSWORD = "Mat-khau-2018"


def fill_registration(page, phone):
    page.get_by_label("Họ và tên").fill("Trần Văn Bình")
    page.get_by_label("Số điện thoại").fill(phone)
    page.get_by_label(re.compile("^Mật khẩu")).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Xã, phường hoặc đơn vị").select_option(label="Xã Yên Trạch")
    page.get_by_label("Năm sinh").fill("1990")


def saved_answers(page, attempt, expected, seconds=5):
    """Wait until the server holds ``expected`` ({question id: [choice ids]}) for the attempt."""
    for _ in range(seconds * 10):
        saved = {answer.question_id: answer.choice_ids for answer in Answer.objects.filter(attempt=attempt)}
        if saved == expected:
            return
        page.wait_for_timeout(100)
    assert saved == expected


def test_citizen_registers_and_takes_the_contest_by_keyboard(live_server, page, audit):
    UnitFactory(code="xa-yen-trach", name="Xã Yên Trạch")
    # 62 s: the last-minute announcement comes two seconds after the start.
    contest = make_contest(questions=6, rounds=1, questions_per_attempt=3, time_limit_seconds=62)
    base = live_server.url

    page.goto(f"{base}/accounts/register/")
    fill_registration(page, "0912 34")  # too short: the form says so next to the field
    page.get_by_role("button", name="Tạo tài khoản").click()
    phone = page.get_by_label("Số điện thoại")
    assert phone.get_attribute("aria-invalid") == "true"
    error_id = phone.get_attribute("aria-describedby").split()
    assert any(page.locator(f"#{ident}").inner_text().strip() for ident in error_id if "error" in ident)
    audit("register-error")

    fill_registration(page, "0912345678")
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_load_state()
    profile = Profile.objects.get(phone="0912345678")
    assert profile.kind == Profile.Kind.CITIZEN

    page.goto(base + contest.url)
    audit("contest")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/contest/attempts/*/")
    attempt = Attempt.objects.get(user=profile.user)
    first, second, third = attempt.draw

    # Keyboard only: focus the first choice, arrows move the choice, each choice is saved.
    page.locator(f'input[name="q_{first["q"]}"]').first.focus()
    page.keyboard.press("Space")
    page.locator(f"#question-{first['q']} .save-state[data-state=saved]").wait_for()
    page.keyboard.press("ArrowDown")  # the next choice of the same question replaces the answer
    page.keyboard.press("Tab")  # on to the next question's choices
    page.keyboard.press("Space")
    page.locator(f"#question-{second['q']} .save-state[data-state=saved]").wait_for()
    expected = {first["q"]: [first["c"][1]], second["q"]: [second["c"][0]]}
    saved_answers(page, attempt, expected)

    announcer = page.locator("#quiz-announcer")
    assert announcer.get_attribute("aria-live") == "polite"
    page.wait_for_function("() => document.getElementById('quiz-announcer').textContent.trim() !== ''")
    assert announcer.inner_text() == "Còn một phút"
    audit("runner")

    page.reload()  # resume: the server's copy of the answers comes back
    assert page.locator(f'input[name="q_{first["q"]}"][value="{first["c"][1]}"]').is_checked()
    assert page.locator(f'input[name="q_{second["q"]}"][value="{second["c"][0]}"]').is_checked()

    page.locator(f'input[name="q_{third["q"]}"]').first.check()
    page.locator(f"#question-{third['q']} .save-state[data-state=saved]").wait_for()
    page.get_by_label(contest.prediction_question).fill("120")
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/result/")
    audit("result")
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.prediction == 120

    page.goto(base + contest.url + "leaderboard/")
    row = page.locator("tr.is-highlighted")
    assert "Trần Văn Bình" in row.inner_text()
    audit("leaderboard")
