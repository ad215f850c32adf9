"""In-process measurements against the benchmark database (run by bench/run.py).

    .venv/bin/python bench/inprocess.py MODE --pools DIR [--out FILE] [...]

Modes:
- ``measure``: server time of the leaderboard backends (SQL and Redis) and of the API
  views through Django's test client, N calls each, with p50/p95/p99; raw references
  (top-50 by the index, rank by COUNT(*), GROUP BY unit, ZREVRANK, ZREVRANGE 0 49);
  query counts of the hot endpoints and pages for two different users or parameters;
  pyinstrument profiles of the slowest views.
- ``sessions``: logged-in session cookies of enrolled learners and the lesson each reads.
- ``verify``: the rush's acknowledged answers and results against the database.
- ``graded``: how many attempts of an id range are graded.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)


def setup():
    import django

    django.setup()


def stats(times):
    ordered = sorted(times)

    def pct(p):
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000, 3)

    return {
        "n": len(times),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(statistics.fmean(times) * 1000, 3),
    }


def timed(fn, n, warmup=5):
    for i in range(warmup):
        fn(i)
    times = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t)
    return stats(times)


def read_pool(pools, name):
    rows = []
    path = Path(pools) / f"{name}.tsv"
    for line in path.read_text().splitlines():
        parts = line.split()
        rows.append(parts)
    return rows


def measure(args):
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings

    import quizzes.api.views as api_views
    from quizzes.leaderboards import SqlLeaderboard, unit_board
    from quizzes.models import ContestPage, Standing

    meta = json.loads((Path(args.pools) / "meta.json").read_text())
    n = args.n
    rng = random.Random(6)
    contest = ContestPage.objects.get(slug=meta["contest"])
    round_id = meta["round_id"]
    rank_users = read_pool(args.pools, "rank")
    user_ids = [int(uid) for _token, uid in rank_users]
    sql = SqlLeaderboard()
    out = {"n": n, "standings": Standing.objects.filter(round_id=round_id).count(), "backends": {}, "views": {}}

    b = out["backends"]
    b["sql round top-50 (total + page)"] = timed(lambda i: sql.round_board(round_id, 0, 50), n)
    b["sql round top-50 page only"] = timed(lambda i: sql.round_page(round_id, 0, 50), n)
    b["sql round total"] = timed(lambda i: sql.round_total(round_id), n)
    b["sql round page at offset 10,000"] = timed(lambda i: sql.round_page(round_id, 10_000, 50), min(n, 30))
    b["sql round my rank"] = timed(lambda i: sql.round_rank(round_id, rng.choice(user_ids)), n)
    b["sql contest top-50 (total + page)"] = timed(lambda i: sql.contest_board(contest.pk, 0, 50), n)
    b["sql contest my rank"] = timed(lambda i: sql.contest_rank(contest.pk, rng.choice(user_ids)), n)
    b["unit board (round)"] = timed(lambda i: unit_board(contest.pk, round_id), n)
    b["unit board (contest)"] = timed(lambda i: unit_board(contest.pk, None), n)

    redis_ok = bool(settings.REDIS_URL)
    if redis_ok:
        from django_redis import get_redis_connection

        from quizzes.leaderboards.redis_backend import RedisLeaderboard, round_key

        red = RedisLeaderboard()
        b["redis round top-50 (total + page)"] = timed(lambda i: red.round_board(round_id, 0, 50), n)
        b["redis round my rank"] = timed(lambda i: red.round_rank(round_id, rng.choice(user_ids)), n)
        b["redis contest top-50 (total + page)"] = timed(lambda i: red.contest_board(contest.pk, 0, 50), n)
        b["redis contest my rank"] = timed(lambda i: red.contest_rank(contest.pk, rng.choice(user_ids)), n)
        raw = get_redis_connection("default")
        key = round_key(round_id)
        members = [raw.hget(f"{key}:m", uid) for uid in user_ids[:200]]
        members = [m for m in members if m]
        b["raw ZREVRANK"] = timed(lambda i: raw.zrevrank(key, members[i % len(members)]), n)
        b["raw ZREVRANGE 0 49"] = timed(lambda i: raw.zrevrange(key, 0, 49), n)

    # Raw SQL references (what the reference figures measure).
    def raw_sql(query, params):
        def run(i):
            with connection.cursor() as cursor:
                cursor.execute(query, params(i) if callable(params) else params)
                cursor.fetchall()

        return run

    b["raw SQL top-50 by the index"] = timed(
        raw_sql(
            "SELECT user_id, score, duration_ms FROM quizzes_standing WHERE round_id = %s "
            "ORDER BY score DESC, duration_ms, submitted_ms, user_id LIMIT 50",
            [round_id],
        ),
        n,
    )
    mine = {
        s.user_id: s
        for s in Standing.objects.filter(round_id=round_id, user_id__in=user_ids[:100]).only(
            "score", "duration_ms", "submitted_ms", "user_id"
        )
    }
    sample = list(mine.values())
    b["raw SQL rank by COUNT(*)"] = timed(
        raw_sql(
            "SELECT COUNT(*) FROM quizzes_standing WHERE round_id = %s AND (score > %s OR (score = %s AND "
            "(duration_ms, submitted_ms, user_id) < (%s, %s, %s)))",
            lambda i: (
                [round_id]
                + [sample[i % len(sample)].score] * 2
                + [
                    sample[i % len(sample)].duration_ms,
                    sample[i % len(sample)].submitted_ms,
                    sample[i % len(sample)].user_id,
                ]
            ),
        ),
        min(n, 30),
        warmup=2,
    )
    b["raw SQL GROUP BY unit"] = timed(
        raw_sql(
            "SELECT unit_id, COUNT(*), AVG(score) FROM quizzes_standing WHERE round_id = %s GROUP BY unit_id",
            [round_id],
        ),
        min(n, 15),
        warmup=1,
    )

    # Views through the test client: the whole Django + DRF stack, no network.
    client = Client()
    slug = meta["contest"]
    board_url = f"/api/v1/contests/{slug}/leaderboard/?round=1"
    me_url = f"/api/v1/contests/{slug}/leaderboard/me/?round=1"
    tokens = [token for token, _uid in rank_users]

    def get(url, token=None):
        def run(i):
            headers = {"HTTP_AUTHORIZATION": f"Token {tokens[rng.randrange(len(tokens))]}"} if token else {}
            response = client.get(url, **headers)
            assert response.status_code == 200, (url, response.status_code, response.content[:200])

        return run

    v = out["views"]
    backends = [("sql", lambda: sql)]
    if redis_ok:
        backends.insert(0, ("redis", lambda: RedisLeaderboard()))
    original = api_views.get_backend
    # The public board responses are kept a second per process (quizzes.services.lookup): the
    # rows per backend measure the work behind them, with that memory off; the last rows with it.
    with override_settings(LEADERBOARD_RESPONSE_SECONDS=0):
        for name, factory in backends:
            api_views.get_backend = factory
            try:
                v[f"{name}: leaderboard round top-50"] = timed(get(board_url), n)
                v[f"{name}: leaderboard contest top-50"] = timed(get(f"/api/v1/contests/{slug}/leaderboard/"), n)
                v[f"{name}: my rank (round)"] = timed(get(me_url, token=True), n)
                v[f"{name}: my rank (contest)"] = timed(get(f"/api/v1/contests/{slug}/leaderboard/me/", token=True), n)
            finally:
                api_views.get_backend = original
        v["unit board (round)"] = timed(get(f"/api/v1/contests/{slug}/leaderboard/?round=1&scope=unit"), n)
    v["leaderboard round top-50, kept 1 s"] = timed(get(board_url), n)

    if redis_ok:
        out["sql_equals_redis"] = board_equality(args, meta)
    out["queries"] = query_counts(args, meta, client, rank_users)
    if args.profile:
        out["profiles"] = profiles(args, meta, rank_users)
    write(args, out)


def query_counts(args, meta, client, rank_users):
    """Queries per request for two different users or parameters: a constant count is the goal.

    Each user's (or page size's) request is counted the second time it is made, so every count
    is the steady state that load sees; the first fills what is remembered per process or per
    token. A submit is counted on its first call (a repeat is the cheap path); the autosave of
    the same attempt just before has made its token known, as for a real participant.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    slug = meta["contest"]
    counts = {}

    warmed = set()

    def send(cl, method, url, headers, body):
        if method == "GET":
            return cl.get(url, **headers)
        call = cl.put if method == "PUT" else cl.post
        return call(url, data=json.dumps(body or {}), content_type="application/json", **headers)

    def count(label, method, url, token=None, body=None, cl=None):
        cl = cl or client
        headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
        key = (label, url, token, id(cl))
        if key not in warmed and method != "POST":  # the first request fills what is remembered
            warmed.add(key)
            send(cl, method, url, headers, body)
        with CaptureQueriesContext(connection) as ctx:
            response = send(cl, method, url, headers, body)
        counts.setdefault(label, []).append({"status": response.status_code, "queries": len(ctx.captured_queries)})

    t1, t2 = rank_users[0][0], rank_users[1][0]
    for limit in (10, 50):
        count("API leaderboard round", "GET", f"/api/v1/contests/{slug}/leaderboard/?round=1&limit={limit}")
        count("API leaderboard contest", "GET", f"/api/v1/contests/{slug}/leaderboard/?limit={limit}")
        count("API unit board", "GET", f"/api/v1/contests/{slug}/leaderboard/?round=1&scope=unit&limit={limit}")
    for token in (t1, t2):
        count("API my rank", "GET", f"/api/v1/contests/{slug}/leaderboard/me/?round=1", token=token)
    pool = read_pool(args.pools, "inprogress")[-4:]  # the tail of the pool is never used by wrk
    # One submit first, uncounted: the process's first grading fills what it keeps (the answer key).
    token, _uid, attempt_id, *_items = pool[3]
    send(
        client,
        "POST",
        f"/api/v1/attempts/{attempt_id}/submit/",
        {"HTTP_AUTHORIZATION": f"Token {token}"},
        {"prediction": 10},
    )
    for token, _uid, attempt_id, *items in pool[:2]:
        question, choices = items[0].split(":")
        count("API attempt", "GET", f"/api/v1/attempts/{attempt_id}/", token=token)
        count(
            "API autosave",
            "PUT",
            f"/api/v1/attempts/{attempt_id}/answers/{question}/",
            token=token,
            body={"choices": [int(choices.split(",")[0])]},
        )
        count("API submit", "POST", f"/api/v1/attempts/{attempt_id}/submit/", token=token, body={"prediction": 10})
    anonymous = Client()
    for url in ("/", "/khoa-hoc/", "/thu-tuc/", f"/cuoc-thi/{slug}/", f"/cuoc-thi/{slug}/leaderboard/"):
        count(f"page {url}", "GET", url, cl=anonymous)
    for cookie in sessions_for(2):
        learner = Client()
        learner.cookies["sessionid"] = cookie["sessionid"]
        count("page lesson (logged-in learner)", "GET", cookie["path"], cl=learner)
    return counts


