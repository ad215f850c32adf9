"""Settings for the Lighthouse run (scripts/lighthouse.py): the production settings as they
ship — whitenoise serving compressed, hashed static files, DEBUG off, the security headers —
with only what a loopback run over plain HTTP needs changed. The database and static root
come from the environment the script sets (a throwaway SQLite file and folder)."""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from elearning.settings.production import *  # noqa: E402, F403

ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STATIC_ROOT = os.environ["LIGHTHOUSE_STATIC_ROOT"]
SESSION_COOKIE_SECURE = False  # http://127.0.0.1: the quiz page is opened with a session cookie
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
