"""The benchmark suite (issue 6): ``make bench`` (full) or ``BENCH_QUICK=1 make bench``.

Against a real gunicorn (2 sync workers, 127.0.0.1) with PostgreSQL and Redis on
loopback, then the same workload on SQLite; every figure is divided by a baseline
measured in the same run (bench/baseline/: a bare Django "hello" view and a view doing
one indexed SELECT and one INSERT, served by the same gunicorn settings on the same
database). Writes the "## Performance" section of BENCHMARKS.md and the raw results to
bench/results/ (the summary of the last run also to bench/reports/).

Environment:
  BENCH_QUICK=1          100,000 standings, shorter runs (for development); writes
                         bench/results/BENCHMARKS-quick.md, not BENCHMARKS.md
  BENCH_SKIP_SQLITE=1    PostgreSQL + Redis only
  BENCH_REGENERATE=1     rebuild the data templates even if they match
  BENCH_PG               PostgreSQL server URL (default postgres://postgres@127.0.0.1:5432)
  BENCH_REDIS            Redis URL (default redis://127.0.0.1:6379/12; only that db is flushed)
  BENCH_PORT             first port (default 8100; four are used)
Data templates are kept (PostgreSQL databases cchc_bench_tpl_<mode>, files under
bench/.data/) and cloned for every run, so a run starts from the same state.
"""

import asyncio
import contextlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

from bench import rush as rush_client  # noqa: E402
from bench.generate import GENERATOR_VERSION  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
BIN = Path(PY).parent
QUICK = os.environ.get("BENCH_QUICK") == "1"
MODE = "quick" if QUICK else "full"
SETTINGS = {
    "quick": {
        "participants": 100_000,
        "in_progress": 8_000,
        "rank_users": 2_000,
        "rush": 1_500,
        "rush_window": 18,
        "paced_think": (5.0, 15.0),
        "seconds": 3,
        "runs": 2,
        "sqlite_participants": 100_000,
        "sqlite_seconds": 3,
        "sqlite_runs": 2,
        "inprocess_n": 200,
        "profile_seconds": 4,
        "rebuild_cap": 90,
    },
    "full": {
        "participants": 1_000_000,
        "in_progress": 30_000,
        "rank_users": 5_000,
        "rush": 5_000,
        "rush_window": 60,
        "paced_think": (10.0, 40.0),  # the contest allows 45 s a question (20 in 900 s)
        "seconds": 4,
        "runs": 3,
        "sqlite_participants": 1_000_000,
        "sqlite_seconds": 3,
        "sqlite_runs": 2,
        "inprocess_n": 500,
        "profile_seconds": 6,
        "rebuild_cap": 60,
    },
}[MODE]
UNITS = 200
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/12")
PORT = int(os.environ.get("BENCH_PORT", "8100"))
DATA = BENCH / ".data" / MODE
RESULTS = BENCH / "results"
SECRET = "bench-" + "k" * 60
SLUG = "cchc-2018"
LOG = []


def log(message):
    line = f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}"
    LOG.append(line)
    print(line, flush=True)


# -- helpers ---------------------------------------------------------------------------------------
def sh(cmd, env=None, timeout=1800, check=True):
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if check and result.returncode:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def app_env(database_url, redis_url=None, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET,
        SECURE_SSL_REDIRECT="false",
        PYTHONPATH=str(ROOT),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


class Db:
    """Just enough SQL for setting up a run, on PostgreSQL (psycopg) or SQLite."""

    def __init__(self, url):
        self.url = url
        self.pg = url.startswith("postgres")
        if self.pg:
            import psycopg

            self.conn = psycopg.connect(url, autocommit=True)
        else:
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)

    def q(self, sql, params=()):
        if not self.pg:
            sql = sql.replace("%s", "?")
        cursor = self.conn.execute(sql, params)
        try:
            return cursor.fetchall()
        except Exception:
            return []

    def close(self):
        self.conn.close()


def pg_admin(sql):
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        return conn.execute(sql).fetchall() if sql.lstrip().upper().startswith("SELECT") else conn.execute(sql)


def redis_flush():
    import redis

    # Our own db only (BENCH_REDIS), never FLUSHALL; ASYNC frees a million-entry board in the background.
    redis.Redis.from_url(REDIS, socket_timeout=60).flushdb(asynchronous=True)


