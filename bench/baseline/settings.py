"""A bare Django project: no middleware (BASELINE_MIDDLEWARE=1 adds Django's default
stack), one app, the same DATABASE_URL handling as the app (persistent PostgreSQL
connections; SQLite with WAL and BEGIN IMMEDIATE)."""

import os

import dj_database_url

SECRET_KEY = os.environ.get("SECRET_KEY", "baseline-only-key")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.baseline.urls"
WSGI_APPLICATION = "bench.baseline.wsgi.application"
INSTALLED_APPS = ["bench.baseline"]
if os.environ.get("BASELINE_MIDDLEWARE") == "1":
    INSTALLED_APPS += ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions"]
    MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]
else:
    MIDDLEWARE = []
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "sqlite:///:memory:"), conn_max_age=600, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
