"""The public pages' cache: whole responses for anonymous visitors, and memos every page shares.

**Full-response cache** (``PageCacheMiddleware``, in Django's ``default`` cache: Redis in
production, local memory otherwise). A GET from a visitor without a session cookie is answered
from the cache when the same page was rendered for another anonymous visitor less than its
lifetime ago; a hit makes no database query and skips sessions, authentication and Wagtail.

- Only pages that opt in are stored: every Wagtail page (``on_serve_page`` hook below; a page
  class may shorten its lifetime with ``page_cache_timeout``, 0 = never) and the views wrapped in
  :func:`cache_public_view`. ``PAGE_CACHE_EXCLUDED_PATHS`` (admin, API, accounts, learning,
  certificates, documents, the contest runner…) are never even looked up; POST never is.
- Stored only when the response is a 200, not streaming, sets no cookie, has no
  ``Cache-Control: private/no-store/no-cache``, varies on nothing but ``Cookie``, shows no Django
  message, and the visitor is anonymous.
- Keyed by scheme, host, path with query string, and the language the visitor chose (the
  language cookie: ``elearning.middleware.requested_language``; Accept-Language plays no part).
- CSRF: every page carries the language switch, a POST form. While a cacheable page renders,
  ``{% csrf_token %}`` writes a placeholder (``csrf_placeholder`` context processor); the cached
  copy holds the placeholder, and every response, hit or miss, gets it replaced by a token of the
  visitor's own CSRF secret, with the CSRF cookie set as Django's middleware would. No visitor
  ever receives another visitor's token.
- The Content-Security-Policy is a fixed policy without nonce, added by
  ``elearning.security.ContentSecurityPolicyMiddleware`` outside this middleware, so hits carry it.
- Lifetime: ``PAGE_CACHE_TIMEOUT`` (60 s); ``PAGE_CACHE_LIVE_TIMEOUT`` (5 s) for the contest pages
  (live top ten, leaderboard); pages showing whether a round is open expire when the next round
  opens or closes (:func:`expires_at`).
- Invalidation: a generation token in the cache, stored in every entry; an entry of another
  generation is a miss. Any save or delete of a page, a page view restriction, a site, a setting,
  a registered snippet or a model of ``PAGE_CACHE_CONTENT_MODELS``, and Wagtail's publish,
  unpublish and move signals replace the token (now and again on commit).
- Each process reads the token at most once per ``PAGE_CACHE_GENERATION_SECONDS`` (1 s) and keeps
  the pages it served lately (:class:`KeptPages`, each for its generation and until its expiry),
  so most hits make no round trip to the cache at all. The process that makes a change sees it at
  once; the others within that second (as the public boards' one-second response memory).
- ``X-Cache: hit`` / ``miss`` tells which it was.

**Memos** (:func:`memo`): the Wagtail site of a host with its root page, its settings, the header's navigation pages
and the page a URL routes to (:func:`route`) are kept per process for the current generation (and
a minute at most), so a logged-in page no longer reads them from the database. So are the parts
of a page that are the same for every reader (``{% shared_fragment %}`` in ``elearning_tags``).
"""

import functools
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import OrderedDict
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import timezone
from django.utils.cache import cc_delim_re

from elearning.middleware import requested_language

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
# "page2": entries carry their expiry since (a process of the release before reads only "page:").
ENTRY_PREFIX = "pagecache:page2:"
MESSAGES_COOKIE = "messages"  # django.contrib.messages' cookie storage
UNCACHEABLE_CACHE_CONTROL = {"private", "no-store", "no-cache"}
_STATE_ATTR = "_pagecache"
_GENERATION_ATTR = "_pagecache_generation"


def _setting(name, default):
    return getattr(settings, name, default)


# --- The generation: one token for everything the public pages show ---------------------------------


# This process's view of the token: (token, when it was read). Read again from the cache when older
# than PAGE_CACHE_GENERATION_SECONDS, so a page or memo hit within that window needs no round trip;
# this process's own bumps replace it at once.
_known_generation = (None, 0.0)


