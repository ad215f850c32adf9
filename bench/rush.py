"""A bounded asyncio load client for the contest API (loopback only).

- ``rush``: the deadline rush — N participants arrive spread over a window; each starts
  an attempt, autosaves 10 answers and submits, back to back. Every request is bounded
  by a timeout and the whole run by a hard cap; acknowledged answers and results are
  written out so the database can be checked afterwards (nothing lost, scores right).
- ``closed``: a fixed number of connections doing one request after another for a
  fixed time (the fallback when wrk is missing).
- ``consistency``: two app instances sharing PostgreSQL and Redis — start on A,
  autosave on B, submit on A, boards and ranks from both compared.

gunicorn's sync workers close every connection after the response, so each request
opens its own connection (as wrk does against them).
"""

import asyncio
import json
import random
import time
from urllib.parse import urlparse


class Response:
    def __init__(self, status, body, seconds):
        self.status, self.body, self.seconds = status, body, seconds

    def json(self):
        return json.loads(self.body) if self.body else None


async def http(base, method, path, token=None, body=None, timeout=30.0, cookie=None):
    """One HTTP/1.1 request on its own connection; returns Response (status 0 on a network error)."""
    url = urlparse(base)
    payload = b"" if body is None else json.dumps(body).encode()
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {url.hostname}:{url.port}",
        "Connection: close",
        "Accept: application/json",
        "User-Agent: cchc-bench",
    ]
    if token:
        lines.append(f"Authorization: Token {token}")
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + payload
    started = time.perf_counter()
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(url.hostname, url.port)
            writer.write(raw)
            data = await reader.read(-1)
    except (TimeoutError, OSError):
        return Response(0, b"", time.perf_counter() - started)
    finally:
        if writer is not None:
            writer.close()
    seconds = time.perf_counter() - started
    head, _sep, content = data.partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return Response(0, b"", seconds)
    if b"transfer-encoding: chunked" in head.lower():
        content = _dechunk(content)
    return Response(status, content, seconds)


def _dechunk(data):
    out = bytearray()
    while data:
        size_line, _sep, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2 :]
    return bytes(out)


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def summary(values):
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 50) * 1000, 1) if values else None,
        "p95_ms": round(percentile(values, 95) * 1000, 1) if values else None,
        "p99_ms": round(percentile(values, 99) * 1000, 1) if values else None,
        "max_ms": round(max(values) * 1000, 1) if values else None,
    }


# -- the deadline rush ---------------------------------------------------------------------------
async def participant(base, token, user_id, delay, slots, record, cap_at, rng):
    await asyncio.sleep(delay)
    arrived = time.perf_counter()
    out = {"user": user_id, "acked": {}, "errors": [], "unsent": False}
    record["participants"].append(out)
    async with slots:  # at most N people answering at once; the others wait at the door
        out["waited"] = time.perf_counter() - arrived
        await _session(base, token, out, record, cap_at, rng)
    out["session_seconds"] = time.perf_counter() - arrived


async def _session(base, token, out, record, cap_at, rng):
    await _answer(_caller(base, token, out, record, cap_at), out, record, rng)


def _caller(base, token, out, record, cap_at, moments=None, t0=None):
    """``call(kind, method, path, body)`` for one participant: sends the request (at its moment of
    ``moments``, seconds after ``t0``, when given; at once when late) and records its latency;
    None once the hard cap has passed."""

    async def call(kind, method, path, body=None):
        if moments is not None:
            delay = t0 + next(moments) - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        if time.perf_counter() > cap_at:
            out["unsent"] = True
            return None
        response = await http(base, method, path, token=token, body=body)
        record["latency"][kind].append(response.seconds)
        record["latency"]["all"].append(response.seconds)
        return response

    return call


async def _answer(call, out, record, rng):
    """One participant's contest: start, 10 autosaves, submit, through ``call(kind, method, path,
    body)`` (None when nothing more may be sent); acknowledged answers and the result go in ``out``."""
    started = await call("start", "POST", f"/api/v1/contests/{record['slug']}/attempts/")
    if started is None:
        return
    if started.status not in (200, 201):
        out["errors"].append(f"start: {started.status if started else '-'} {started.body[:200] if started else ''}")
        return
    attempt = started.json()
    out["attempt"] = attempt["id"]
    for question in attempt["questions"][:10]:
        choice = rng.choice(question["choices"])["id"]
        saved = await call(
            "autosave", "PUT", f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}/", {"choices": [choice]}
        )
        if saved is None:
            return
        if saved.status != 200:
            out["errors"].append(f"autosave: {saved.status} {saved.body[:200]}")
            continue
        out["acked"][str(question["id"])] = saved.json()["choices"]
    done = await call(
        "submit", "POST", f"/api/v1/attempts/{attempt['id']}/submit/", {"prediction": rng.randint(100, 9000)}
    )
    if done is None:
        return
    if done.status != 200:
        out["errors"].append(f"submit: {done.status} {done.body[:200]}")
        return
    out["result"] = done.json()
    out["finished_after"] = time.perf_counter() - record["t0"]