def profiles(args, meta, rank_users):
    """pyinstrument text of a few views (the test client, no network)."""
    from django.test import Client
    from pyinstrument import Profiler

    slug = meta["contest"]
    out = {}
    learner = Client()
    cookie = sessions_for(1)[0]
    learner.cookies["sessionid"] = cookie["sessionid"]
    targets = [
        ("lesson page (logged-in)", learner, cookie["path"], {}),
        ("home page", Client(), "/", {}),
        ("contest leaderboard page", Client(), f"/cuoc-thi/{slug}/leaderboard/", {}),
        (
            "API my rank (round)",
            Client(),
            f"/api/v1/contests/{slug}/leaderboard/me/?round=1",
            {"HTTP_AUTHORIZATION": f"Token {rank_users[0][0]}"},
        ),
    ]
    for label, cl, url, headers in targets:
        cl.get(url, **headers)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(30):
            cl.get(url, **headers)
        profiler.stop()
        out[label] = profiler.output_text(unicode=False, color=False, show_all=False)
    return out


def sessions_for(count):
    """Logged-in sessions of learners enrolled in a course, with a lesson of it."""
    from django.test import Client

    from courses.models import Enrolment, LessonPage

    result = []
    for enrolment in Enrolment.objects.select_related("user", "course").order_by("pk"):
        lesson = LessonPage.objects.live().child_of(enrolment.course).order_by("path").first()
        if lesson is None:
            continue
        client = Client()
        client.force_login(enrolment.user)
        result.append({"sessionid": client.cookies["sessionid"].value, "path": lesson.url, "user": enrolment.user_id})
        if len(result) >= count:
            break
    return result