def _read_generation():
    """The current token, created when missing; ``None`` when the cache cannot be reached."""
    global _known_generation
    token, read_at = _known_generation
    now = time.monotonic()
    if token is not None and now - read_at < _setting("PAGE_CACHE_GENERATION_SECONDS", 1.0):
        return token
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY)
    _known_generation = (generation, now)
    return generation


def current_generation(request=None):
    """The generation token, read once per request (and at most once per
    ``PAGE_CACHE_GENERATION_SECONDS`` per process)."""
    if request is None:
        return _read_generation()
    if not hasattr(request, _GENERATION_ATTR):
        setattr(request, _GENERATION_ATTR, _read_generation())
    return getattr(request, _GENERATION_ATTR)


def bump():
    """Forget every cached page and memo (a new random token, so a reset cache cannot revive old entries)."""
    global _known_generation
    token = secrets.token_hex(8)
    cache.set(GENERATION_KEY, token, timeout=None)
    _known_generation = (token, time.monotonic())


def forget_local():
    """Drop what this process keeps (the token it read, its memos and kept pages): for tests that
    empty the cache between them, as a restart of every process would."""
    global _known_generation, _memo_state
    _known_generation = (None, 0.0)
    _memo_state = (None, 0.0, {})
    _kept_pages.clear()


def invalidate():
    """Bump now (this process and any reader from now on) and again once the transaction commits,
    so a page rendered from the data before the commit is not kept under the new token."""
    bump()
    transaction.on_commit(bump)


_invalidating = {}


def _is_content_model(model):
    if model not in _invalidating:
        from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
        from wagtail.models import Page, PageViewRestriction, Site

        listed = {label.lower() for label in _setting("PAGE_CACHE_CONTENT_MODELS", [])}
        _invalidating[model] = (
            issubclass(model, (Page, PageViewRestriction, Site, BaseSiteSetting, BaseGenericSetting))
            or hasattr(model, "snippet_viewset")  # a registered snippet
            or model._meta.label_lower in listed
        )
    return _invalidating[model]


# Wagtail fills these in lazily while rendering an image or serving a document: nothing shown changes.
FILE_METADATA_FIELDS = frozenset({"file_size", "file_hash"})


def _content_saved(sender, **kwargs):
    if kwargs.get("raw") or not _is_content_model(sender):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= FILE_METADATA_FIELDS:
        return
    if kwargs.get("created") and _is_setting(sender):
        return  # made with its defaults by the first page that reads it (Wagtail's get_or_create)
    invalidate()


def _is_setting(model):
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting

    return issubclass(model, (BaseSiteSetting, BaseGenericSetting))


def _content_signal(sender=None, **kwargs):
    invalidate()


def connect():
    """Called once from ``ElearningConfig.ready``: signals and the Wagtail hook."""
    from wagtail import hooks
    from wagtail.signals import page_published, page_unpublished, post_page_move

    post_save.connect(_content_saved, dispatch_uid="elearning.pagecache.saved")
    post_delete.connect(_content_saved, dispatch_uid="elearning.pagecache.deleted")
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_content_signal, dispatch_uid=f"elearning.pagecache.{id(signal)}")
    hooks.register("on_serve_page", _on_serve_page)


# --- Per-process memo for what every page reads ------------------------------------------------------

_memo_state = (None, 0.0, {})


def _memo_values(request):
    """This process's memo for the request's generation (``None`` without a reachable cache).

    Also started afresh every ``PAGE_CACHE_TIMEOUT`` seconds: a bump lost while the cache was
    unreachable leaves nothing stale for longer than a cached page.
    """
    global _memo_state
    generation = current_generation(request)
    if generation is None:
        return None
    state = _memo_state
    now = time.monotonic()
    if state[0] != generation or now - state[1] > _setting("PAGE_CACHE_TIMEOUT", 60):
        state = (generation, now, {})
        _memo_state = state
    return state[2]


def request_host(request):
    """``request.get_host()``, validated once per request (the memo keys of a page ask for it often)."""
    host = request.__dict__.get("_elearning_host")
    if host is None:
        host = request._elearning_host = request.get_host()
    return host


def memo(request, key, compute, keep=None):
    """``compute()`` once per process and generation. Without a reachable cache (no generation),
    computed every time; a value for which ``keep(value)`` is false is returned, not kept."""
    values = _memo_values(request)
    if values is None:
        return compute()
    if key in values:
        return values[key]
    value = compute()
    if keep is None or keep(value):
        values[key] = value
    return value


