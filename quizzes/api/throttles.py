"""Limits on contest writes: per account first, then a generous per-network ceiling
(a commune office, or a mobile carrier's shared address, is many people)."""

from elearning import throttling
from elearning.api.throttles import IPRateThrottle


class AttemptIPThrottle(IPRateThrottle):
    scope = "attempt_ip"


class AttemptUserThrottle(IPRateThrottle):
    """Per account: far above what answering by hand needs, stops runaway scripts."""

    scope = "attempt_user"

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return super().get_cache_key(request, view)
        return f"user:{self.scope}:{throttling.digest(str(request.user.pk))}"
