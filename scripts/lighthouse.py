#!/usr/bin/env python3
"""Lighthouse scores (mobile) of the home, lesson, quiz and leaderboard pages.

    .venv/bin/python scripts/lighthouse.py            # writes the "## Lighthouse" section of BENCHMARKS.md
    .venv/bin/python scripts/lighthouse.py --runs 1   # quicker; --no-write prints only

What it does, all on loopback: a throwaway SQLite database with the `make run` demo content
(migrate + seed_demo), collectstatic, gunicorn with the production settings
(scripts/lighthouse_settings.py: whitenoise, compressed hashed static files, DEBUG off), then
npm's lighthouse 12.2.3 in Debian's Chromium at Lighthouse's default mobile settings
(Moto G Power emulation, simulated slow 4G, 4x CPU slowdown). The quiz page is an attempt of the
demo citizen, opened with their session cookie. Each page runs --runs times (default 3); the
median of each category is reported. Other sections of BENCHMARKS.md are kept as they are.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
LIGHTHOUSE_VERSION = "12.2.3"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TARGET = 90
SECTION = "## Lighthouse"

PREPARE = """
import json
from django.test import Client
from django.contrib.auth import get_user_model
from courses.models import LessonPage
from quizzes.models import ContestPage
from quizzes.services.attempts import start_attempt