def memo_site(request):
    """Puts the request's Wagtail site on the request (where ``Site.find_for_request`` looks first)
    from the memo: a fresh instance per request, built without a query; and the site root paths
    page URLs are built from."""
    from wagtail.models import Site

    if hasattr(request, "_wagtail_site"):
        return
    try:
        key = ("site", request_host(request), request.get_port())
    except Exception:  # noqa: BLE001 - DisallowedHost: Django answers it further in
        return

    # Wagtail's site root paths (every page URL is built from them; Wagtail reads them from the
    # cache once per request): a fresh list per request from the memo.
    request._wagtail_cached_site_root_paths = list(memo(request, ("site-root-paths",), Site.get_site_root_paths))
    names = [field.attname for field in Site._meta.concrete_fields]

    def find():
        site = Site.find_for_request(request)
        if site is None:
            return None
        root = site.root_page.specific  # what Wagtail's routing starts from (two queries)
        root_names = [field.attname for field in type(root)._meta.concrete_fields]
        return [getattr(site, name) for name in names], (type(root), root_names, [getattr(root, n) for n in root_names])

    found = memo(request, key, find)
    if found is None:
        request._wagtail_site = None
        return
    values, (root_model, root_names, root_values) = found
    site = Site.from_db("default", names, values)
    # The site's root page (its specific instance, fresh for this request), so routing reads no row of it.
    Site.root_page.field.set_cached_value(site, root_model.from_db("default", root_names, root_values))
    request._wagtail_site = site


def route(root, request, path_components, walk):
    """Wagtail's routing from the site root ``root`` with the tree walk memoised.

    ``walk`` (``Page.route``) reads two rows per level of the path; the memo keeps which page a
    path leads to (its class and the values of its row) and the view restrictions over it per
    process and generation, and later requests build that page from the memo, a fresh instance
    each, without a query. A page with a value that cannot be kept safely (anything but a plain
    value or a StreamField, which is kept as its JSON) is loaded alone, live, in one query. Routes
    into a routable page's own views are not memoised.

    Saving, publishing, unpublishing or moving any page starts a new generation, so a kept page
    is never served after it changed (nor after it was unpublished).
    """
    from wagtail.contrib.routable_page.models import RoutablePageMixin
    from wagtail.url_routing import RouteResult

    if not path_components or request is None:
        return walk(request, path_components)
    key = ("route", root.pk, tuple(path_components))
    values = _memo_values(request)
    found = values.get(key) if values is not None else None
    if found is not None:
        model, pk, row = found
        if row is not None:
            page = model.from_db(model.objects.db, *row)
        else:
            page = model.objects.filter(pk=pk, live=True).first()
        if page is not None:
            _memo_view_restrictions(values, page)
            return RouteResult(page)
    result = walk(request, path_components)
    page, args, kwargs = result
    if values is not None and not args and not kwargs and not isinstance(page, RoutablePageMixin):
        values[key] = (type(page), page.pk, _row_of(page))
        _memo_view_restrictions(values, page)
    return result


_PLAIN_VALUES = (str, int, float, bool, bytes, type(None), datetime, date, Decimal, UUID)


def _row_of(page):
    """``(attnames, values)`` rebuilding ``page`` with ``Model.from_db`` (StreamFields as their JSON,
    parsed again by each instance), or None when a value could be shared and changed by a request."""
    from wagtail.fields import StreamField

    names, row = [], []
    for field in type(page)._meta.concrete_fields:
        if isinstance(field, StreamField):
            value = field.value_to_string(page)
        else:
            value = getattr(page, field.attname)
            if not isinstance(value, _PLAIN_VALUES):
                return None
        names.append(field.attname)
        row.append(value)
    return names, tuple(row)


def _memo_view_restrictions(values, page):
    """The view restrictions of ``page`` and its ancestors (Wagtail's serve hook checks them against
    the request) from the memo: saving or deleting a restriction or a page starts a new generation."""
    key = ("view-restrictions", page.pk)
    if key not in values:
        values[key] = tuple(page.get_view_restrictions())
    restrictions = values[key]
    page.get_view_restrictions = lambda: list(restrictions)  # read-only instances, checked per request


