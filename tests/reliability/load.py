"""The deadline rush: a bounded asyncio load client (httpx) for the contest API on loopback.

N participants arrive over a window that ends a few seconds before the round closes, more and
more of them towards the end (twice the average rate in the last moments);
each starts an attempt, autosaves its answers one by one (now and then changing one), then
submits and looks at the boards. The last ones run into the round's close: their late answers
are refused (409) and their attempts graded ``expired`` — the server's deadline rules.

Everything the server acknowledged is recorded (answers with 200, submits with 200), so the
database can be checked afterwards: every acknowledged answer stored and counted, every
acknowledged submit graded once. Every request has a timeout, the whole run a hard cap.
"""

import asyncio
import math
import random
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx

KINDS = ("start", "answer", "submit", "board", "me")


@dataclass
class Record:
    user_id: int
    token: str
    attempt_id: int | None = None
    acknowledged: dict = field(default_factory=dict)  # question id -> choices answered 200
    refused_late: int = 0  # answers refused with 409 deadline_passed
    submitted: dict | None = None  # the 200 answer to the submit
    late_to_start: bool = False  # the round had closed (409 no_open_round)


@dataclass
class Rush:
    records: list
    latencies: dict  # kind -> [seconds]
    statuses: dict  # (kind, status) -> count
    unexpected: list  # (kind, status, body) of 5xx, network errors and surprises
    started: float = 0.0
    elapsed: float = 0.0
    retries: int = 0

    @property
    def requests(self):
        return sum(self.statuses.values())

    def percentile(self, kind, share):
        values = sorted(self.latencies.get(kind, []) if kind else [v for vs in self.latencies.values() for v in vs])
        if not values:
            return None
        index = min(len(values) - 1, max(0, math.ceil(share * len(values)) - 1))  # nearest rank
        return values[index]

    def summary(self):
        by_kind = {}
        for kind in (*KINDS, None):
            values = self.latencies.get(kind, []) if kind else [v for vs in self.latencies.values() for v in vs]
            if not values:
                continue
            by_kind[kind or "all"] = {
                "requests": len(values),
                "p50_ms": round(self.percentile(kind, 0.50) * 1000, 1),
                "p95_ms": round(self.percentile(kind, 0.95) * 1000, 1),
                "p99_ms": round(self.percentile(kind, 0.99) * 1000, 1),
                "max_ms": round(max(values) * 1000, 1),
            }
        graded = [r.submitted for r in self.records if r.submitted]
        return {
            "participants": len(self.records),
            "elapsed_s": round(self.elapsed, 1),
            "requests": self.requests,
            "throughput_rps": round(self.requests / self.elapsed, 1) if self.elapsed else None,
            "statuses": {f"{kind} {status}": count for (kind, status), count in sorted(self.statuses.items())},
            "acknowledged_answers": sum(len(r.acknowledged) for r in self.records),
            "answers_refused_after_close": sum(r.refused_late for r in self.records),
            "acknowledged_submits": len(graded),
            "submitted": sum(1 for g in graded if g["state"] == "submitted"),
            "expired": sum(1 for g in graded if g["state"] == "expired"),
            "late_to_start": sum(1 for r in self.records if r.late_to_start),
            "server_errors": sum(count for (_kind, status), count in self.statuses.items() if status >= 500),
            "network_errors": sum(count for (_kind, status), count in self.statuses.items() if status == 0),
            "retries": self.retries,
            "failed_after_retries": len(self.unexpected),
            "latency": by_kind,
        }


RETRY_STATUSES = {0, 429, 502, 503, 504}  # no answer, or "try again": what the quiz page retries
RETRY_DELAYS = (1, 2, 4, 8)  # seconds; then the request counts as failed


