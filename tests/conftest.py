import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache

from quizzes.services import lookup


@pytest.fixture(autouse=True)
def _clear_caches():
    """Each test starts with empty caches and throttle counters.

    A database-backed throttle cache is emptied by the per-test rollback.
    """
    for alias in ("default", "throttle"):
        if not isinstance(caches[alias], DatabaseCache):
            caches[alias].clear()
    lookup.forget()
    yield
