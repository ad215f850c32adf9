"""Writes the "## Reliability and load" section of BENCHMARKS.md from a run's figures
(artifacts/reliability/figures-<profile>.json). Other sections are kept as they are."""

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

SECTION = "## Reliability and load"


def _first_line(args):
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=20)  # noqa: S603 — fixed commands
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (result.stdout or result.stderr).strip()
    return text.splitlines()[0] if text else None


def _memory_gib():
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def machine():
    from . import harness

    versions = _first_line(
        [
            sys.executable,
            "-c",
            "import django, wagtail, rest_framework, gunicorn, psycopg, redis, httpx; "
            "print(django.get_version(), wagtail.__version__, rest_framework.__version__, gunicorn.__version__, "
            "psycopg.__version__, redis.__version__, httpx.__version__)",
        ]
    )
    names = ["django", "wagtail", "drf", "gunicorn", "psycopg", "redis_py", "httpx"]
    pg_bin = harness.pg_bin_dir()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": _first_line([str(pg_bin / "postgres"), "--version"]) if pg_bin else None,
        "redis_server": _first_line(["redis-server", "--version"]),
        "chromium": _first_line([os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), "--version"]),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        **dict(zip(names, (versions or "").split(), strict=False)),
    }


def _ms(value):
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def render(data):
    settings, m = data.get("settings", {}), data.get("machine", {})
    out = [
        SECTION,
        "",
        f"Written by `make soak` (profile `{settings.get('profile')}`) on {m.get('date')}: the reliability suite "
        "(`tests/reliability/`) against a real gunicorn (sync workers) + PostgreSQL + Redis, all started by the "
        "tests on 127.0.0.1 (throwaway cluster and redis-server, never the shared ones). "
        "CI runs the same tests with the small `ci` profile; raw figures in `artifacts/reliability/`.",
        "",
        f"Machine: {m.get('nproc')} CPUs ({m.get('cpu')}), {m.get('memory_gib')} GiB memory, Linux {m.get('kernel')}; "
        f"Python {m.get('python')}, Django {m.get('django')}, Wagtail {m.get('wagtail')}, DRF {m.get('drf')}, "
        f"gunicorn {m.get('gunicorn')} ({settings.get('workers')} sync workers), psycopg {m.get('psycopg')}, "
        f"{m.get('postgresql')} (fsync {'on' if settings.get('fsync') else 'off'}), {m.get('redis_server')}, "
        f"httpx {m.get('httpx')}, {m.get('chromium')}. The load generator runs on the same 2 cores as the "
        f"server and the databases; load average at the end: {m.get('load_average_at_end')}.",
    ]
    rush = data.get("deadline_rush")
    if rush:
        out += [
            "",
            "### The deadline rush",
            "",
            f"{rush['participants']:,} participants arrive over {rush['window_s']} s, more and more towards the end "
            "(twice the average rate at the close; asyncio + httpx, `tests/reliability/load.py`); each starts an "
            "attempt, autosaves 10 answers 0.1–0.6 s apart (some change one), submits and reads the boards; the "
            "round closes 3 s after the last arrival, so the slowest run into the deadline.",
            "",
            "| | |",
            "| --- | --- |",
            f"| requests | {rush['requests']:,} in {rush['elapsed_s']} s: **{rush['throughput_rps']} requests/s** |",
            f"| 5xx | **{rush['server_errors']}** |",
            f"| no answer within 30 s (retried by the client, as the quiz page does) | {rush['network_errors']} "
            f"({rush['retries']} retries, {rush['failed_after_retries']} requests failed after them) |",
            f"| arrived after the round closed (409 no_open_round) | {rush['late_to_start']} |",
            f"| acknowledged answers | {rush['acknowledged_answers']:,}, **{rush['lost_answers']} lost** "
            f"(each in the database and counted in its score) |",
            f"| answers refused after the deadline (409) | {rush['answers_refused_after_close']} |",
            f"| acknowledged submits = graded attempts | {rush['acknowledged_submits']:,} = "
            f"{rush['graded_attempts']:,} ({rush['submitted']:,} submitted, {rush['expired']} expired at the close) |",
            "",
            "| request | count | p50 ms | p95 ms | p99 ms | max ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for kind, row in rush["latency"].items():
            out.append(
                f"| {kind} | {row['requests']:,} | {_ms(row['p50_ms'])} | {_ms(row['p95_ms'])} | "
                f"{_ms(row['p99_ms'])} | {_ms(row['max_ms'])} |"
            )
    out += ["", "### Faults", ""]
    for mode, pg in (data.get("postgres_restart") or {}).items():
        out.append(
            f"- PostgreSQL restarted (`pg_ctl stop -m {mode}`) mid-contest, gunicorn left running: "
            f"{pg['requests_during_outage']} requests during a {pg['outage_seconds']} s outage answered "
            f"{pg['answered_503']}× 503 `service_unavailable` (slowest {pg.get('slowest_503_ms')} ms), "
            f"{pg['answered_500']}× 500; first success "
            f"{pg['first_success_after_restart_s']} s after the restart; {pg['acknowledged_answers']} acknowledged "
            "answers, none lost; deadlines unchanged."
        )
    killed = data.get("worker_killed")
    if killed:
        out.append(
            f"- {killed['workers_killed']} gunicorn workers SIGKILLed during a burst of {killed['participants']} "
            f"submits: {killed['submits_interrupted']} submits got no answer; right after, "
            f"{killed['graded_before_retry']} attempts fully graded and the rest untouched (none half-graded); "
            f"after the clients' retries {killed['graded_after_retry']} graded, {killed['graded_twice']} twice."
            + (
                f" Redis board equal to SQL afterwards: {'yes' if killed['redis_board_equals_sql'] else 'no'}."
                if "redis_board_equals_sql" in killed
                else ""
            )
        )
    redis = data.get("redis_outage")
    if redis:
        out.append(
            f"- Redis stopped: {redis['graded_while_down']} participants started, answered and submitted in "
            f"{redis['seconds_for_those_while_down']} s with {redis['errors']} errors, boards served from SQL, "
            "logged-in sessions kept; Redis back empty: boards rebuilt on the next read and equal to SQL."
        )
    offline = data.get("browser_offline")
    if offline:
        out.append(
            f"- Browser offline for {offline['offline_seconds']} s mid-attempt (Chromium, Playwright): answers given "
            f"offline sent {offline['resent_within_seconds']} s after the network returned; a {offline['hurried_time_limit_seconds']} s "
            f"attempt whose deadline passed offline graded `expired`, its {offline['sent_after_deadline_and_refused']} "
            "late answers refused."
        )
    backup = data.get("backup_restore")
    if backup:
        out.append(
            f"- `scripts/backup_restore_check.py` on the live database while participants answered: "
            f"{backup['tables_compared']} tables, {backup['dump_bytes']:,} bytes dumped, {backup['mismatches']} "
            "row-count mismatches after the restore."
        )
    return "\n".join(out) + "\n"


def write_section(data, path):
    section = render(data)
    path = Path(path)
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        text = "".join(lines[:start]) + section + ("\n" + "".join(lines[end:]) if end < len(lines) else "")
    path.write_text(text)


if __name__ == "__main__":
    figures = json.loads(Path(sys.argv[1]).read_text())
    write_section(figures, sys.argv[2] if len(sys.argv) > 2 else "BENCHMARKS.md")
