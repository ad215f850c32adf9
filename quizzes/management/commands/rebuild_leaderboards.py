import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from quizzes.models import ContestPage, Round, RoundResult


def rebuild(job):
    """Rebuild one board (``("round" | "contest", pk)``); returns (count, seconds)."""
    from quizzes.leaderboards.redis_backend import RedisLeaderboard, contest_key, round_key

    kind, pk = job
    board = RedisLeaderboard()
    started = time.monotonic()
    if kind == "round":
        count = board.rebuild_locked(round_key(pk), board.rebuild_round, pk)
    else:
        count = board.rebuild_locked(contest_key(pk), board.rebuild_contest, pk)
    return count, time.monotonic() - started


def rebuild_in_child(job):
    try:
        return rebuild(job)
    finally:
        connections.close_all()


class Command(BaseCommand):
    help = (
        "Rebuild the Redis leaderboards from the standings in the database (the source of truth), "
        "several boards at once (--jobs). With --missing, only the boards of live contests that are "
        "missing in Redis or marked stale (cheap when there is nothing to do; close_expired_attempts "
        "runs it every minute)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contest", help="Only this contest (slug).")
        parser.add_argument(
            "--missing", action="store_true", help="Only boards missing in Redis or marked stale (live contests)."
        )
        parser.add_argument(
            "--jobs", type=int, default=2, help="Boards rebuilt at once, each in its own process (default 2)."
        )

    def handle(self, *args, contest=None, missing=False, jobs=2, **options):
        if not settings.REDIS_URL:
            raise CommandError("REDIS_URL is not set: leaderboards are served from the database.")
        from quizzes.leaderboards.redis_backend import RedisLeaderboard, clearing_stale

        contests = ContestPage.objects.live() if missing else ContestPage.objects.all()
        if contest:
            contests = contests.filter(slug=contest)
            if not contests.exists():
                raise CommandError(f"No contest with slug {contest!r}.")
        if missing:
            for page, round_, count, seconds in RedisLeaderboard().rebuild_missing(contests):
                where = f"round {round_.number}" if round_ else "contest-wide"
                self.stdout.write(f"{page.slug} {where}: {count} standings ({seconds:.1f} s)")
            return
        boards = []
        for page in contests:
            for round_ in Round.objects.filter(contest=page).order_by("number"):
                boards.append((f"{page.slug} round {round_.number}", ("round", round_.pk)))
            boards.append((f"{page.slug} contest-wide", ("contest", page.pk)))
        stale = RoundResult.objects.filter(round__contest__in=contests, leaderboard_stale=True)
        with clearing_stale(None, stale.values_list("round_id", flat=True)):  # every board is rebuilt
            results = self._run([job for _, job in boards], jobs)
        for (label, _job), (count, seconds) in zip(boards, results, strict=True):
            self.stdout.write(f"{label}: {count} standings ({seconds:.1f} s)")

    def _run(self, jobs, workers):
        # Child processes read the database on their own connections: they cannot see what this
        # connection has not committed, so inside a transaction (tests) the boards go one by one.
        if workers < 2 or len(jobs) < 2 or connection.in_atomic_block:
            return [rebuild(job) for job in jobs]
        connections.close_all()  # never share a connection across fork
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
            return list(pool.map(rebuild_in_child, jobs))
