"""Settings for the benchmark's gunicorn: production settings, with only what a
loopback benchmark needs changed.

- No HTTPS on loopback (SECURE_SSL_REDIRECT off; cookies still marked secure — wrk
  sends them anyway).
- Static files through the plain storage: no collectstatic/manifest step; the
  benchmark does not serve static files.
- The per-network API ceilings are raised: every simulated participant comes from
  127.0.0.1, so the per-IP limit (30,000 attempt writes an hour) would turn the
  benchmark into a throttle test. The throttle code still runs on every write (its
  Redis / database round trips are measured); only the ceiling changes.
"""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from elearning.settings.production import *  # noqa: E402, F403
from elearning.settings.production import REST_FRAMEWORK, STORAGES  # noqa: E402

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    "attempt_ip": "100000000/hour",
    "attempt_user": "100000/hour",
    "token_ip": "100000000/hour",
}
LEADERBOARD_REDIS_PREFIX = os.environ.get("BENCH_LB_PREFIX", "lb:")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
