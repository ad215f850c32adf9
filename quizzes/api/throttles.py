"""Limits on contest writes: per account first, then a generous per-network ceiling
(a commune office, or a mobile carrier's shared address, is many people)."""

from elearning import throttling
from elearning.api.authentication import token_key_in
from elearning.api.throttles import IPRateThrottle


class AttemptIPThrottle(IPRateThrottle):
    scope = "attempt_ip"


class AttemptUserThrottle(IPRateThrottle):
    """Per account: far above what answering by hand needs, stops runaway scripts.

    A request with an API token counts under its token (an account has one), known before
    authentication, so the count and the token's read are one round trip to Redis
    (``CountedThrottlesMixin``); a signed-in browser counts under its user.
    """

    scope = "attempt_user"

    def get_cache_key(self, request, view):
        token_key = token_key_in(request)
        if token_key is not None:
            return f"token:{self.scope}:{throttling.digest(token_key)}"
        if not request.user.is_authenticated:
            return super().get_cache_key(request, view)
        return f"user:{self.scope}:{throttling.digest(str(request.user.pk))}"
