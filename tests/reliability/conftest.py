"""Fixtures of the reliability suite: one throwaway PostgreSQL cluster, redis-server and
gunicorn per test session (see harness.py), and the settings of the two profiles.

Profiles (``RELIABILITY_PROFILE``): ``ci`` (default: a few seconds offline, a small rush)
and ``soak`` (``make soak``: a minute offline, a big rush). Each figure can be set on its
own: RELIABILITY_PG_OUTAGE_SECONDS, RELIABILITY_OFFLINE_SECONDS, RELIABILITY_LOAD_PARTICIPANTS,
RELIABILITY_LOAD_WINDOW, RELIABILITY_WORKERS. Figures measured go to artifacts/reliability/figures-<profile>.json,
and into BENCHMARKS.md ("Reliability and load") when RELIABILITY_WRITE_BENCHMARKS=1.
"""

import itertools
import json
import os
import time
from dataclasses import dataclass, field

import pytest

from . import harness

PROFILES = {
    "ci": {
        "pg_outage_seconds": 2,
        "offline_seconds": 8,
        "load_participants": 40,
        "load_window": 8,
        "workers": 3,
        "fsync": False,
    },
    "soak": {
        "pg_outage_seconds": 10,
        "offline_seconds": 60,
        "load_participants": 1500,
        "load_window": 300,
        "workers": 5,
        "fsync": True,
    },
}
ARTIFACTS = harness.ARTIFACTS
DATABASE = "cchc_reliab"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "reliability: fault and load tests against throwaway PostgreSQL, Redis and gunicorn on loopback"
    )


def profile_settings():
    name = os.environ.get("RELIABILITY_PROFILE", "ci")
    if name not in PROFILES:
        raise pytest.UsageError(f"RELIABILITY_PROFILE must be one of {sorted(PROFILES)}, not {name!r}")
    values = dict(PROFILES[name], profile=name)
    for key in ("pg_outage_seconds", "offline_seconds", "load_participants", "load_window", "workers"):
        raw = os.environ.get(f"RELIABILITY_{key.upper()}")
        if raw:
            values[key] = type(values[key])(raw)
    return values


@pytest.fixture(scope="session")
def reliability_settings():
    return profile_settings()


@dataclass
class Stack:
    postgres: harness.PostgresCluster
    redis: harness.RedisServer
    gunicorn: harness.Gunicorn
    database_url: str
    redis_db: int = 0
    _prefixes: itertools.count = field(default_factory=lambda: itertools.count(100))

    @property
    def base(self):
        return self.gunicorn.base

    @property
    def redis_url(self):
        return self.redis.url(self.redis_db)

    def agent(self, command, payload=None, with_redis=False, timeout=300):
        return harness.agent(command, self.database_url, self.redis_url if with_redis else None, payload, timeout)

    def contest(self, **payload):
        """A fresh contest with its own participants (phones kept apart by a prefix)."""
        return self.agent("setup", {"prefix": next(self._prefixes), **payload})

    def snapshot(self, contest):
        return self.agent("snapshot", {"contest_id": contest["contest_id"]})


@pytest.fixture(scope="session")
def stack(reliability_settings):
    reason = harness.missing_binaries()
    if reason:
        pytest.skip(reason)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old_log in ARTIFACTS.glob("gunicorn-*.log"):
        old_log.unlink()
    postgres = harness.PostgresCluster(fsync=reliability_settings["fsync"])
    redis = harness.RedisServer()
    gunicorn = None
    try:
        started = time.monotonic()
        postgres.init().start()
        postgres.create_database(DATABASE)
        database_url = postgres.url(DATABASE)
        migrated = harness.agent("migrate", database_url)
        redis.start()
        gunicorn = harness.Gunicorn(
            database_url, redis.url(0), workers=reliability_settings["workers"], log_dir=ARTIFACTS
        ).start()
        harness.log(
            f"stack up in {time.monotonic() - started:.1f} s (migrations {migrated['seconds']} s): "
            f"PostgreSQL :{postgres.port}, Redis :{redis.port}, gunicorn {gunicorn.base} "
            f"({reliability_settings['workers']} workers)"
        )
        yield Stack(postgres, redis, gunicorn, database_url)
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        redis.destroy()
        postgres.destroy()


@pytest.fixture(scope="session")
def figures(reliability_settings):
    """A dict the tests fill with what they measured; written out at the end of the session."""
    data = {}
    yield data
    if not data:
        return
    from . import report

    data["settings"] = reliability_settings
    data["machine"] = report.machine()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"figures-{reliability_settings['profile']}.json"
    path.write_text(json.dumps(data, indent=1, default=str) + "\n")
    if os.environ.get("RELIABILITY_WRITE_BENCHMARKS") == "1":
        report.write_section(data, harness.ROOT / "BENCHMARKS.md")


@pytest.fixture
def alive(stack):
    """Each test starts with PostgreSQL, Redis and every gunicorn worker up (a previous test may have failed mid-fault)."""
    if not stack.postgres.running():
        stack.postgres.start()
    if stack.redis.process is None:
        stack.redis.start()
    harness.wait_for(lambda: len(stack.gunicorn.workers()) == stack.gunicorn.workers_wanted, 30, what="workers")
    return stack


@pytest.fixture(scope="module")
def chromium():
    from .browser import launch_chromium

    yield from launch_chromium()
