"""Throwaway servers for the reliability tests: a PostgreSQL cluster, a redis-server and
gunicorn, each on its own 127.0.0.1 port, started and stopped by the test run.

Never the shared PostgreSQL (5432) or Redis (6379): faults are injected into servers this
module started itself, and everything it starts it stops, also on failure. Every wait is
bounded in time.
"""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "reliability"  # logs, screenshots, figures (ignored by git)
VENV_BIN = Path(sys.executable).parent
SERVER_SETTINGS = "tests.reliability.server_settings"
SECRET_KEY = "reliability-only-" + "k" * 48  # loopback test servers only
LOOPBACK = "127.0.0.1"


def log(message):
    print(f"[reliability {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def pg_bin_dir():
    """The newest PostgreSQL server binaries on this machine (PG_BIN overrides), or None."""
    wanted = os.environ.get("PG_BIN")
    candidates = [wanted] if wanted else sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key)
    for path in reversed(candidates):
        if path and Path(path, "initdb").is_file() and Path(path, "pg_ctl").is_file():
            return Path(path)
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path and shutil.which("pg_ctl") else None


def _version_key(path):
    try:
        return int(Path(path).parent.name)
    except ValueError:
        return 0


def missing_binaries():
    """Why these tests cannot run here, or None."""
    if pg_bin_dir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found; set PG_BIN"
    if shutil.which("redis-server") is None:
        return "redis-server not found"
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        return "pg_dump / pg_restore not found"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to own the throwaway cluster"
    return None