def _new_record(slug):
    """What a rush collects: the contest, each participant's outcome, latencies by kind."""
    return {"slug": slug, "participants": [], "latency": {"start": [], "autosave": [], "submit": [], "all": []}}


async def rush(base, slug, users, window, concurrency, cap, seed=6):
    """``concurrency`` people answer at once (each has one request in flight at a time)."""
    rng = random.Random(seed)
    record = _new_record(slug)
    limiter = asyncio.Semaphore(concurrency)
    record["t0"] = t0 = time.perf_counter()
    spread = max(1.0, window - 10.0)  # arrivals over the window less 10 s, to finish in it
    cap_at = t0 + cap
    tasks = [
        participant(base, token, uid, i * spread / len(users), limiter, record, cap_at, rng)
        for i, (token, uid) in enumerate(users)
    ]
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    people = record["participants"]
    finished = [p for p in people if "result" in p]
    errors = [e for p in people for e in p["errors"]]
    return {
        "participants": len(users),
        "window_s": window,
        "concurrency_limit": concurrency,
        "cap_s": cap,
        "elapsed_s": round(elapsed, 1),
        "finished": len(finished),
        "finished_in_window": sum(1 for p in finished if p["finished_after"] <= window),
        "last_finish_s": round(max((p["finished_after"] for p in finished), default=0), 1),
        "requests": len(record["latency"]["all"]),
        "throughput_rps": round(len(record["latency"]["all"]) / elapsed, 1),
        "errors": len(errors),
        "error_samples": errors[:10],
        "not_finished_by_cap": sum(1 for p in people if p["unsent"]) + (len(users) - len(people)),
        "waited_at_door": summary([p["waited"] for p in people if "waited" in p]),
        "latency": {kind: summary(values) for kind, values in record["latency"].items()},
        "session": summary([p["session_seconds"] for p in finished]),  # arrival to submitted
        "acknowledged": [
            {"user": p["user"], "attempt": p.get("attempt"), "acked": p["acked"], "result": p.get("result")}
            for p in people
        ],
    }


# -- the deadline rush, paced like people --------------------------------------------------------
async def paced_participant(base, token, user_id, plan, record, t0, cap_at, rng):
    """``plan``: the moments (seconds after ``t0``) of the start, the 10 autosaves and the submit.
    Each request is sent at its moment, or at once when the previous answer came late."""
    out = {"user": user_id, "acked": {}, "errors": [], "unsent": False}
    record["participants"].append(out)
    out["arrived"] = t0 + plan[0]
    await _answer(_caller(base, token, out, record, cap_at, iter(plan), t0), out, record, rng)
    out["session_seconds"] = time.perf_counter() - out["arrived"]


async def paced_rush(base, slug, users, window, think, cap, seed=7):
    """The deadline rush as people make it: each participant reads every question before answering
    (``think`` = (shortest, longest) seconds, uniformly), so a session takes minutes, and their
    submits are spread over the same ``window`` seconds, which opens once the slowest readers have
    started. Nobody waits at a door: each person has at most one request in flight."""
    rng = random.Random(seed)
    plans = []
    for _ in users:
        gaps = [rng.uniform(*think) for _ in range(11)]  # before each of the 10 answers and the submit
        plans.append(gaps)
    lead = max(sum(gaps) for gaps in plans)
    submits = [lead + (i + 0.5) * (window - 5.0) / len(users) for i in range(len(users))]
    rng.shuffle(submits)
    schedules = []
    for gaps, submit_at in zip(plans, submits, strict=True):
        moments = [submit_at - sum(gaps)]
        for gap in gaps:
            moments.append(moments[-1] + gap)
        schedules.append(moments)
    record = _new_record(slug)
    record["t0"] = t0 = time.perf_counter()
    window_end = lead + window
    cap_at = t0 + window_end + cap
    await asyncio.gather(
        *(
            paced_participant(base, token, uid, plan, record, t0, cap_at, rng)
            for (token, uid), plan in zip(users, schedules, strict=True)
        )
    )
    elapsed = time.perf_counter() - t0
    people = record["participants"]
    finished = [p for p in people if "result" in p]
    errors = [e for p in people for e in p["errors"]]
    busiest = _busiest_second(people)
    return {
        "participants": len(users),
        "window_s": window,
        "think_s": list(think),
        "window_opens_s": round(lead, 1),
        "cap_s": cap,
        "elapsed_s": round(elapsed, 1),
        "finished": len(finished),
        "finished_in_window": sum(1 for p in finished if lead <= p["finished_after"] <= window_end),
        "first_finish_s": round(min((p["finished_after"] for p in finished), default=0) - lead, 1),
        "last_finish_s": round(max((p["finished_after"] for p in finished), default=0) - lead, 1),
        "busiest_second_submits": busiest,
        "requests": len(record["latency"]["all"]),
        "throughput_rps": round(len(record["latency"]["all"]) / elapsed, 1),
        "errors": len(errors),
        "error_samples": errors[:10],
        "not_finished_by_cap": sum(1 for p in people if p["unsent"]),
        "latency": {kind: summary(values) for kind, values in record["latency"].items()},
        "session": summary([p["session_seconds"] for p in finished]),
        "acknowledged": [
            {"user": p["user"], "attempt": p.get("attempt"), "acked": p["acked"], "result": p.get("result")}
            for p in people
        ],
    }


