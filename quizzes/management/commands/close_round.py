from django.core.management.base import BaseCommand, CommandError

from quizzes.models import ContestPage
from quizzes.services.errors import ContestError
from quizzes.services.results import close_round


class Command(BaseCommand):
    help = "Compute and store the final ranking of a closed round (once): manage.py close_round SLUG ROUND"

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("round", type=int)

    def handle(self, *args, slug, round, **options):
        contest = ContestPage.objects.filter(slug=slug).first()
        if contest is None:
            raise CommandError(f"No contest with slug {slug!r}.")
        round_ = contest.rounds.filter(number=round).first()
        if round_ is None:
            raise CommandError(f"The contest {slug!r} has no round {round}.")
        try:
            result = close_round(round_)
        except ContestError as error:
            raise CommandError(error.message) from None
        count = round_.final_standings.filter(group="").count()
        self.stdout.write(
            f"{slug} round {round}: final ranking of {count} participants stored "
            f"({result.prediction_kind} = {result.actual_count})."
        )
