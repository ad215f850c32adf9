"""Settings per environment: read from the environment, secure by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from elearning.settings.env import env_bool, env_list

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "elearning.settings.production",
    "SECRET_KEY": "k" * 30 + "-production-secret-for-the-check-only-0123456789",
    "ALLOWED_HOSTS": "cchc.example.vn",
    "CSRF_TRUSTED_ORIGINS": "https://cchc.example.vn",
}


def _run(args, env):
    full_env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full_env.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("yes", True), ("false", False), ("0", False), ("", False)]
)
def test_booleans_are_parsed_explicitly(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", default=not expected) is expected


def test_a_misspelt_boolean_is_an_error_not_true(monkeypatch):
    monkeypatch.setenv("FLAG", "ture")
    with pytest.raises(ImproperlyConfigured):
        env_bool("FLAG")


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.vn, b.vn,,")
    assert env_list("HOSTS") == ["a.vn", "b.vn"]


def test_production_passes_check_deploy_without_warnings():
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PROD_ENV, SECRET_KEY="")
    result = _run(["check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_reads_database_and_redis_urls():
    env = dict(
        PROD_ENV,
        DATABASE_URL="postgres://app:pw@db.internal:5432/cchc",
        REDIS_URL="redis://cache.internal:6379/2",
        SECURE_SSL_REDIRECT="false",
        MEDIA_ROOT="/srv/media",
    )
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['HOST'], d['NAME'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']);"
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], s.SESSION_ENGINE);"
        "print(s.SECURE_SSL_REDIRECT, s.MEDIA_ROOT, s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.DEBUG);"
        # whitenoise's place: right after Django's SecurityMiddleware
        "m = s.MIDDLEWARE; print(s.STORAGES['staticfiles']['BACKEND'], "
        "m[m.index('django.middleware.security.SecurityMiddleware') + 1])"
    )
    result = _run(["shell", "-c", code], env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()[-4:]
    assert lines[0] == "django.db.backends.postgresql db.internal cchc 600 True"
    assert (
        lines[1]
        == "django_redis.cache.RedisCache redis://cache.internal:6379/2 django.contrib.sessions.backends.cached_db"
    )
    assert lines[2] == "False /srv/media ['cchc.example.vn'] ['https://cchc.example.vn'] False"
    assert (
        lines[3] == "whitenoise.storage.CompressedManifestStaticFilesStorage whitenoise.middleware.WhiteNoiseMiddleware"
    )


def test_default_database_is_a_sqlite_file():
    code = (
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'])"
    )
    result = _run(["shell", "-c", code], {"DJANGO_SETTINGS_MODULE": "elearning.settings.dev"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"django.db.backends.sqlite3 {ROOT / 'db.sqlite3'}"