citizen = get_user_model().objects.get(username="0912000005")
contest = ContestPage.objects.live().get(slug="cchc-2018")
attempt = start_attempt(citizen, contest)
attempt = attempt[0] if isinstance(attempt, tuple) else attempt
client = Client()
client.force_login(citizen)
from django.conf import settings
lesson = LessonPage.objects.live().order_by("path").first()
print(json.dumps({
    "lesson": lesson.url,
    "quiz": f"/contest/attempts/{attempt.pk}/",
    "leaderboard": contest.url + "leaderboard/",
    "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
}))
"""


def run(cmd, env, **kwargs):
    print("+", " ".join(str(part) for part in cmd)[:120], flush=True)
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)  # noqa: S603 - fixed commands


def ensure_lighthouse():
    if LIGHTHOUSE.exists():
        return
    npm = shutil.which("npm")
    if not npm:
        sys.exit("npm is needed to install lighthouse (apt-get install npm)")
    subprocess.run(  # noqa: S603 - fixed command
        [
            npm,
            "install",
            "--no-save",
            "--no-package-lock",
            "--no-audit",
            "--no-fund",
            f"lighthouse@{LIGHTHOUSE_VERSION}",
        ],
        cwd=ROOT,
        check=True,
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the server did not answer {url}")


def lighthouse(url, out, cookie=None):
    cmd = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
    ]
    if cookie:
        cmd.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    for attempt in range(3):  # Lighthouse now and then loses the trace (NO_NAVSTART): try again
        done = subprocess.run(cmd, env={**os.environ, "CHROME_PATH": CHROME}, check=False)  # noqa: S603
        if done.returncode == 0:
            break
        print(f"lighthouse failed on {url} (try {attempt + 1} of 3)", flush=True)
    else:
        raise SystemExit(f"lighthouse could not measure {url}")
    report = json.loads(Path(out).read_text())
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    failing = sorted(
        (audit["score"], audit["id"], audit["title"])
        for audit in report["audits"].values()
        if audit.get("score") is not None and audit["score"] < 0.9 and audit.get("scoreDisplayMode") == "binary"
    )
    return scores, report, failing


def render(results, runs, command, started):
    lines = [
        SECTION,
        "",
        f"_Written by `{command}`, {started:%Y-%m-%d %H:%M} UTC. Lighthouse {LIGHTHOUSE_VERSION} (npm) in Debian's "
        f"Chromium, headless, default **mobile** settings (Moto G Power emulation, simulated slow 4G, 4× CPU "
        f"slowdown); median of {runs} run(s) per page. Server: gunicorn with the production settings "
        "(`scripts/lighthouse_settings.py`: whitenoise serving compressed hashed static files, DEBUG off) on "
        "127.0.0.1, SQLite with the `make run` demo content (`seed_demo`). The quiz page is an attempt of the "
        "demo citizen, opened with their session cookie. Target: at least 90 in every category._",
        "",
        "| page | path | performance | accessibility | best practices | SEO |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in results.items():
        cells = [f"**{row['scores'][c]}**" if row["scores"][c] < TARGET else str(row["scores"][c]) for c in CATEGORIES]
        lines.append(f"| {name} | `{row['path']}` | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Page metrics (median run): first contentful paint, largest contentful paint, total blocking time, "
        "cumulative layout shift, bytes transferred.",
        "",
        "| page | FCP | LCP | TBT | CLS | transfer |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in results.items():
        m = row["metrics"]
        lines.append(f"| {name} | {m['fcp']} | {m['lcp']} | {m['tbt']} | {m['cls']} | {m['bytes']} |")
    misses = {name: row["failing"] for name, row in results.items() if row["failing"]}
    if misses:
        lines += ["", "Audits not passed (median run):", ""]
        for name, failing in misses.items():
            lines.append(f"- {name}: " + "; ".join(f"{title} (`{ident}`)" for _score, ident, title in failing))
    below = [name for name, row in results.items() if min(row["scores"].values()) < TARGET]
    lines += ["", "All four pages reach 90 in every category." if not below else f"Below 90: {', '.join(below)}.", ""]
    return "\n".join(lines)


def write_section(section, path=ROOT / "BENCHMARKS.md"):
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == SECTION), None)
    if start is None:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        text = "".join(lines[:start]) + section + ("\n" + "".join(lines[end:]) if end < len(lines) else "")
    path.write_text(text)


def metrics(report):
    audits = report["audits"]
    return {
        "fcp": audits["first-contentful-paint"]["displayValue"],
        "lcp": audits["largest-contentful-paint"]["displayValue"],
        "tbt": audits["total-blocking-time"]["displayValue"],
        "cls": audits["cumulative-layout-shift"]["displayValue"],
        "bytes": f"{audits['total-byte-weight']['numericValue'] / 1024:.0f} KiB",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print the section, leave BENCHMARKS.md alone")
    parser.add_argument("--pages", default="home,lesson,quiz,leaderboard", help="comma-separated subset")
    parser.add_argument("--keep", action="store_true", help="keep the reports (prints their folder)")
    args = parser.parse_args()
    started = datetime.now(UTC)
    ensure_lighthouse()

    work = Path(tempfile.mkdtemp(prefix="cchc-lighthouse-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="lighthouse_settings",
        PYTHONPATH=f"{ROOT / 'scripts'}:{ROOT}",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        LIGHTHOUSE_STATIC_ROOT=str(work / "static"),
        MEDIA_ROOT=str(work / "media"),
    )
    server = None
    try:
        manage = [str(PYTHON), "manage.py"]
        run([*manage, "migrate", "--noinput", "-v", "0"], env)
        run([*manage, "createcachetable"], env)
        run([*manage, "seed_demo"], env, stdout=subprocess.DEVNULL)
        run([*manage, "collectstatic", "--noinput", "-v", "0"], env)
        prepared = run([*manage, "shell", "-c", PREPARE], env, capture_output=True, text=True).stdout
        pages = json.loads(prepared.strip().splitlines()[-1])

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - fixed command
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "elearning.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        wait_for(base + "/")

        targets = {
            "home": ("/", None),
            "lesson": (pages["lesson"], None),
            "quiz": (pages["quiz"], pages["cookie"]),
            "leaderboard": (pages["leaderboard"], None),
        }
        results = {}
        targets = {name: target for name, target in targets.items() if name in args.pages.split(",")}
        for name, (path, cookie) in targets.items():
            runs = []
            for index in range(args.runs):
                scores, report, failing = lighthouse(base + path, work / f"{name}-{index}.json", cookie)
                print(f"{name} run {index + 1}: {scores}", flush=True)
                runs.append((scores, report, failing))
            median_scores = {c: round(statistics.median(r[0][c] for r in runs)) for c in CATEGORIES}
            # The run closest to the median performance speaks for the page's metrics and audits.
            typical = min(runs, key=lambda r: abs(r[0]["performance"] - median_scores["performance"]))
            results[name] = {
                "path": path,
                "scores": median_scores,
                "metrics": metrics(typical[1]),
                "failing": typical[2],
            }

        command = "scripts/lighthouse.sh" + (f" --runs {args.runs}" if args.runs != 3 else "")
        section = render(results, args.runs, command, started)
        print(section)
        if not args.no_write and len(targets) == 4:
            write_section(section)
        return 0 if all(min(row["scores"].values()) >= TARGET for row in results.values()) else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if args.keep:
            print(f"reports kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