# --- What a request may do with the cache ---------------------------------------------------------------


class _State:
    __slots__ = ("generation", "allowed", "timeout", "expiry")

    def __init__(self, generation):
        self.generation = generation
        self.allowed = False
        self.timeout = None
        self.expiry = []


def _state(request):
    return getattr(request, _STATE_ATTR, None)


def is_candidate(request):
    """True while this request's response may be stored for anonymous visitors."""
    return _state(request) is not None


def allow(request, timeout=None):
    """Let this response be stored (``timeout`` seconds at most; 0 = never)."""
    state = _state(request)
    if state is not None:
        state.allowed = True
        if timeout is not None:
            limit(request, timeout)


def limit(request, seconds):
    """Keep this response no longer than ``seconds`` (0 = do not store it)."""
    state = _state(request)
    if state is not None:
        state.timeout = seconds if state.timeout is None else min(state.timeout, seconds)


def expires_at(request, moment):
    """The response is stale at ``moment`` (a datetime, ``None``, or a callable returning one,
    called only if the response is going to be stored)."""
    state = _state(request)
    if state is not None:
        state.expiry.append(moment)


def cache_public_view(view=None, *, timeout=None):
    """Decorator: the view's anonymous GET responses may be cached (same rules as Wagtail pages)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            allow(request, timeout)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def _on_serve_page(next_serve_page):
    """Wagtail hook: a page reached by the serve chain (its view restrictions passed) may be cached."""

    def serve(page, request, args, kwargs):
        if not getattr(request, "is_preview", False):
            allow(request, getattr(page, "page_cache_timeout", None))
        return next_serve_page(page, request, args, kwargs)

    return serve


# --- CSRF: a placeholder in the stored copy, the visitor's own token in every response -------------


@functools.cache
def _placeholder():
    # As long as a CSRF token (64 letters and digits), unguessable, the same in every process.
    return hmac.new(settings.SECRET_KEY.encode(), b"elearning.pagecache.csrf", hashlib.sha256).hexdigest()


def csrf_placeholder_value():
    """What a kept copy holds where a reader's CSRF token goes (also used by ``courses.rendering``)."""
    return _placeholder()


def csrf_placeholder(request):
    """Context processor (after Django's built-in csrf one): while a page that may be cached renders,
    ``{% csrf_token %}`` writes the placeholder that :class:`PageCacheMiddleware` replaces."""
    if is_candidate(request):
        return {"csrf_token": _placeholder()}
    return {}


# --- Site settings through the memo ---------------------------------------------------------------


def _setting_proxies():
    from wagtail.contrib.settings.context_processors import SettingModuleProxy, SettingProxy

    class MemoModuleProxy(SettingModuleProxy):
        def get_setting(self, model_name):
            request = self.request_or_site

            def load():
                instance = super(MemoModuleProxy, self).get_setting(model_name)
                instance.__dict__.pop("_request", None)  # the memo outlives this request
                return instance

            memo_site(request)
            return memo(request, ("setting", self.app_label, model_name.lower(), request_host(request)), load)

    class MemoProxy(SettingProxy):
        def __missing__(self, app_label):
            self[app_label] = value = MemoModuleProxy(self.request_or_site, app_label)
            return value

    return MemoProxy


@functools.cache
def _memo_proxy_class():
    return _setting_proxies()


def settings_context(request):
    """Wagtail's ``settings`` context processor, with the site and its settings read from the memo."""
    if request is None:
        from wagtail.contrib.settings.context_processors import settings as wagtail_settings

        return wagtail_settings(request)
    return {"settings": _memo_proxy_class()(request)}


# --- The middleware ----------------------------------------------------------------------------------


def _entry_key(request, language):
    raw = f"{request.scheme}://{request.get_host()}{request.get_full_path()}|{language}"
    return ENTRY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