# -- data --------------------------------------------------------------------------------------------
def params_for(engine):
    participants = SETTINGS["participants"] if engine == "pg" else SETTINGS["sqlite_participants"]
    return {
        "version": GENERATOR_VERSION,
        "participants": participants,
        "units": UNITS,
        "in_progress": SETTINGS["in_progress"],
        "rank_users": SETTINGS["rank_users"],
        "rush_users": 2 * SETTINGS["rush"],  # fresh accounts for the rush, then for the paced rush
    }


def ensure_template(engine):
    """Generate the data template unless one with the same parameters exists. Returns (url, pools)."""
    params = params_for(engine)
    pools = DATA / f"{engine}-pools"
    if engine == "pg":
        name = f"cchc_bench_tpl_{MODE}"
        url = f"{PG}/{name}"
        exists = pg_admin(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")  # noqa: S608
        current = None
        if exists:
            db = Db(url)
            rows = db.q("SELECT to_regclass('bench_meta')")
            if rows and rows[0][0]:
                current = json.loads(db.q("SELECT params FROM bench_meta")[0][0])
            db.close()
    else:
        path = DATA / "sqlite-template.sqlite3"
        url = f"sqlite:///{path}"
        meta = DATA / "sqlite-template.json"
        current = json.loads(meta.read_text()) if meta.exists() and path.exists() else None
    if current == params and (pools / "meta.json").exists() and os.environ.get("BENCH_REGENERATE") != "1":
        log(f"{engine}: data template up to date ({params['participants']:,} standings)")
        return url, pools
    log(f"{engine}: generating {params['participants']:,} standings (kept as a template for later runs)")
    started = time.monotonic()
    shutil.rmtree(pools, ignore_errors=True)
    if engine == "pg":
        pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        pg_admin(f'CREATE DATABASE "{name}"')
    else:
        DATA.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    sh(
        [
            PY, str(BENCH / "generate.py"), "--database-url", url,
            "--participants", str(params["participants"]), "--units", str(UNITS),
            "--in-progress", str(params["in_progress"]), "--rank-users", str(params["rank_users"]),
            "--rush-users", str(params["rush_users"]), "--pools", str(pools),
        ],
        env=app_env(url),
    )  # fmt: skip
    sh([PY, "-m", "django", "migrate", "--noinput"], env=app_env(url, DJANGO_SETTINGS_MODULE="bench.baseline.settings"))
    seconds = time.monotonic() - started
    if engine == "pg":
        db = Db(url)
        db.q("CREATE TABLE bench_meta (params text)")
        db.q("INSERT INTO bench_meta VALUES (%s)", [json.dumps(params)])
        db.close()
    else:
        db = Db(url)
        db.q("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        (DATA / "sqlite-template.json").write_text(json.dumps(params))
    log(f"{engine}: generated in {seconds:.0f} s")
    return url, pools


def clone(engine, template_url):
    """A fresh copy of the template for this run; rounds moved so round 1 is open now."""
    started = time.monotonic()
    if engine == "pg":
        pg_admin("DROP DATABASE IF EXISTS cchc_bench_run")
        pg_admin(f"CREATE DATABASE cchc_bench_run TEMPLATE cchc_bench_tpl_{MODE}")
        url = f"{PG}/cchc_bench_run"
    else:
        source = Path(template_url.removeprefix("sqlite:///"))
        target = DATA / "sqlite-run.sqlite3"
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
        url = f"sqlite:///{target}"
    # A template made before the latest migrations (its parameters match, its schema may not).
    sh([PY, "manage.py", "migrate", "--noinput"], env=app_env(url))
    db = Db(url)
    now = datetime.now(UTC)
    contest_id = db.q("SELECT page_ptr_id FROM quizzes_contestpage")[0][0]
    for (number,) in db.q("SELECT number FROM quizzes_round WHERE contest_id = %s", [contest_id]):
        opens = now - timedelta(days=1) + timedelta(days=7 * (number - 1))
        db.q(
            "UPDATE quizzes_round SET opens_at = %s, closes_at = %s WHERE contest_id = %s AND number = %s",
            [_ts(opens, db), _ts(opens + timedelta(days=6), db), contest_id, number],
        )
    db.close()
    log(f"{engine}: run database ready in {time.monotonic() - started:.1f} s")
    return url


def _ts(moment, db):
    return moment if db.pg else moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def refresh_pool(url, pools):
    """The in-progress pool started in the last 10 minutes, one second apart by attempt id (people
    do not all start in the same second: their durations, and so the score buckets their gradings
    move, spread as in a contest); every attempt has at least 5 minutes of its 15 ahead."""
    meta = json.loads((pools / "meta.json").read_text())
    first, last = meta["inprogress_attempts"]
    db = Db(url)
    now = datetime.now(UTC)
    for offset in range(600):
        started = now - timedelta(seconds=offset)
        db.q(
            "UPDATE quizzes_attempt SET started_at = %s, deadline = %s "
            "WHERE id BETWEEN %s AND %s AND state = 'in_progress' AND id - id / 600 * 600 = %s",
            [_ts(started, db), _ts(started + timedelta(seconds=900), db), first, last, offset],
        )
    db.close()


# -- servers ---------------------------------------------------------------------------------------------
def keep_rush(out, key, result, file_name, server, url, pools, redis_url):
    """Write a rush's acknowledged answers to ``file_name``, note the workers' RSS
    (``rss_after_<key>_mb``), and check the answers against the database: ``out[key]``."""
    path = RESULTS / file_name
    path.write_text(json.dumps(result))
    out[f"rss_after_{key}_mb"] = server.rss_mb()
    out[key] = {k: v for k, v in result.items() if k != "acknowledged"}
    out[key]["verify"] = inprocess("verify", url, pools, redis_url, ["--rush", path])
    return out[key]


class Server:
    def __init__(self, name, app, port, env):
        self.name, self.app, self.port, self.env = name, app, port, env
        self.process = None
        self.log_path = RESULTS / f"gunicorn-{name}.log"

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path="/"):
        log_file = open(self.log_path, "a")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"), self.app, "--workers", "2", "--worker-class", "sync",
                "--bind", f"127.0.0.1:{self.port}", "--backlog", "2048", "--timeout", "120",
                "--log-level", "warning", "--chdir", str(ROOT),
            ],
            env=self.env, stdout=log_file, stderr=log_file, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + ready_path, timeout=10) as response:  # noqa: S310
                    response.read()
                    time.sleep(0.5)
                    return self
            except urllib.error.HTTPError as error:
                self.stop()
                raise RuntimeError(f"gunicorn {self.name}: {ready_path} answered {error.code}") from None
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"gunicorn {self.name} exited; see {self.log_path}") from None
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn {self.name} did not answer on {self.base}{ready_path}")

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def rss_mb(self):
        sizes = {}
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes[pid] = round(int(line.split()[1]) / 1024, 1)
        return sizes

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# -- load ----------------------------------------------------------------------------------------------------
def have_wrk():
    return shutil.which("wrk") is not None


