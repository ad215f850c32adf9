"""Production: PostgreSQL (DATABASE_URL), Redis (REDIS_URL), gunicorn behind a
reverse proxy, static files served by whitenoise from a compressed manifest."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, STORAGES

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters.")

DEBUG = False
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"
# Behind exactly one reverse proxy (nginx): the client address is the last one the proxy
# appended to X-Forwarded-For, so a client cannot pick its own address for the per-IP limits
# by sending the header itself. With no proxy in front, set it to 0 — see docs/security.md.
REST_FRAMEWORK["NUM_PROXIES"] = 1  # noqa: F405
