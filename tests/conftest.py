import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache

from elearning import pagecache
from elearning.throttling import ThrottleDatabaseCache
from quizzes.services import lookup


@pytest.fixture(autouse=True)
def _clear_caches():
    """Each test starts with empty caches and throttle counters.

    A database-backed throttle cache is emptied by the per-test rollback (and its
    occasional sweep of expired counters never falls inside a test's query count).
    """
    for alias in ("default", "throttle"):
        if not isinstance(caches[alias], DatabaseCache):
            caches[alias].clear()
    ThrottleDatabaseCache.hits_since_cull = 0
    lookup.forget()  # also the answer key (question ids come back after a rollback)
    pagecache.forget_local()  # the token this process read and the pages it keeps, as after a restart
    yield