class KeptPages:
    """The pages this process served from the cache lately, so that a hit within the generation's
    window (``PAGE_CACHE_GENERATION_SECONDS``) needs no round trip at all: at most
    ``PAGE_CACHE_KEPT_PAGES`` entries (least recently used dropped first), each used only for its
    own generation and until its own expiry."""

    MAX_BYTES = 256 * 1024  # a larger page is not kept here (the shared cache still has it)

    def __init__(self):
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, generation):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] != generation or entry[3] <= time.time():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        if len(entry[1]) > self.MAX_BYTES:
            return
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > _setting("PAGE_CACHE_KEPT_PAGES", 64):
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()


_kept_pages = KeptPages()


def _valid(entry, generation):
    """A stored entry of this generation that has not expired (anything else is a miss)."""
    return isinstance(entry, tuple) and len(entry) == 4 and entry[0] == generation and entry[3] > time.time()


class PageCacheMiddleware:
    """See the module docstring. Placed before the session, CSRF and authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(lambda request: None)
        self.excluded = tuple(_setting("PAGE_CACHE_EXCLUDED_PATHS", []))

    def _eligible(self, request):
        if not _setting("PAGE_CACHE_ENABLED", True) or settings.CSRF_USE_SESSIONS:
            return False
        if request.method not in ("GET", "HEAD"):
            return False
        if request.path.startswith(self.excluded):
            return False
        cookies = request.COOKIES
        return settings.SESSION_COOKIE_NAME not in cookies and MESSAGES_COOKIE not in cookies

    def __call__(self, request):
        if not self._eligible(request):
            if request.method in ("GET", "HEAD") and not request.path.startswith(self.excluded):
                memo_site(request)
            return self.get_response(request)
        try:
            key = _entry_key(request, requested_language(request))
        except Exception:  # noqa: BLE001 - DisallowedHost and the like: Django answers them
            return self.get_response(request)

        generation = current_generation(request)
        if generation is not None:
            entry = _kept_pages.get(key, generation)
            if entry is None:
                entry = cache.get(key)
                if _valid(entry, generation):
                    _kept_pages.put(key, entry)
                else:
                    entry = None
            if entry is not None:
                return self._hit(request, entry)

        setattr(request, _STATE_ATTR, _State(generation))
        memo_site(request)
        response = self.get_response(request)
        stored = False
        timeout = self._storable_for(request, response)
        if timeout:
            entry = (generation, response.content, list(response.items()), time.time() + timeout)
            cache.set(key, entry, timeout)
            _kept_pages.put(key, entry)
            stored = True
        self._stamp_csrf(request, response)
        response["X-Cache"] = "miss"
        if stored:
            logger.debug("page cache: stored %s for %s s", request.path, timeout)
        return response

    def _hit(self, request, entry):
        _generation, content, headers, _expires = entry
        response = HttpResponse(content, status=200)
        for name, value in headers:
            response[name] = value
        self._stamp_csrf(request, response)
        response["X-Cache"] = "hit"
        return response

    def _stamp_csrf(self, request, response):
        if getattr(response, "streaming", False):
            return
        placeholder = _placeholder().encode()
        if placeholder not in response.content:
            return
        if "CSRF_COOKIE" not in request.META:
            self.csrf.process_request(request)  # the visitor's secret from their cookie, or a new one
        token = get_token(request).encode()
        response.content = response.content.replace(placeholder, token)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        self.csrf.process_response(request, response)  # the CSRF cookie and Vary: Cookie

    def _storable_for(self, request, response):
        """Seconds to keep this response, or 0."""
        state = _state(request)
        if state is None or not state.allowed or state.generation is None or request.method != "GET":
            return 0
        if response.status_code != 200 or response.streaming or response.cookies:
            return 0
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # something used the real CSRF token
            return 0
        directives = {d.split("=")[0].strip().lower() for d in cc_delim_re.split(response.get("Cache-Control", ""))}
        if directives & UNCACHEABLE_CACHE_CONTROL:
            return 0
        vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}
        if vary - {"cookie"}:
            return 0
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return 0
        storage = getattr(request, "_messages", None)
        if storage is not None and len(storage):
            return 0
        timeout = _setting("PAGE_CACHE_TIMEOUT", 60) if state.timeout is None else state.timeout
        now = timezone.now()
        for moment in state.expiry:
            if callable(moment):
                moment = moment()
            if isinstance(moment, datetime):
                timeout = min(timeout, int((moment - now).total_seconds()))
        return max(0, timeout)