async def _call(client, rush, kind, method, path, token=None, body=None):
    """One request, retried like the quiz page does when the server gave no usable answer.

    Every try is counted (statuses, latencies); the last one is returned. Safe to retry: a
    start resumes the attempt in progress, an answer overwrites itself, a submit repeats.
    """
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    for delay in (*RETRY_DELAYS, None):
        started = time.perf_counter()
        try:
            response = await client.request(method, path, json=body, headers=headers)
            status = response.status_code
            is_json = response.headers.get("content-type", "").startswith("application/json")
            data = response.json() if is_json else None
        except (httpx.HTTPError, ValueError) as error:
            status, data = 0, repr(error)
        rush.latencies.setdefault(kind, []).append(time.perf_counter() - started)
        rush.statuses[(kind, status)] = rush.statuses.get((kind, status), 0) + 1
        if status not in RETRY_STATUSES or delay is None:
            return status, data
        rush.retries += 1
        await asyncio.sleep(delay)
    return status, data


def _choices(contest, question_id, right):
    entry = contest["questions"][str(question_id)]
    return sorted(entry["correct"]) if right else [entry["wrong"][0]]


async def _participant(client, rush, contest, record, arrival, rng, think):
    await asyncio.sleep(arrival)
    slug = contest["slug"]
    status, attempt = await _call(client, rush, "start", "POST", f"/api/v1/contests/{slug}/attempts/", record.token)
    if status == 409 and attempt and attempt.get("code") == "no_open_round":
        record.late_to_start = True
        return
    if status not in (200, 201):
        rush.unexpected.append(("start", status, attempt))
        return
    record.attempt_id = attempt["id"]
    questions = [question["id"] for question in attempt["questions"]]
    # Most answer every question; some change their mind once; a few leave some out.
    plan = [(qid, rng.random() < 0.7) for qid in questions if rng.random() < 0.95]
    if plan and rng.random() < 0.3:
        plan.append((plan[0][0], not plan[0][1]))
    for question_id, right in plan:
        await asyncio.sleep(rng.uniform(*think))
        choices = _choices(contest, question_id, right)
        status, body = await _call(
            client,
            rush,
            "answer",
            "PUT",
            f"/api/v1/attempts/{record.attempt_id}/answers/{question_id}/",
            record.token,
            {"choices": choices},
        )
        if status == 200:
            record.acknowledged[question_id] = choices
        elif status == 409 and body and body.get("code") in ("deadline_passed", "attempt_finished"):
            record.refused_late += 1
            break
        else:
            rush.unexpected.append(("answer", status, body))
    status, result = await _call(
        client,
        rush,
        "submit",
        "POST",
        f"/api/v1/attempts/{record.attempt_id}/submit/",
        record.token,
        {"prediction": rng.randint(0, 5000)},
    )
    if status == 200:
        record.submitted = result
    else:
        rush.unexpected.append(("submit", status, result))
        return
    if rng.random() < 0.5:
        status, body = await _call(
            client, rush, "me", "GET", f"/api/v1/contests/{slug}/leaderboard/me/?round=1", record.token
        )
        if status != 200:
            rush.unexpected.append(("me", status, body))
    if rng.random() < 0.3:
        status, body = await _call(client, rush, "board", "GET", f"/api/v1/contests/{slug}/leaderboard/?round=1")
        if status != 200:
            rush.unexpected.append(("board", status, body))


async def run_rush(base, contest, tail=3.0, think=(0.1, 0.6), seed=2018, timeout=30.0, cap=None, connections=500):
    """Run the rush against ``base``; arrivals end ``tail`` seconds before the round closes."""
    closes_at = datetime.fromisoformat(contest["closes_at"]).timestamp()
    window = max(1.0, closes_at - time.time() - tail)
    rng = random.Random(seed)  # noqa: S311 — load pattern, not security
    records = [Record(entry["user_id"], entry["token"]) for entry in contest["participants"]]
    # Arrivals bunch towards the deadline: the density grows linearly, twice the average at the end.
    arrivals = sorted(window * math.sqrt(rng.random()) for _ in records)
    rush = Rush(records=records, latencies={}, statuses={}, unexpected=[])
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=0)
    cap = cap or window + tail + 120
    async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as client:
        rush.started = time.perf_counter()
        async with asyncio.timeout(cap):
            await asyncio.gather(
                *[
                    _participant(client, rush, contest, record, arrival, random.Random(rng.random()), think)  # noqa: S311
                    for record, arrival in zip(records, arrivals, strict=True)
                ]
            )
        rush.elapsed = time.perf_counter() - rush.started
    return rush


def rush(base, contest, **options):
    return asyncio.run(run_rush(base, contest, **options))
