"""Tests: fast hasher, no SSL redirect. DATABASE_URL / REDIS_URL still apply,
so the same suite runs on SQLite + local memory and on PostgreSQL + Redis."""

from .base import *  # noqa: F403
from .base import REDIS_URL

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if REDIS_URL:
    # Keep test runs apart from anything else using this Redis.
    for _alias in CACHES:  # noqa: F405
        CACHES[_alias]["KEY_PREFIX"] = "test-" + CACHES[_alias]["KEY_PREFIX"]  # noqa: F405
LEADERBOARD_REDIS_PREFIX = "test-lb:"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: live-server threads then use their own connections,
    # so concurrency tests race for real on SQLite too. One file per test run.
    import os
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"cchc-test-{os.getpid()}.sqlite3")
    }

# One test process: its local-memory cache is shared by every thread, so the session user's rows are
# kept as in production with Redis (elearning.accounts.usercache), on both databases.
SESSION_USER_MEMO = True
