"""Settings of the reliability tests' gunicorn: the production settings, changed only
where a loopback test run must.

- Plain HTTP on 127.0.0.1: no SSL redirect, cookies not marked Secure (the browser test
  logs in over http).
- Static files straight from the source folders (WhiteNoise's finders): no collectstatic.
- Every simulated participant comes from 127.0.0.1, so the per-IP API ceilings are raised
  (the throttle code still runs on every write; only the ceiling changes).

Everything that matters for the faults is production's: CONN_MAX_AGE with health checks,
Redis with IGNORE_EXCEPTIONS, cached_db sessions, DEBUG off, the 503 middleware.
"""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from elearning.settings.production import *  # noqa: E402, F403
from elearning.settings.production import REST_FRAMEWORK, STORAGES  # noqa: E402

ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
WHITENOISE_USE_FINDERS = True
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    "attempt_ip": "100000000/hour",
    "attempt_user": "100000/hour",
    "token_ip": "100000000/hour",
}
