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

from .sql import SqlLeaderboard
from .units import unit_board

__all__ = ["SqlLeaderboard", "get_backend", "push_after_commit", "unit_board"]


def get_backend():
    if settings.REDIS_URL:
        from .redis_backend import RedisLeaderboard

        return RedisLeaderboard()
    return SqlLeaderboard()


def push_after_commit(contest_id, round_id, user_id, round_standing=None):
    """Mirror a changed standing into Redis once the grading transaction commits
    (``round_standing``: what ``RedisLeaderboard.push`` would otherwise read again)."""
    lookup.boards_changed()

    def push():
        lookup.boards_changed()
        if settings.REDIS_URL:
            from .redis_backend import RedisLeaderboard

            RedisLeaderboard().push(contest_id, round_id, user_id, round_standing)

    transaction.on_commit(push)
