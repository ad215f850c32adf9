from django.conf import settings
from django.core.management.base import BaseCommand
from redis.exceptions import RedisError

from quizzes.services.attempts import close_expired_attempts


class Command(BaseCommand):
    help = (
        "Grade every attempt whose deadline (plus the 2 s grace) has passed, on the answers saved in time; "
        "then, with Redis, rebuild the leaderboards that are missing or stale (requests never rebuild a big one). "
        "Safe to run at any moment and in parallel; schedule it every minute."
    )

    def handle(self, *args, **options):
        graded = close_expired_attempts()
        self.stdout.write(f"{graded} expired attempt(s) graded")
        if not settings.REDIS_URL:
            return
        from quizzes.leaderboards.redis_backend import RedisLeaderboard

        try:
            rebuilt = RedisLeaderboard().rebuild_missing()
        except RedisError as error:  # boards stay on SQL; the next run tries again
            self.stderr.write(f"Leaderboards not rebuilt, Redis unavailable: {error}")
            return
        for contest, round_, count, seconds in rebuilt:
            where = f"round {round_.number}" if round_ else "contest-wide"
            self.stdout.write(f"{contest.slug} {where}: board rebuilt, {count} standings ({seconds:.1f} s)")