def wait_for(check, timeout, interval=0.1, what="condition"):
    """Poll ``check()`` until it returns a truthy value; bounded by ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as error:  # polling a server that is coming up
            last = error
        time.sleep(interval)
    raise TimeoutError(f"{what} not reached within {timeout} s (last error: {last!r})")


def _run(args, timeout=60, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=timeout, **kwargs)  # noqa: S603


class PostgresCluster:
    """A PostgreSQL cluster in a temporary directory, owned by ``postgres`` when run as root."""

    def __init__(self, port=None, fsync=False):
        self.bin = pg_bin_dir()
        self.fsync = fsync
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="cchc-reliab-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log_path = self.root / "postgres.log"
        self.as_postgres = os.geteuid() == 0

    def _cmd(self, *args):
        command = [str(self.bin / args[0]), *map(str, args[1:])]
        return ["runuser", "-u", "postgres", "--", *command] if self.as_postgres else command

    def init(self):
        self.sockets.mkdir()
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
        _run(self._cmd("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"))
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# reliability tests\n"
                f"listen_addresses = '{LOOPBACK}'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.sockets}'\n"
                "max_connections = 120\nshared_buffers = 128MB\n"
                # A crashed server process, not a lost machine, is what the fault tests inject: the kernel
                # keeps what was written, so fsync may be off (synchronous_commit stays on). On for soak figures.
                f"fsync = {'on' if self.fsync else 'off'}\n"
                "log_min_messages = warning\nlog_connections = off\n"
            )
        return self

    def start(self):
        _run(self._cmd("pg_ctl", "-D", self.data, "-l", self.log_path, "-w", "-t", "30", "start"), timeout=45)
        wait_for(self.accepts, 30, what=f"PostgreSQL on port {self.port}")
        return self

    def stop(self, mode="fast"):
        """``fast``: a clean shutdown; ``immediate``: like a crash (WAL replay at the next start)."""
        _run(self._cmd("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "30", "stop"), timeout=45)

    def running(self):
        command = self._cmd("pg_ctl", "-D", self.data, "status")
        result = subprocess.run(command, capture_output=True, timeout=15)  # noqa: S603
        return result.returncode == 0

    def accepts(self):
        import psycopg

        with psycopg.connect(self.url("postgres"), connect_timeout=2) as conn:
            return conn.execute("SELECT 1").fetchone()[0] == 1

    def url(self, dbname):
        return f"postgres://postgres@{LOOPBACK}:{self.port}/{dbname}"

    def sql(self, statement, dbname="postgres"):
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else None

    def create_database(self, name, template=None):
        suffix = f" TEMPLATE {template}" if template else ""
        self.sql(f'CREATE DATABASE "{name}"{suffix}')

    def destroy(self):
        try:
            if self.data.exists() and self.running():
                self.stop("immediate")
        except Exception as error:  # best effort on the way out
            log(f"could not stop PostgreSQL cleanly: {error!r}")
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """A redis-server that keeps nothing on disk (like the production cache after a restart)."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="cchc-reliab-redis-"))
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 — a fixed command line
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                LOOPBACK,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(self.ping, 15, what=f"redis-server on port {self.port}")
        return self

    def client(self, db=0):
        import redis

        return redis.Redis(host=LOOPBACK, port=self.port, db=db, socket_connect_timeout=1, socket_timeout=5)

    def ping(self):
        return self.client().ping()

    def url(self, db=0):
        return f"redis://{LOOPBACK}:{self.port}/{db}"

    def stop(self):
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.process = None

    def destroy(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def server_env(database_url, redis_url, **extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE=SERVER_SETTINGS,
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        SECURE_SSL_REDIRECT="false",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    env.update({key: str(value) for key, value in extra.items()})
    return env


class Gunicorn:
    """gunicorn with sync workers, as in production (docs/operations.md), on a loopback port."""

    def __init__(self, database_url, redis_url, workers=2, port=None, log_dir=None, timeout=30):
        self.port = port or free_port()
        self.base = f"http://{LOOPBACK}:{self.port}"
        self.env = server_env(database_url, redis_url)
        self.workers_wanted = workers
        self.timeout = timeout
        self.log_path = Path(log_dir or tempfile.gettempdir()) / f"gunicorn-{self.port}.log"
        self.process = None

    def start(self):
        self.log_file = open(self.log_path, "ab")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 — a fixed command line
            [
                str(VENV_BIN / "gunicorn"),
                "elearning.wsgi:application",
                "--bind",
                f"{LOOPBACK}:{self.port}",
                "--workers",
                str(self.workers_wanted),
                "--worker-class",
                "sync",
                "--timeout",
                str(self.timeout),
                "--graceful-timeout",
                "5",
                "--backlog",
                "2048",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._ready, 60, interval=0.25, what=f"gunicorn on {self.base}")
        wait_for(lambda: len(self.workers()) == self.workers_wanted, 30, what="gunicorn workers")
        return self

    def _ready(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
        with urllib.request.urlopen(f"{self.base}/api/v1/units/", timeout=5) as response:  # noqa: S310 — loopback
            return response.status == 200

    def workers(self):
        """Process ids of the live workers (the master's children)."""
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def kill_worker(self, pid):
        os.kill(pid, signal.SIGKILL)

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.process = None
        self.log_file.close()


def agent(command, database_url, redis_url=None, payload=None, timeout=300):
    """Run ``tests/reliability/agent.py COMMAND`` (Django, on the throwaway database); returns its JSON."""
    env = server_env(database_url, redis_url)
    result = subprocess.run(  # noqa: S603 — a fixed command line
        [sys.executable, "-m", "tests.reliability.agent", command],
        input=json.dumps(payload or {}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"agent {command} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return json.loads(result.stdout)


def http_json(method, url, token=None, body=None, timeout=10, headers=None):
    """One blocking request; returns (status, parsed JSON or text, headers). Status 0 on a network error."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 — loopback test servers
    request.add_header("Accept", "application/json")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw, status, head = response.read(), response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        raw, status, head = error.read(), error.code, dict(error.headers)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, None, {}
    text = raw.decode("utf-8", errors="replace")
    if "json" in head.get("Content-Type", ""):
        try:
            return status, json.loads(text), head
        except ValueError:
            pass
    return status, text, head
