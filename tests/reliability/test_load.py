"""The deadline rush against gunicorn + PostgreSQL + Redis (a small N in CI, a large one under
``make soak``): zero lost answers, zero 5xx, graded attempts = acknowledged submits, and the
boards in Redis equal to SQL afterwards; the round closes on the last of them and its final
ranking holds everyone graded. Throughput and latency percentiles go to the figures."""

import time
from datetime import datetime

import pytest

from .client import answers_by_attempt, api_boards
from .harness import http_json, wait_for
from .load import rush

pytestmark = pytest.mark.reliability
TAIL_SECONDS = 3  # the last arrival comes this long before the round closes: the slowest run into it
SETUP_SECONDS = 2  # between creating the contest and the first arrival
GRACE_SECONDS = 2  # quizzes.services.clock.GRACE


def test_deadline_rush_loses_nothing(alive, reliability_settings, figures):
    stack = alive
    count, window = reliability_settings["load_participants"], reliability_settings["load_window"]
    contest = stack.contest(
        participants=count,
        questions=30,
        per_attempt=10,
        time_limit=900,
        units=20,
        closes_in=SETUP_SECONDS + window + TAIL_SECONDS + count / 500,  # bigger data sets take longer to set up
    )
    result = rush(stack.base, contest, tail=TAIL_SECONDS, cap=window + 600)
    summary = result.summary()

    assert summary["server_errors"] == 0, summary["statuses"]
    assert not result.unexpected, result.unexpected[:10]  # nothing failed after its retries, no surprise 4xx
    assert summary["acknowledged_submits"] > count // 2

    snapshot = stack.snapshot(contest)
    stored = answers_by_attempt(snapshot)
    attempts = {attempt["id"]: attempt for attempt in snapshot["attempts"]}
    records = {record.attempt_id: record for record in result.records if record.attempt_id}
    assert set(attempts) == set(records), "an attempt the clients do not know of, or one missing"
    lost = 0
    for attempt_id, record in records.items():
        attempt = attempts[attempt_id]
        in_database = stored.get(attempt_id, {})
        lost += sum(1 for qid, choices in record.acknowledged.items() if in_database.get(qid) != choices)
        assert set(in_database) == set(record.acknowledged), "only acknowledged answers are stored"
        correct = sum(
            1
            for qid, choices in record.acknowledged.items()
            if sorted(choices) == sorted(contest["questions"][str(qid)]["correct"])
        )
        assert attempt["score"] == correct, "every acknowledged answer counts"
        assert record.submitted is not None
        assert (attempt["state"], attempt["score"]) == (record.submitted["state"], record.submitted["score"])
    assert lost == 0
    graded = [a for a in snapshot["attempts"] if a["state"] in ("submitted", "expired")]
    assert len(graded) == summary["acknowledged_submits"] == len(snapshot["standings"])
    assert len(graded) == len(snapshot["attempts"]), "every attempt graded by its own submit, none left in progress"
    assert sum(row["participants"] for row in snapshot["unit_standings"]) == len(snapshot["standings"])
    assert api_boards(stack.base, contest, limit=500) == stack.agent("boards", contest)

    # The round closed under the rush: once the grace is over, the organizer's close_round.
    closes_at = datetime.fromisoformat(contest["closes_at"]).timestamp()
    time.sleep(max(0.0, closes_at + GRACE_SECONDS + 1 - time.time()))
    final = stack.agent("close_round", contest)
    assert final["final_standings"] == len(graded)

    def final_board():  # other processes see the closed round within quizzes.services.lookup.TTL_SECONDS
        status, board, _headers = http_json(
            "GET", f"{stack.base}/api/v1/contests/{contest['slug']}/leaderboard/?round=1"
        )
        return board if status == 200 and board["final"] else None

    assert wait_for(final_board, 15, interval=0.5, what="the final board")["total"] == len(graded)

    summary["lost_answers"] = lost
    summary["graded_attempts"] = len(graded)
    summary["window_s"] = window
    summary["workers"] = reliability_settings["workers"]
    figures["deadline_rush"] = summary
