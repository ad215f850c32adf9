"""Live leaderboards: the database is the source of truth; Redis sorted sets
serve them fast when ``REDIS_URL`` is set. A Redis outage degrades to SQL.

Orders (strict and total, identical in both backends):
- round: score desc, duration asc, submitted at asc, user id asc;
- contest: total score desc, total duration asc, user id asc;
- units: participation rate desc, participants desc, average score desc, code asc.
"""

from django.conf import settings
from django.db import transaction

from quizzes.services import lookup

from .rows import NAME_UNKNOWN
from .sql import SqlLeaderboard
from .units import unit_board

__all__ = [
    "SqlLeaderboard",
    "get_backend",
    "my_rank_and_total",
    "prefetch_my_rank",
    "push_after_commit",
    "rank_or_sql",
    "unit_board",
]


def get_backend():
    if settings.REDIS_URL:
        from .redis_backend import RedisLeaderboard

        return RedisLeaderboard()
    return SqlLeaderboard()


def rank_or_sql(backend, ranked, user_id, *, round_id=None, contest_id=None):
    """``ranked``, ``backend``'s answer for a round (or contest-wide) rank, or SQL's when the
    backend has none for the person.

    A Redis board being rebuilt may not show a person graded during the rebuild yet: their
    push is journalled and written again just after the new board is swapped in. In that
    moment the board has no rank for them, and SQL, which has their standing, answers. (For
    someone with no result at all this costs one SQL query, which finds nothing.)"""
    if ranked is not None or isinstance(backend, SqlLeaderboard):
        return ranked
    sql = SqlLeaderboard()
    return sql.round_rank(round_id, user_id) if round_id is not None else sql.contest_rank(contest_id, user_id)


def prefetch_my_rank(backend, request, *, round_id=None, contest_id=None):
    """Before authentication: with an API token and ``backend`` the Redis one, the token's cache
    entry and its user's rank on the round's board (else the contest's) in one round trip; the
    entry is kept for authentication. A ``PrefetchedRank`` for :func:`my_rank_and_total` with the
    same ``backend``, or None."""
    from .redis_backend import RedisLeaderboard

    if not isinstance(backend, RedisLeaderboard):
        return None
    return backend.prefetch_rank_with_token(request, round_id=round_id, contest_id=contest_id)


def my_rank_and_total(backend, user_id, *, round_id=None, contest_id=None, prefetched=None):
    """(``user_id``'s rank row or None, the total) on the round's board, else the contest's;
    ``prefetched`` (:func:`prefetch_my_rank`) is used only if it is this user's on this board."""
    extra = {"prefetched": prefetched} if prefetched is not None else {}
    if round_id is not None:
        mine, total = backend.round_rank_and_total(round_id, user_id, **extra)
    else:
        mine, total = backend.contest_rank_and_total(contest_id, user_id, **extra)
    return rank_or_sql(backend, mine, user_id, round_id=round_id, contest_id=contest_id), total


def push_after_commit(
    contest_id, round_id, user_id, round_standing=None, contest_standing=None, full_name=NAME_UNKNOWN
):
    """Mirror a changed standing into Redis once the grading transaction commits.

    ``round_standing``, ``contest_standing`` (score, duration_ms, version, unit_id) and ``full_name``
    (None: the person has no profile; ``NAME_UNKNOWN``: not read) are what the
    grading wrote and read: given, the push reads nothing again (see ``RedisLeaderboard.push``)."""
    lookup.boards_changed()

    def push():
        lookup.boards_changed()
        if settings.REDIS_URL:
            from .redis_backend import RedisLeaderboard

            RedisLeaderboard().push(contest_id, round_id, user_id, round_standing, contest_standing, full_name)

    transaction.on_commit(push)
