"""PostgreSQL restarted in the middle of a contest, gunicorn left running.

The app heals without a restart (persistent connections are health checked), every
answer acknowledged before the restart is still there, deadlines do not move, and the
requests made while the database is down answer 503 (JSON under /api/, a page elsewhere),
never 500.
"""

import time

import pytest

from .browser import Taker
from .client import answers_by_attempt, participants
from .harness import http_json, wait_for

pytestmark = pytest.mark.reliability
PARTICIPANTS = 6


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_contest_survives_a_database_restart(alive, figures, reliability_settings, mode):
    stack = alive
    outage_seconds = reliability_settings["pg_outage_seconds"]
    contest = stack.contest(participants=PARTICIPANTS, questions=12, per_attempt=10)
    people = participants(stack, contest)
    for person in people:
        assert person.start()[0] == 201
        assert person.answer_many(person.questions()[:4]) == [200] * 4
    deadlines = {person.user_id: person.fetch()[1]["deadline"] for person in people}

    # 1. A restart while nobody asks anything: every worker now holds a dead connection.
    stack.postgres.stop(mode)
    stack.postgres.start()
    after_quiet_restart = [person.answer(person.questions()[4])[0] for person in people]
    assert after_quiet_restart == [200] * PARTICIPANTS, "a stale connection must be replaced, not reported"

    # 2. An outage with traffic: clean 503s, never a 500.
    stack.postgres.stop(mode)
    down_at = time.monotonic()
    during = []
    try:
        for person in people:
            status, body, headers = person.answer(person.questions()[5])
            during.append(("answer", status))
            assert status == 503, (status, body)
            assert body["code"] == "service_unavailable" and body["detail"]
            assert headers.get("Retry-After")
            status, body, _headers = person.fetch()
            during.append(("attempt", status))
            assert status == 503 and body["code"] == "service_unavailable"
            status, body, _headers = person.submit()
            during.append(("submit", status))
            assert status == 503 and body["code"] == "service_unavailable"
        status, page, headers = http_json("GET", stack.base + contest["url"], headers={"Accept": "text/html"})
        during.append(("contest page", status))
        assert status == 503 and "text/html" in headers.get("Content-Type", "")
        assert "503" in page and "<h1>" in page
        status, _body, _headers = http_json("GET", f"{stack.base}/api/v1/contests/{contest['slug']}/")
        during.append(("contest api", status))
        assert status == 503
        status, _body, _headers = http_json(
            "GET", f"{stack.base}/api/v1/contests/{contest['slug']}/leaderboard/?round=1"
        )
        during.append(("leaderboard", status))
        assert status in (200, 503)  # Redis may still serve a built board
        # The participants keep trying for the rest of the outage (bounded in time and count).
        slowest = 0.0
        for attempt_number in range(2000):
            if time.monotonic() >= down_at + outage_seconds:
                break
            time.sleep(0.02)
            person = people[attempt_number % len(people)]
            asked = time.monotonic()
            status, body, _headers = person.answer(person.questions()[5])
            slowest = max(slowest, time.monotonic() - asked)
            during.append(("answer", status))
            assert status == 503 and body["code"] == "service_unavailable"
    finally:
        stack.postgres.start()
    back_at = time.monotonic()

    # 3. Healed: the first request of each participant succeeds, nothing acknowledged is lost.
    first = people[0]
    healed_in = wait_for(lambda: first.fetch()[0] == 200 and time.monotonic(), 10, what="first 200 after restart")
    for person in people:
        status, attempt, _headers = person.fetch()
        assert status == 200
        assert attempt["state"] == "in_progress"
        assert attempt["deadline"] == deadlines[person.user_id], "the restart must not move a deadline"
        stored = {int(qid): choices for qid, choices in attempt["answers"].items()}
        assert stored == person.acknowledged
    snapshot = stack.snapshot(contest)
    in_database = answers_by_attempt(snapshot)
    for person in people:
        assert in_database[person.attempt["id"]] == person.acknowledged

    # 4. The contest goes on to the end.
    for person in people:
        assert set(person.answer_many(person.questions()[5:])) == {200}
        status, result, _headers = person.submit()
        assert status == 200 and result["state"] == "submitted"
        assert result["score"] == person.expected_score()
    all_statuses = [status for person in people for status in person.statuses]
    assert 500 not in all_statuses and 0 not in all_statuses

    figures.setdefault("postgres_restart", {})[mode] = {
        "participants": PARTICIPANTS,
        "outage_seconds": round(back_at - down_at, 2),
        "requests_during_outage": len(during),
        "answered_503": sum(1 for _kind, status in during if status == 503),
        "answered_500": sum(1 for _kind, status in during if status == 500),
        "slowest_503_ms": round(slowest * 1000, 1),
        "first_success_after_restart_s": round(healed_in - back_at, 3),
        "acknowledged_answers": sum(len(p.acknowledged) for p in people),
        "lost_answers": 0,
    }


def test_an_answer_given_in_the_browser_while_the_database_restarts_is_kept_and_sent(alive, chromium):
    """The page gets a 503 for it: it keeps the answer and sends it again itself, it does not drop it."""
    stack = alive
    contest = stack.contest(participants=1, questions=8, per_attempt=5, time_limit=900)
    taker = Taker(chromium, stack.base, contest)
    try:
        taker.log_in_and_start()
        before = taker.choose(0)
        taker.wait_saved(before)
        stack.postgres.stop("fast")
        try:
            during = taker.choose(1)
            taker.page.locator(f"#question-{during} .save-state[data-state=pending]").wait_for(timeout=10_000)
            taker.shot("answer-during-database-restart")
        finally:
            stack.postgres.start()
        taker.wait_saved(during, timeout=25_000)  # the page's own retry, once the database is back
    finally:
        taker.context.close()
    stored = answers_by_attempt(stack.snapshot(contest))
    assert set(stored[taker.attempt_id]) == {before, during}
