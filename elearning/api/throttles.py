"""Per-IP request limits on shared, atomic counters (``caches["throttle"]``).

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, read at request time.
They are ceilings for a whole network — a commune office behind one router — not
for a person: per-account limits (the login lock) come first.

A view with :class:`CountedThrottlesMixin` counts all its :class:`IPRateThrottle`
throttles (per account and per network, say) in one round trip to the store; each
throttle still works alone through DRF's ``allow_request`` / ``wait``.
"""

import math

from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from elearning import throttling
from elearning.api import authentication


class TooManyRequests(exceptions.Throttled):
    """429 with one whole, translated message and ``Retry-After``.

    (DRF's own Throttled appends "Expected available in N seconds.", untranslated.)
    """

    def __init__(self, detail, wait):
        exceptions.APIException.__init__(self, detail, self.default_code)
        self.wait = math.ceil(wait) if wait else None


class CountedThrottlesMixin:
    """For API views: every counting throttle of a request in one round trip.

    DRF asks each throttle in turn (``allow_request``), and each would count on its own;
    here the counters of all :class:`IPRateThrottle` throttles are bumped together
    (:func:`elearning.throttling.hit_many`), then judged as DRF does: every throttle
    counts the request, and the longest wait of those refused goes into ``throttled``.
    """

    def perform_authentication(self, request):
        """With a token and Redis: the counters are bumped and the token's cache entry read in
        one round trip first (every counting throttle here keys a token request without its
        user); authentication then uses that entry and ``check_throttles`` those counts."""
        self.counted_with_token = None
        throttles = self.get_throttles()
        if throttles and all(isinstance(t, IPRateThrottle) and t.keyed_before_authentication for t in throttles):
            counted = self.counted_throttles(request, throttles)
            windows = authentication.count_and_read(request, list(counted.values()))
            if windows is not None:
                self.counted_with_token = (throttles, dict(zip(counted, windows, strict=True)))
        super().perform_authentication(request)

    def counted_throttles(self, request, throttles):
        return {
            index: (throttle.get_cache_key(request, self), throttle.duration)
            for index, throttle in enumerate(throttles)
            if isinstance(throttle, IPRateThrottle) and throttle.rate is not None
        }

    def check_throttles(self, request):
        if getattr(self, "counted_with_token", None) is not None:
            throttles, windows = self.counted_with_token
        else:
            throttles = self.get_throttles()
            counted = self.counted_throttles(request, throttles)
            windows = dict(zip(counted, throttling.hit_many(list(counted.values())), strict=True))
        durations = []
        for index, throttle in enumerate(throttles):
            if index in windows:
                allowed = throttle.allow_window(windows[index])
            else:
                allowed = throttle.allow_request(request, self)
            if not allowed:
                durations.append(throttle.wait())
        if durations:
            self.throttled(request, max((d for d in durations if d is not None), default=None))


class ThrottleMessagesMixin(CountedThrottlesMixin):
    """For API views: the per-IP limit answers with a message a person can read."""

    def throttled(self, request, wait):
        raise TooManyRequests(throttling.network_limit_message(wait or 60), wait)


class IPRateThrottle(SimpleRateThrottle):
    """A fixed window per client IP for ``scope``; every app process shares the count.

    Works on DRF requests and on plain Django requests (the account pages use it too).
    """

    keyed_before_authentication = True  # its key never needs ``request.user``

    def __init__(self):
        self._wait = None
        super().__init__()

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        return f"ip:{self.scope}:{throttling.digest(self.get_ident(request))}"

    def get_ident(self, request):
        """DRF's ``get_ident``, with X-Forwarded-For read from ``META`` rather than from
        ``request.headers``, which builds a dictionary of every header for this one."""
        xff = request.META.get("HTTP_X_FORWARDED_FOR")
        remote_addr = request.META.get("REMOTE_ADDR")
        num_proxies = api_settings.NUM_PROXIES
        if num_proxies is not None:
            if num_proxies == 0 or xff is None:
                return remote_addr
            addrs = xff.split(",")
            return addrs[-min(num_proxies, len(addrs))].strip()
        return "".join(xff.split()) if xff else remote_addr

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        return self.allow_window(throttling.hit(self.get_cache_key(request, view), self.duration))

    def allow_window(self, window):
        """Judge a request already counted: ``window`` is its counter after the hit."""
        self._wait = window.retry_after
        return window.count <= self.num_requests

    def wait(self):
        return self._wait


class RegisterIPThrottle(IPRateThrottle):
    scope = "register_ip"


class LoginIPThrottle(IPRateThrottle):
    """Password checks from one network: the token endpoint and the login page."""

    scope = "token_ip"
