"""The browser loses the network mid-attempt (Playwright's offline mode) against the real
gunicorn + PostgreSQL + Redis.

Two participants go offline together for RELIABILITY_OFFLINE_SECONDS (a few seconds in CI,
a minute under ``make soak``). The answers they give offline wait in the page (localStorage)
and are sent by the page itself when the network returns — nothing here nudges it. The
server's deadline rules: the participant whose deadline passes while offline is graded
``expired`` with only the answers saved in time; the others are refused, not counted.
"""

import time
from datetime import datetime

import pytest

from .browser import Taker
from .client import answers_by_attempt

pytestmark = pytest.mark.reliability
GRACE_SECONDS = 2  # quizzes.services.clock.GRACE


def test_answers_given_offline_are_sent_back_online_and_the_deadline_rules(
    alive, chromium, reliability_settings, figures
):
    stack = alive
    offline_seconds = reliability_settings["offline_seconds"]
    short_limit = max(12, offline_seconds // 2)
    relaxed = Taker(chromium, stack.base, stack.contest(participants=1, questions=8, per_attempt=5, time_limit=900))
    hurried = Taker(
        chromium, stack.base, stack.contest(participants=1, questions=8, per_attempt=5, time_limit=short_limit)
    )
    try:
        hurried.log_in()
        relaxed.log_in_and_start()
        online = [relaxed.choose(0), relaxed.choose(1)]
        for question_id in online:
            relaxed.wait_saved(question_id)
        hurried.start()  # last, so its short time runs while offline
        in_time = hurried.choose(0)
        hurried.wait_saved(in_time)
        hurried_deadline = hurried.deadline()
        assert hurried_deadline > time.time(), "the short attempt ran out before going offline: machine too slow"

        for taker in (relaxed, hurried):
            taker.context.set_offline(True)
        went_offline = time.monotonic()
        offline_answers = [relaxed.choose(2), relaxed.choose(3)]
        late = [hurried.choose(1), hurried.choose(2)]
        for taker, question_id in ((relaxed, offline_answers[-1]), (hurried, late[-1])):
            taker.page.locator(f"#question-{question_id} .save-state[data-state=pending]").wait_for()
            assert taker.page.locator("#connection-status").is_visible()
        relaxed.shot("relaxed-offline")

        # Nothing given offline reached the server.
        stored = answers_by_attempt(stack.agent("snapshot", {"contest_id": relaxed.contest["contest_id"]}))
        assert set(stored[relaxed.attempt_id]) == set(online)

        # Stay offline for the configured time, and past the hurried one's deadline and grace.
        past_grace = time.monotonic() + (hurried_deadline + GRACE_SECONDS + 1 - time.time())
        until = max(went_offline + offline_seconds, past_grace)
        while time.monotonic() < until:
            relaxed.page.wait_for_timeout(min(1000, max(0, (until - time.monotonic()) * 1000)))
        offline_for = time.monotonic() - went_offline
        hurried.shot("hurried-time-up-offline")

        assert time.time() > hurried_deadline + GRACE_SECONDS
        for taker in (relaxed, hurried):
            taker.context.set_offline(False)
        back = time.monotonic()
        for question_id in offline_answers:
            relaxed.wait_saved(question_id, timeout=25_000)
        resent_in = time.monotonic() - back
        hurried.page.wait_for_url("**/result/", timeout=25_000)  # the server refused, the page shows the result
        hurried.shot("hurried-result")

        last = relaxed.choose(4)
        relaxed.wait_saved(last)
        relaxed.page.fill("input[name=prediction]", "250")
        relaxed.page.locator("#quiz-form button[name=action][value=submit]").click()
        relaxed.page.wait_for_url("**/result/")
        relaxed.shot("relaxed-result")
    finally:
        relaxed.context.close()
        hurried.context.close()

    relaxed_state = stack.agent("snapshot", {"contest_id": relaxed.contest["contest_id"]})
    (attempt,) = relaxed_state["attempts"]
    assert attempt["state"] == "submitted"
    assert set(answers_by_attempt(relaxed_state)[attempt["id"]]) == {*online, *offline_answers, last}
    assert attempt["score"] == 5

    hurried_state = stack.agent("snapshot", {"contest_id": hurried.contest["contest_id"]})
    (attempt,) = hurried_state["attempts"]
    assert attempt["state"] == "expired"
    assert set(answers_by_attempt(hurried_state)[attempt["id"]]) == {in_time}, "answers sent after the deadline count"
    assert attempt["score"] == 1
    assert datetime.fromisoformat(attempt["deadline"]).timestamp() == hurried_deadline

    figures["browser_offline"] = {
        "offline_seconds": round(offline_for, 1),
        "answers_given_offline": len(offline_answers) + len(late),
        "resent_within_seconds": round(resent_in, 1),
        "sent_after_deadline_and_refused": len(late),
        "hurried_time_limit_seconds": short_limit,
    }