def verify(args):
    """Every acknowledged answer is in the database, every result is the graded attempt."""
    from quizzes.models import Answer, Attempt, Standing
    from quizzes.services.attempts import correct_choices, score_answers

    rush = json.loads(Path(args.rush).read_text())
    acknowledged = rush["acknowledged"]
    attempt_ids = [p["attempt"] for p in acknowledged if p.get("attempt")]
    attempts = {a.pk: a for a in Attempt.objects.filter(pk__in=attempt_ids)}
    answers = {}
    for attempt_id, question_id, choice_ids in Answer.objects.filter(attempt_id__in=attempt_ids).values_list(
        "attempt_id", "question_id", "choice_ids"
    ):
        answers.setdefault(attempt_id, {})[question_id] = choice_ids
    standing_users = set(Standing.objects.filter(attempt_id__in=attempt_ids).values_list("user_id", flat=True))
    question_ids = {item["q"] for a in attempts.values() for item in a.draw}
    correct = correct_choices(question_ids)
    acked = lost = wrong_score = missing_standing = unfinished = 0
    for person in acknowledged:
        attempt = attempts.get(person.get("attempt"))
        if attempt is None:
            continue
        saved = answers.get(attempt.pk, {})
        for question_id, choices in person["acked"].items():
            acked += 1
            if saved.get(int(question_id)) != choices:
                lost += 1
        result = person.get("result")
        if result is None:
            unfinished += 1
            continue
        if attempt.score != result["score"] or attempt.score != score_answers(attempt.draw, saved, correct):
            wrong_score += 1
        if attempt.user_id not in standing_users:
            missing_standing += 1
    write(
        args,
        {
            "attempts": len(attempts),
            "acknowledged_answers": acked,
            "lost_answers": lost,
            "wrong_scores": wrong_score,
            "missing_standings": missing_standing,
            "not_submitted": unfinished,
        },
    )


