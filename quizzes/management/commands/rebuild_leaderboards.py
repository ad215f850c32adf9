from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from quizzes.models import ContestPage, Round


class Command(BaseCommand):
    help = "Rebuild the Redis leaderboards from the standings in the database (the source of truth)."

    def add_arguments(self, parser):
        parser.add_argument("--contest", help="Only this contest (slug).")

    def handle(self, *args, contest=None, **options):
        if not settings.REDIS_URL:
            raise CommandError("REDIS_URL is not set: leaderboards are served from the database.")
        from quizzes.leaderboards.redis_backend import RedisLeaderboard

        board = RedisLeaderboard()
        contests = ContestPage.objects.all()
        if contest:
            contests = contests.filter(slug=contest)
            if not contests.exists():
                raise CommandError(f"No contest with slug {contest!r}.")
        for page in contests:
            for round_ in Round.objects.filter(contest=page).order_by("number"):
                count = board.rebuild_round(round_.pk)
                self.stdout.write(f"{page.slug} round {round_.number}: {count} standings")
            count = board.rebuild_contest(page.pk)
            self.stdout.write(f"{page.slug} contest-wide: {count} standings")
