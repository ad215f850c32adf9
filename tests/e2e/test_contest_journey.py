"""A participant takes the contest in a real browser: resume after a reload, lose
the network mid-attempt without losing an answer, submit, find themself on the board."""

import pytest

from elearning.models import Profile
from quizzes.models import Answer, Attempt
from tests.factories.elearning import ProfileFactory
from tests.factories.quizzes import make_contest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Mat-khau-2018"


def log_in(page, base, phone):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", phone)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def choose(page, attempt, index, choice_index=0):
    item = attempt.draw[index]
    page.locator(f'input[name="q_{item["q"]}"][value="{item["c"][choice_index]}"]').check()
    return item


def test_take_the_contest_offline_and_back(live_server, page, shot):
    contest = make_contest(questions=8, rounds=1, questions_per_attempt=5, time_limit_seconds=600)
    profile = ProfileFactory(kind=Profile.Kind.CITIZEN)
    log_in(page, live_server.url, profile.phone)

    page.goto(live_server.url + contest.url)
    shot("contest")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/contest/attempts/*/")
    attempt = Attempt.objects.get(user=profile.user)
    assert page.locator("#countdown").inner_text().strip()

    first = choose(page, attempt, 0)
    second = choose(page, attempt, 1, 1)
    saved = page.locator(f"#question-{second['q']} .save-state[data-state=saved]")
    saved.wait_for()
    assert Answer.objects.filter(attempt=attempt).count() == 2

    page.reload()  # resume: the server's copy of the answers comes back
    assert page.locator(f'input[name="q_{first["q"]}"][value="{first["c"][0]}"]').is_checked()
    assert page.locator(f'input[name="q_{second["q"]}"][value="{second["c"][1]}"]').is_checked()

    page.context.set_offline(True)
    third = choose(page, attempt, 2)
    fourth = choose(page, attempt, 3)
    page.locator(f"#question-{fourth['q']} .save-state[data-state=pending]").wait_for()
    assert page.locator("#connection-status").is_visible()
    shot("offline")
    assert Answer.objects.filter(attempt=attempt).count() == 2  # nothing reached the server

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator(f"#question-{fourth['q']} .save-state[data-state=saved]").wait_for()
    page.locator(f"#question-{third['q']} .save-state[data-state=saved]").wait_for()
    assert Answer.objects.filter(attempt=attempt).count() == 4

    choose(page, attempt, 4)
    page.fill("input[name=prediction]", "321")
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/result/")
    shot("result")
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.prediction == 321
    assert Answer.objects.filter(attempt=attempt).count() == 5

    page.get_by_role("link", name="Xem bảng xếp hạng").click()
    row = page.locator("tr.is-highlighted")
    assert profile.full_name in row.inner_text()
    shot("leaderboard")