def load_boards(args):
    """Fill the Redis boards straight from the standings, in the app's own encoding (the keys,
    members, values and display rows of ``quizzes.leaderboards.redis_backend``), in big
    batches: a bench shortcut so that every run need not wait for ``rebuild_leaderboards``
    (which the bench times separately)."""
    from django_redis import get_redis_connection

    from quizzes.leaderboards import redis_backend as rb
    from quizzes.models import ContestPage, ContestStanding, Round, Standing

    redis = get_redis_connection("default")
    fields = ("user_id", "score", "duration_ms", "user__profile__full_name", "unit__name")
    loaded = {}
    for contest in ContestPage.objects.all():
        jobs = [
            (rb.round_key(r.pk), Standing.objects.filter(round=r), True)
            for r in Round.objects.filter(contest=contest).order_by("number")
        ]
        jobs.append((rb.contest_key(contest.pk), ContestStanding.objects.filter(contest=contest), False))
        for key, queryset, is_round in jobs:
            count = 0
            rows = queryset.order_by("pk").values_list(*fields, *(["submitted_ms"] if is_round else []))
            batch_z, batch_m, batch_r = {}, {}, {}

            for row in rows.iterator(chunk_size=20_000):
                user_id, score, duration, name, unit = row[:5]
                if is_round:
                    member, value = rb.round_member(row[5], user_id), rb.round_value(score, duration)
                else:
                    member, value = rb.contest_member(user_id), rb.contest_value(score, duration)
                batch_z[member] = value
                batch_m[user_id] = member
                batch_r[member] = json.dumps(
                    {"n": name, "u": unit or "", "s": score, "d": duration}, ensure_ascii=False
                )
                count += 1
                if count % 20_000 == 0:
                    _flush(redis, key, batch_z, batch_m, batch_r)
            _flush(redis, key, batch_z, batch_m, batch_r)
            redis.set(f"{key}:meta", count)
            loaded[key] = count
    loaded["remembered tokens"] = remember_tokens(args, "rank")
    write(args, loaded)