def _busiest_second(people):
    """The most submits acknowledged within one second of the run."""
    per_second = {}
    for p in people:
        if "finished_after" in p:
            second = int(p["finished_after"])
            per_second[second] = per_second.get(second, 0) + 1
    return max(per_second.values(), default=0)


# -- closed loop (wrk fallback) ---------------------------------------------------------------------
async def closed_loop(base, make_request, connections, seconds):
    latencies, statuses = [], {}
    stop_at = time.perf_counter() + seconds

    async def worker(n):
        rng = random.Random(n)
        while time.perf_counter() < stop_at:
            method, path, token, body, cookie = make_request(rng)
            response = await http(base, method, path, token=token, body=body, cookie=cookie)
            latencies.append(response.seconds)
            statuses[response.status] = statuses.get(response.status, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(connections)))
    elapsed = time.perf_counter() - started
    bad = sum(count for status, count in statuses.items() if not 200 <= status < 400)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "errors": bad,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p90_ms": percentile(latencies, 90) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }


# -- two instances ------------------------------------------------------------------------------------
async def consistency(base_a, base_b, slug, round_number, token):
    steps, problems = [], []

    def check(condition, what):
        steps.append(("ok " if condition else "FAIL ") + what)
        if not condition:
            problems.append(what)

    started = await http(base_a, "POST", f"/api/v1/contests/{slug}/attempts/", token=token)
    check(started.status in (200, 201), f"start on A answers {started.status}")
    attempt = started.json()
    questions = attempt["questions"]
    first, second = questions[0], questions[1]
    saved = await http(
        base_b, "PUT", f"/api/v1/attempts/{attempt['id']}/answers/{first['id']}/", token=token,
        body={"choices": [first["choices"][0]["id"]]},
    )  # fmt: skip
    check(saved.status == 200, f"autosave on B answers {saved.status}")
    seen = (await http(base_a, "GET", f"/api/v1/attempts/{attempt['id']}/", token=token)).json()
    check(
        seen["answers"].get(str(first["id"])) == [first["choices"][0]["id"]],
        "A reads the answer saved on B",
    )
    resumed = await http(base_b, "POST", f"/api/v1/contests/{slug}/attempts/", token=token)
    check(resumed.status == 200 and resumed.json()["id"] == attempt["id"], "B resumes the attempt started on A")
    await http(
        base_b, "PUT", f"/api/v1/attempts/{attempt['id']}/answers/{second['id']}/", token=token,
        body={"choices": [second["choices"][-1]["id"]]},
    )  # fmt: skip
    submitted = await http(
        base_a, "POST", f"/api/v1/attempts/{attempt['id']}/submit/", token=token, body={"prediction": 500}
    )
    check(submitted.status == 200, f"submit on A answers {submitted.status}")
    result = submitted.json()
    on_b = (await http(base_b, "GET", f"/api/v1/attempts/{attempt['id']}/", token=token)).json()
    check(
        on_b["state"] == "submitted" and on_b["score"] == result["score"],
        "B sees the attempt submitted on A, same score",
    )
    again = (await http(base_b, "POST", f"/api/v1/attempts/{attempt['id']}/submit/", token=token, body={})).json()
    check(again == result, "a repeat submit on B returns the same result")
    for query in (f"?round={round_number}", "", f"?round={round_number}&scope=unit"):
        board_a = (
            await http(base_a, "GET", f"/api/v1/contests/{slug}/leaderboard/{query}&limit=50".replace("/&", "/?"))
        ).json()
        board_b = (
            await http(base_b, "GET", f"/api/v1/contests/{slug}/leaderboard/{query}&limit=50".replace("/&", "/?"))
        ).json()
        check(board_a == board_b, f"board {query or '(contest)'} from B equals board from A")
    me_a = (
        await http(base_a, "GET", f"/api/v1/contests/{slug}/leaderboard/me/?round={round_number}", token=token)
    ).json()
    me_b = (
        await http(base_b, "GET", f"/api/v1/contests/{slug}/leaderboard/me/?round={round_number}", token=token)
    ).json()
    check(me_a == me_b, "my rank from B equals my rank from A")
    check(me_a.get("rank") == result.get("rank"), "the rank the submit answered is the rank the board gives")
    return {"steps": steps, "problems": problems, "rank": me_a.get("rank"), "total": me_a.get("total")}