def wrk(url, script=None, args=(), connections=16, seconds=5):
    common = (BENCH / "wrk" / "common.lua").read_text()
    body = (BENCH / "wrk" / script).read_text() if script else ""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(common + "\n" + body)
    threads = min(2, connections)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", lua.name, url]
    if args:
        cmd += ["--", *map(str, args)]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    finally:
        os.unlink(lua.name)
    match = re.search(r"BENCHJSON (\{.*\})", result.stdout)
    if not match:
        raise RuntimeError(f"wrk gave no summary: {result.stdout[-2000:]} {result.stderr[-2000:]}")
    data = json.loads(match.group(1))
    errors = data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"]
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "requests": data["requests"],
        "errors": errors,
        "non_2xx": data["status"],
        "p50_ms": data["p50_us"] / 1000,
        "p90_ms": data["p90_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
    }


def fallback_load(url, script, args, connections, seconds):
    """No wrk: the Python client (closed loop) for plain GETs and token GETs."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    base, path = f"{parsed.scheme}://{parsed.netloc}", parsed.path + (f"?{parsed.query}" if parsed.query else "")
    tokens = []
    if script == "token_get.lua":
        tokens = [line.split()[0] for line in Path(args[0]).read_text().splitlines()]
        path = args[1]

    def make(rng):
        return "GET", path, rng.choice(tokens) if tokens else None, None, None

    data = asyncio.run(rush_client.closed_loop(base, make, connections, seconds))
    return {**data, "non_2xx": data["errors"]}


def summarise_samples(url, samples, connections, seconds):
    rps = [s["rps"] for s in samples]
    p99 = [s["p99_ms"] for s in samples]
    return {
        "url": url,
        "connections": connections,
        "runs": len(samples),
        "seconds": seconds,
        "rps_median": statistics.median(rps),
        "rps_min": min(rps),
        "rps_max": max(rps),
        "p50_ms_median": statistics.median(s["p50_ms"] for s in samples),
        "p99_ms_median": statistics.median(p99),
        "p99_ms_max": max(p99),
        "errors": sum(s["errors"] for s in samples),
        "non_2xx": sum(s["non_2xx"] for s in samples),
        "requests": sum(s["requests"] for s in samples),
        "samples": samples,
    }


def baselines_from_pairs(results):
    """The baseline rows: every baseline run made next to a scenario, pooled by baseline and connections."""
    pooled = {}
    for entry in list(results.values()):
        label = entry.get("baseline")
        if label:
            pooled.setdefault(label, (entry, []))[1].extend(entry["baseline_samples"])
    for label, (entry, samples) in pooled.items():
        url = (
            entry["url"].rsplit(":", 1)[0]
            + ":"
            + str(PORT + 1)
            + ("/hello/" if "hello" in label else "/select-insert/")
        )
        results[label] = summarise_samples(url, samples, entry["connections"], entry["seconds"])
        log(f"  {label}: {results[label]['rps_median']:.0f} req/s over {len(samples)} runs paired with scenarios")


def _load_once(url, script, args, connections, seconds):
    if have_wrk():
        return wrk(url, script, args, connections, seconds)
    if script in (None, "token_get.lua"):
        return fallback_load(url, script, args, connections, seconds)
    return None


def scenario(results, key, url, script=None, args=(), connections=16, runs=None, seconds=None, before=None, pair=None):
    """``runs`` wrk runs of ``seconds``; with ``pair=(url, label)`` each run is preceded by a run of that
    baseline at the same connection count, and the ratio is the median of the per-pair ratios (robust to
    the load of other people's work drifting during the benchmark)."""
    runs = runs or SETTINGS["runs"]
    seconds = seconds or SETTINGS["seconds"]
    samples, baselines = [], []
    for n in range(runs):
        if before:
            before(n)
        if pair:
            baselines.append(_load_once(pair[0], None, (), connections, seconds))
        sample = _load_once(url, script, args(n) if callable(args) else args, connections, seconds)
        if sample is None:
            log(f"{key}: skipped (needs wrk)")
            return None
        samples.append(sample)
    entry = summarise_samples(url, samples, connections, seconds)
    if pair and all(baselines):
        ratios = [s["rps"] / b["rps"] for s, b in zip(samples, baselines, strict=True)]
        entry.update(
            baseline_samples=baselines,
            baseline=pair[1],
            baseline_rps=[round(b["rps"], 1) for b in baselines],
            ratios=[round(r, 4) for r in ratios],
            ratio_median=statistics.median(ratios),
        )
    results[key] = entry
    ratio = f", {100 * entry['ratio_median']:.0f} % of {pair[1]}" if "ratio_median" in entry else ""
    log(
        f"  {key}: {entry['rps_median']:.0f} req/s ({entry['rps_min']:.0f}–{entry['rps_max']:.0f}), "
        f"p99 {entry['p99_ms_median']:.1f} ms, errors {entry['errors']}{ratio}"
    )
    return entry


def pyspy(server, key, url, script, args, connections, seconds):
    """py-spy record of one worker while wrk loads the server; returns a summary of the stacks."""
    spy = BIN / "py-spy"
    if not spy.exists() or not have_wrk():
        return None
    workers = server.workers()
    if not workers:
        return None
    raw = RESULTS / f"pyspy-{MODE}-{key}.txt"
    process = subprocess.Popen(
        [str(spy), "record", "--pid", str(workers[0]), "--duration", str(seconds), "--rate", "200", "--format", "raw",
         "--output", str(raw), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(0.5)
    wrk(url, script, args, connections, seconds)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    if not raw.exists():
        return None
    return summarise_stacks(raw)


def _frame_label(frame):
    match = re.match(r"(.*) \((.*?):(\d+)\)$", frame.strip())
    if not match:
        return frame.strip()
    function, path, _line = match.groups()
    for marker in ("site-packages/", str(ROOT) + "/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{function} ({path})"


def summarise_stacks(raw_path, top=12):
    inclusive, own, total = {}, {}, 0
    for line in raw_path.read_text().splitlines():
        stack, _sep, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        count = int(count)
        total += count
        frames = [_frame_label(f) for f in stack.split(";") if f and not f.startswith("process ")]
        frames = [f for f in frames if not f.startswith("thread ")]
        for label in set(frames):
            inclusive[label] = inclusive.get(label, 0) + count
        if frames:
            own[frames[-1]] = own.get(frames[-1], 0) + count

    def interesting(label):
        # The WSGI plumbing and the middleware chain wrap every sample: leave them out.
        skip = (
            "gunicorn/", "wsgi", "<module>", "run (", "_run_once", "handle (", "handle_request", "django/core/handlers",
            "Middleware", "middleware.py", "security.py", "deprecation.py", "csrf_exempt", "View.as_view",
            "APIView.dispatch", "serve_chain", "check_view_restrictions",
        )  # fmt: skip
        return not any(s in label for s in skip)

    def project(label):
        return any(part in label for part in ("(quizzes/", "(elearning/", "(courses/"))

    ranked = sorted(inclusive.items(), key=lambda kv: -kv[1])
    share = (lambda n: round(100 * n / total, 1)) if total else (lambda n: 0)
    return {
        "samples": total,
        "project": [(label, share(n)) for label, n in ranked if project(label) and interesting(label)][:16],
        "inclusive": [(label, share(n)) for label, n in ranked if interesting(label) and not project(label)][:top],
        "self": [(label, share(n)) for label, n in sorted(own.items(), key=lambda kv: -kv[1])][:12],
        "file": str(Path(raw_path).resolve().relative_to(ROOT)),
    }


def inprocess(mode, url, pools, redis_url=None, extra=(), timeout=1800):
    out = RESULTS / f"inprocess-{mode}-{MODE}-{'pg' if url.startswith('postgres') else 'sqlite'}.json"
    sh(
        [PY, str(BENCH / "inprocess.py"), mode, "--pools", str(pools), "--out", str(out), *map(str, extra)],
        env=app_env(url, redis_url),
        timeout=timeout,
    )
    return json.loads(out.read_text())


# -- one engine ----------------------------------------------------------------------------------------------
def bench_engine(engine, template_url, pools):
    runs = SETTINGS["runs"] if engine == "pg" else SETTINGS["sqlite_runs"]
    seconds = SETTINGS["seconds"] if engine == "pg" else SETTINGS["sqlite_seconds"]
    redis_url = REDIS if engine == "pg" else None
    out = {"wrk": {}, "engine": engine}
    w = out["wrk"]
    url = clone(engine, template_url)
    meta = json.loads((pools / "meta.json").read_text())
    if redis_url:
        redis_flush()
        started = time.monotonic()
        loaded = inprocess("load-boards", url, pools, redis_url)
        out["boards_loaded"] = {"seconds": round(time.monotonic() - started, 1), "keys": loaded}
        log(f"  Redis boards filled by the bench loader in {out['boards_loaded']['seconds']} s")

    def load(key, path, script=None, args=(), connections=16, before=None, n=None, s=None, pair=None):
        pair_url = None
        if pair and baseline_server:
            label = f"baseline {pair}" + (" c64" if connections == 64 else "")
            pair_url = (baseline_server.base + ("/hello/" if pair == "hello" else "/select-insert/"), label)
        return scenario(
            w, key, server.base + path, script, args, connections, n or runs, s or seconds, before, pair_url
        )

    # Reference: the same hello view with Django's default middleware (a restart with other settings).
    server = Server(
        f"baseline-mw-{engine}", "bench.baseline.wsgi:application", PORT + 1, app_env(url, BASELINE_MIDDLEWARE="1")
    ).start("/hello/")
    baseline_server = None
    try:
        load("baseline hello (default middleware)", "/hello/")
    finally:
        server.stop()
    # The baselines on the same database, same gunicorn settings; kept running next to the app so that
    # every scenario is paired with a baseline run just before it.
    baseline_server = server = Server(
        f"baseline-{engine}", "bench.baseline.wsgi:application", PORT + 1, app_env(url)
    ).start("/hello/")
    log(f"{engine}: baselines run paired with each scenario below")

    sessions = inprocess("sessions", url, pools, redis_url, ["--count", "20"])
    session_file = RESULTS / f"sessions-{engine}.txt"
    session_file.write_text("".join(f"{s['sessionid']} {s['path']}\n" for s in sessions))
    lesson_path = sessions[0]["path"] if sessions else None

    env = app_env(url, redis_url)
    server = Server(f"app-{engine}", "elearning.wsgi:application", PORT, env).start(f"/api/v1/contests/{SLUG}/")
    inprogress = str(pools / "inprogress.tsv")
    pool_size = Path(inprogress).read_text().count("\n")
    usable = pool_size - 50  # the tail is kept for the in-process query counts
    profiles = {}
    try:
        log(f"{engine}: contest API reads")
        board = f"/api/v1/contests/{SLUG}/leaderboard/?round=1"
        load("API leaderboard round top-50", board, pair="hello")
        load("API leaderboard contest top-50", f"/api/v1/contests/{SLUG}/leaderboard/", pair="hello")
        load("API unit board", f"/api/v1/contests/{SLUG}/leaderboard/?round=1&scope=unit", pair="hello")
        me_path = f"/api/v1/contests/{SLUG}/leaderboard/me/?round=1"
        load("API my rank (round)", me_path, "token_get.lua", [pools / "rank.tsv", me_path], pair="hello")
        load("API contest detail", f"/api/v1/contests/{SLUG}/", pair="hello")
        log(f"{engine}: pages")
        for label, path in (
            ("page home (anonymous)", "/"),
            ("page catalogue (anonymous)", "/khoa-hoc/"),
            ("page procedures (anonymous)", "/thu-tuc/"),
            ("page contest (anonymous)", f"/cuoc-thi/{SLUG}/"),
            ("page contest leaderboard (anonymous)", f"/cuoc-thi/{SLUG}/leaderboard/"),
        ):
            load(label, path, pair="hello")
        if lesson_path:
            load("page lesson (logged-in learner)", lesson_path, "session_get.lua", [session_file], pair="hello")

        log(f"{engine}: contest API writes")
        refresh_pool(url, pools)
        # A participant makes 10 autosaves (as in the rush); the cold row gives every request a new one.
        saves = [inprogress, usable, 10]
        load("API autosave", "/", "autosave.lua", saves, pair="select+insert")
        load("API autosave c64", "/", "autosave.lua", saves, connections=64, pair="select+insert")
        load(
            "API autosave (new participant each request)",
            "/",
            "autosave.lua",
            [inprogress, usable, 1],
            pair="select+insert",
        )
        # Submit: each run takes a fresh slice of the pool (a repeat submit is the cheap path).
        slices = iter(_slices(usable, 2 * runs + (2 if engine == "pg" else 0)))
        refresh_pool(url, pools)
        if redis_url:
            # A participant who submits started the attempt and saved answers with the same token, which
            # the first of those requests put in the cache: the submit rows measure that warm token.
            inprocess("remember-tokens", url, pools, redis_url, ["--pool", "inprogress"])
        taken = []

        def submit_args(_n):
            first, last = next(slices)
            taken.append((first, last))
            return [inprogress, first, last, 2]

        load("API submit", "/", "submit.lua", submit_args, pair="select+insert")
        load("API submit c64", "/", "submit.lua", submit_args, connections=64, pair="select+insert")
        first_id = meta["inprogress_attempts"][0]
        graded = inprocess(
            "graded", url, pools, redis_url, ["--range", first_id + taken[0][0] - 1, first_id + taken[-1][1] - 1]
        )
        submits = w["API submit"]["requests"] + w["API submit c64"]["requests"]
        baselines_from_pairs(w)
        out["submit_graded"] = {"requests": submits, "graded": graded["graded"], "slice_total": graded["total"]}
        log(f"  submits: {submits} requests, {graded['graded']} attempts graded in the slices used")

        if engine == "pg":
            log(f"{engine}: py-spy profiles under load")
            ps = SETTINGS["profile_seconds"]
            refresh_pool(url, pools)
            profiles["API autosave"] = pyspy(server, "autosave", server.base + "/", "autosave.lua", saves, 16, ps)
            first, last = next(slices)
            profiles["API submit"] = pyspy(
                server, "submit", server.base + "/", "submit.lua", [inprogress, first, last, 2], 16, ps
            )
            profiles["API my rank (round)"] = pyspy(
                server, "myrank", server.base + me_path, "token_get.lua", [pools / "rank.tsv", me_path], 16, ps
            )
            profiles["API leaderboard round top-50"] = pyspy(server, "board", server.base + board, None, (), 16, ps)
            if lesson_path:
                profiles["page lesson (logged-in learner)"] = pyspy(
                    server, "lesson", server.base + lesson_path, "session_get.lua", [session_file], 16, ps
                )
            profiles["page home (anonymous)"] = pyspy(server, "home", server.base + "/", None, (), 16, ps)
        out["profiles"] = profiles

        log(f"{engine}: deadline rush ({SETTINGS['rush']} participants, {SETTINGS['rush_window']} s window)")
        out["rss_before_rush_mb"] = server.rss_mb()
        users = [tuple(line.split()) for line in (pools / "rush.tsv").read_text().splitlines()]
        users = [(token, int(uid)) for token, uid in users]
        users, paced_users = users[: SETTINGS["rush"]], users[SETTINGS["rush"] : 2 * SETTINGS["rush"]]
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
        rushed = asyncio.run(
            rush_client.rush(
                server.base,
                SLUG,
                users,
                SETTINGS["rush_window"],
                64,
                cap=SETTINGS["rush_window"] * 1.5,
            )
        )
        r = keep_rush(out, "rush", rushed, f"rush-{MODE}-{engine}.json", server, url, pools, redis_url)
        log(
            f"  rush: {r['finished']}/{r['participants']} finished ({r['finished_in_window']} in the window), last at "
            f"{r['last_finish_s']} s, {r['throughput_rps']} req/s, p99 {r['latency']['all']['p99_ms']} ms, "
            f"errors {r['errors']}, lost answers {r['verify']['lost_answers']}; RSS {out['rss_after_rush_mb']}"
        )
        if len(paced_users) == SETTINGS["rush"]:
            think = SETTINGS["paced_think"]
            log(f"{engine}: deadline rush paced like people ({think[0]:g}–{think[1]:g} s per question)")
            paced = asyncio.run(
                rush_client.paced_rush(server.base, SLUG, paced_users, SETTINGS["rush_window"], think, cap=30.0)
            )
            r = keep_rush(out, "paced_rush", paced, f"rush-paced-{MODE}-{engine}.json", server, url, pools, redis_url)
            log(
                f"  paced: {r['finished_in_window']}/{r['participants']} submitted in the window (busiest second "
                f"{r['busiest_second_submits']}), {r['throughput_rps']} req/s, p99 {r['latency']['all']['p99_ms']} ms, "
                f"errors {r['errors']}, lost answers {r['verify']['lost_answers']}; RSS {out['rss_after_paced_rush_mb']}"
            )

        if engine == "pg":
            log("pg: two instances sharing PostgreSQL and Redis")
            other = Server("app-pg-b", "elearning.wsgi:application", PORT + 2, env).start(f"/api/v1/contests/{SLUG}/")
            try:
                spare = (pools / "spare.tsv").read_text().split()[0]
                out["consistency"] = asyncio.run(rush_client.consistency(server.base, other.base, SLUG, 1, spare))
            finally:
                other.stop()
            log(f"  consistency: {len(out['consistency']['problems'])} problems")
    finally:
        server.stop()
        baseline_server.stop()

    log(f"{engine}: in-process server times")
    refresh_pool(url, pools)
    out["inprocess"] = inprocess(
        "measure",
        url,
        pools,
        redis_url,
        ["--n", SETTINGS["inprocess_n"] if engine == "pg" else min(200, SETTINGS["inprocess_n"])]
        + (["--profile"] if engine == "pg" else []),
    )
    if redis_url:
        out.update(time_rebuild(url, redis_url))
    return out


def time_rebuild(url, redis_url):
    """``manage.py rebuild_leaderboards`` under py-spy (sampling without stopping it), stopped at a cap."""
    import redis as redis_lib

    cap = SETTINGS["rebuild_cap"]
    command = [PY, "manage.py", "rebuild_leaderboards"]
    raw = RESULTS / f"pyspy-{MODE}-rebuild.txt"
    raw.unlink(missing_ok=True)
    spy = BIN / "py-spy"
    if spy.exists():
        command = [str(spy), "record", "--nonblocking", "--rate", "100", "--format", "raw", "--output", str(raw),
                   "--", *command]  # fmt: skip
    log(f"pg: rebuild_leaderboards (stopped after {cap} s)")
    started = time.monotonic()
    process = subprocess.Popen(
        command, env=app_env(url, redis_url, PYTHONUNBUFFERED="1"), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    finished = True
    try:
        output, _ = process.communicate(timeout=cap)
    except subprocess.TimeoutExpired:
        finished = False
        progress = 0
        client = redis_lib.Redis.from_url(redis_url)
        for key in client.scan_iter(match="*:building:*"):
            if client.type(key) == b"zset":
                progress += client.zcard(key)
        process.send_signal(signal.SIGINT)  # py-spy writes its profile on SIGINT
        try:
            output, _ = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            output = ""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait()
    seconds = round(time.monotonic() - started, 1)
    lines = [line for line in (output or "").splitlines() if "standings" in line]
    result = {"rebuild_output": lines, "rebuild_finished": finished, "rebuild_cap": cap}
    if finished:
        result["rebuild_seconds"] = seconds
    else:
        done = sum(int(m.group(1)) for m in (re.search(r": (\d+) standings", line) for line in lines) if m) + progress
        total = 2 * SETTINGS["participants"]  # the round board and the contest-wide board
        result["rebuild_seconds"] = None
        result["rebuild_progress"] = {"entries_done": done, "entries_total": total, "elapsed_s": seconds}
        result["rebuild_projected_s"] = round(seconds * total / done) if done else None
    result["rebuild_profile"] = summarise_stacks(raw) if raw.exists() and raw.stat().st_size else None
    log(f"  rebuild_leaderboards: {result}")
    return result


def _slices(size, count):
    step = size // count
    return [(1 + i * step, (i + 1) * step) for i in range(count)]


# -- machine -------------------------------------------------------------------------------------------------
def machine():
    info = {"nproc": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            info["cpu"] = line.split(":", 1)[1].strip()
            break
    info["loadavg_start"] = Path("/proc/loadavg").read_text().split()[:3]
    versions = sh(
        [PY, "-c", "import django, wagtail, rest_framework, gunicorn, psycopg, redis; print(django.get_version(), "
         "wagtail.__version__, rest_framework.__version__, gunicorn.__version__, psycopg.__version__, redis.__version__)"],
    ).stdout.split()  # fmt: skip
    info.update(zip(["django", "wagtail", "drf", "gunicorn", "psycopg", "redis_py"], versions, strict=False))
    info["wrk"] = (
        " ".join(sh(["wrk", "-v"], check=False).stdout.split()[:2]) if have_wrk() else "missing (Python client)"
    )
    try:
        info["postgresql"] = pg_admin("SELECT version()")[0][0].split(" on ")[0]
        info["pg_settings"] = {
            name: pg_admin(f"SELECT current_setting('{name}')")[0][0]  # noqa: S608
            for name in ("shared_buffers", "synchronous_commit", "max_connections")
        }
    except Exception as error:  # noqa: BLE001
        info["postgresql"] = f"unavailable: {error}"
    try:
        import redis

        info["redis"] = redis.Redis.from_url(REDIS).info("server")["redis_version"]
    except Exception as error:  # noqa: BLE001
        info["redis"] = f"unavailable: {error}"
    return info


def main():
    started = time.monotonic()
    RESULTS.mkdir(parents=True, exist_ok=True)
    DATA.mkdir(parents=True, exist_ok=True)
    results = {"mode": MODE, "settings": SETTINGS, "started": datetime.now(UTC).isoformat(timespec="seconds")}
    results["machine"] = machine()
    log(f"mode {MODE}: {json.dumps(SETTINGS)}")
    template, pools = ensure_template("pg")
    results["pg"] = bench_engine("pg", template, pools)
    if os.environ.get("BENCH_SKIP_SQLITE") != "1":
        template, pools = ensure_template("sqlite")
        results["sqlite"] = bench_engine("sqlite", template, pools)
    results["machine"]["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    results["elapsed_s"] = round(time.monotonic() - started)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"bench-{MODE}-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    from bench.report import write_report

    # Only a full run replaces the section of BENCHMARKS.md; a quick run writes its own copy.
    target = ROOT / "BENCHMARKS.md" if MODE == "full" else RESULTS / "BENCHMARKS-quick.md"
    write_report(results, target, BENCH / "reports" / f"latest-{MODE}.json")
    log(f"done in {results['elapsed_s']} s; {target.relative_to(ROOT)} written")


if __name__ == "__main__":
    main()