def remember_tokens(args, pool):
    """Put the pool's API tokens in the cache as the login endpoint does when it hands a token
    out (``elearning.api.authentication.remember``): the "my rank" people finished attempts
    earlier in the day. The in-progress pool is remembered only after the autosave scenarios
    (which show a participant's first request reading the token, and ten in a row) and before
    the submit ones: a participant who submits has started and saved with that token."""
    from django.contrib.auth import get_user_model

    from elearning.api import authentication

    rows = [row[:2] for row in read_pool(args.pools, pool)]  # token, user id (then the pool's own fields)
    users = get_user_model().objects.only(*authentication.USER_FIELDS).in_bulk([int(uid) for _t, uid in rows])
    for token, uid in rows:
        authentication.remember(token, users[int(uid)])
    return len(rows)


def _flush(redis, key, batch_z, batch_m, batch_r):
    if batch_z:
        pipe = redis.pipeline(transaction=False)
        pipe.zadd(key, batch_z)
        pipe.hset(f"{key}:m", mapping=batch_m)
        pipe.hset(f"{key}:rows", mapping=batch_r)
        pipe.execute()
    batch_z.clear(), batch_m.clear(), batch_r.clear()


def board_equality(args, meta):
    """The Redis board and the SQL board give the same top 50 and the same ranks."""
    from quizzes.leaderboards import SqlLeaderboard
    from quizzes.leaderboards.redis_backend import RedisLeaderboard

    sql, red = SqlLeaderboard(), RedisLeaderboard()
    round_id = meta["round_id"]
    users = [int(uid) for _token, uid in read_pool(args.pools, "rank")[:50]]
    return {
        "round top-50 equal": sql.round_board(round_id, 0, 50) == red.round_board(round_id, 0, 50),
        "contest top-50 equal": sql.contest_board(meta["contest_id"], 0, 50)
        == red.contest_board(meta["contest_id"], 0, 50),
        "50 ranks equal": [sql.round_rank(round_id, u) for u in users] == [red.round_rank(round_id, u) for u in users],
    }


def graded(args):
    from quizzes.models import Attempt

    first, last = args.range
    qs = Attempt.objects.filter(pk__gte=first, pk__lte=last)
    write(args, {"graded": qs.exclude(state="in_progress").count(), "total": qs.count()})


def write(args, data):
    text = json.dumps(data, indent=1, default=str)
    if args.out:
        Path(args.out).write_text(text)
    else:
        print(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["measure", "sessions", "verify", "graded", "load-boards", "remember-tokens"])
    parser.add_argument("--pools", required=True)
    parser.add_argument("--out")
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--rush")
    parser.add_argument("--range", type=int, nargs=2)
    parser.add_argument("--pool", default="rank")
    args = parser.parse_args()
    setup()
    if args.mode == "measure":
        measure(args)
    elif args.mode == "sessions":
        write(args, sessions_for(args.count))
    elif args.mode == "verify":
        verify(args)
    elif args.mode == "load-boards":
        load_boards(args)
    elif args.mode == "remember-tokens":
        write(args, {"remembered tokens": remember_tokens(args, args.pool)})
    else:
        graded(args)


if __name__ == "__main__":
    main()
