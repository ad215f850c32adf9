"""Settings shared by every environment. Secure by default: secrets, hosts and
debug come from the environment; dev.py and test.py relax what they must."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_list, env_str

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "elearning",
    "courses",
    "quizzes",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "elearning.abandoned.AbandonedRequestMiddleware",  # a client that has gone: 499, nothing run
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "elearning.security.ContentSecurityPolicyMiddleware",
    "elearning.middleware.DatabaseUnavailableMiddleware",  # 503, not 500, while PostgreSQL is unreachable
    "elearning.pagecache.PageCacheMiddleware",  # anonymous pages from the cache: before sessions and auth
    "django.contrib.sessions.middleware.SessionMiddleware",
    "elearning.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "elearning.middleware.LazyMessageMiddleware",  # Django's, with the storage built when first used
    "elearning.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "elearning.middleware.PageRedirectMiddleware",  # Wagtail's redirects, not for the JSON API's 404s
]

ROOT_URLCONF = "elearning.urls"
WSGI_APPLICATION = "elearning.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "elearning.pagecache.settings_context",  # Wagtail's settings, memoised per generation
                "elearning.pagecache.csrf_placeholder",  # last: the CSRF token of a page that may be cached
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# DATABASE_URL, default a SQLite file. PostgreSQL keeps connections open with
# health checks, so a database restart heals without restarting the app.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: wait for the lock instead of failing, and take the
    # write lock at BEGIN so read-then-write transactions cannot deadlock.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, throttles ------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    _redis_options = {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        "SOCKET_CONNECT_TIMEOUT": 1,
        "SOCKET_TIMEOUT": 1,
        # A Redis outage degrades to cache misses, never to an error page.
        "IGNORE_EXCEPTIONS": True,
    }
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cchc",
            "OPTIONS": _redis_options,
        },
        "throttle": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cchc-throttle",
            "OPTIONS": _redis_options,
        },
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Throttle counters must be shared by every app process.
        "throttle": {
            # Django's database cache with an atomic incr that keeps the expiry.
            "BACKEND": "elearning.throttling.ThrottleDatabaseCache",
            "LOCATION": "throttle_cache",
            # Culling would drop live counters (and locks): keep room for many.
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        },
    }
LEADERBOARD_REDIS_PREFIX = "lb:"
# The session user's rows (and a lesson reader's progress) kept per app process, checked against
# versions in the default cache on every request (elearning.accounts.usercache): only when that
# cache is shared by every process, so a change made in one is seen by all.
SESSION_USER_MEMO = bool(REDIS_URL)
# Sessions are read from the cache and written through to the database, so a
# Redis restart logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Public page cache (elearning.pagecache) -------------------------------------------------
# Whole responses for anonymous visitors in the default cache; docs/scaling.md.
PAGE_CACHE_ENABLED = True
PAGE_CACHE_TIMEOUT = 60  # seconds, content pages (invalidated on publish anyway)
PAGE_CACHE_LIVE_TIMEOUT = 5  # seconds, the contest pages: live top ten and leaderboards
# Seconds a process trusts the generation token it read (a change made by another process is seen
# within this; 0 reads it on every request), and how many served pages it keeps in memory.
PAGE_CACHE_GENERATION_SECONDS = 1
PAGE_CACHE_KEPT_PAGES = 64
# Never looked up nor stored: personal, admin, API, file and form pages.
PAGE_CACHE_EXCLUDED_PATHS = [
    "/admin/",
    "/api/",
    "/accounts/",
    "/learn/",
    "/certificates/",
    "/documents/",
    "/contest/",  # the quiz runner, results and reviews (contest pages live under the contest index)
    "/i18n/",
    "/_util/",  # Wagtail's password form for private pages
    "/static/",
    "/media/",
]
# Besides pages, page view restrictions, sites, settings and registered snippets: saving or
# deleting one of these clears every cached page and memo.
PAGE_CACHE_CONTENT_MODELS = [
    "elearning.LegalDocument",
    "elearning.Unit",
    "elearning.UnitKind",
    "elearning.CustomImage",
    "wagtaildocs.Document",
    "wagtailcore.CollectionViewRestriction",
    "taggit.Tag",
    "courses.Procedure",
    "quizzes.Round",
    "quizzes.RoundResult",  # a round closed: its boards turn final
]

# --- Auth -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's defaults, plus (last, so never preferred) a lighter hasher for the
# random one-time passwords of imported officials: see elearning/imports/passwords.py.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "elearning.imports.passwords.OneTimePasswordHasher",
]
# Password checks go through the per-account login lock (elearning.throttling).
AUTHENTICATION_BACKENDS = ["elearning.accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # set-password links for imported officials

# Login throttle: failures per account within the window lock the account out.
LOGIN_FAILURE_LIMIT = 10
LOGIN_FAILURE_WINDOW = 15 * 60

# --- Internationalisation ----------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# App catalogs first: makemessages run from the top writes each string to the
# catalog of the app whose files hold it, and templates/ strings to locale/.
LOCALE_PATHS = [BASE_DIR / app / "locale" for app in ("elearning", "courses", "quizzes")] + [BASE_DIR / "locale"]
# Vietnamese for the Wagtail admin screens Wagtail's own catalog leaves in English; last, so
# project strings win, yet before the installed apps' catalogs. makemessages never writes here.
LOCALE_PATHS += [BASE_DIR / "elearning" / "locale_admin"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
FORMAT_MODULE_PATH = ["elearning.formats"]  # vi DATETIME_FORMAT for use inside sentences
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = [("vi", "Tiếng Việt")]

# --- Static and media ------------------------------------------------------------
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_URL = "/static/"
MEDIA_ROOT = env_str("MEDIA_ROOT", str(BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SPREADSHEET_MAX_UPLOAD_SIZE = 5 * 1024 * 1024

# --- Security (relaxed only in dev/test) -----------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 365 * 24 * 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (elearning.security): scripts from this site only, never inline.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["https:"],  # video embeds in lessons (YouTube, Vimeo…)
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CSP_EXEMPT_PATHS = ["/admin/"]  # Wagtail's admin still has inline scripts

# --- Wagtail ------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "CCHC e-Learning"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILIMAGES_IMAGE_MODEL = "elearning.CustomImage"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "doc", "xlsx", "odt", "ods", "pptx", "txt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES = []  # every document downloads as an attachment, never renders here
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_PASSWORD_RESET_ENABLED = True
WAGTAILUSERS_PASSWORD_ENABLED = True

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "elearning.api.authentication.CachedTokenAuthentication",  # TokenAuthentication + a shared cache
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # DRF's negotiation, without parsing the Accept header that nearly every client sends.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "elearning.api.negotiation.ShortcutContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "elearning.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per-IP ceilings sized for a commune office behind one router.
    "DEFAULT_THROTTLE_RATES": {
        "register_ip": "600/hour",
        "token_ip": "1200/hour",
        "attempt_ip": "30000/hour",
        "attempt_user": "1200/hour",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CCHC e-Learning API",
    "DESCRIPTION": "Contest and training API (v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PREPROCESSING_HOOKS": ["elearning.api.schema.only_public_api"],
    "COMPONENT_SPLIT_REQUEST": True,
    # The API documentation page is served from our own static files, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "elearning": {"level": "INFO"},
        "quizzes": {"level": "INFO"},
        "courses": {"level": "INFO"},
    },
}
