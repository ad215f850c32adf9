from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from quizzes.imports.contest_json import dumps, export_contest
from quizzes.models import ContestPage


class Command(BaseCommand):
    help = "Write a contest as the JSON definition import_contest reads (to standard output without FILE)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the contest's slug")
        parser.add_argument("file", nargs="?", help="the .json file to write (default: standard output)")

    def handle(self, *args, **options):
        contest = ContestPage.objects.filter(slug=options["slug"]).first()
        if contest is None:
            raise CommandError(_("No contest with the slug “%(slug)s”.") % {"slug": options["slug"]})
        text = dumps(export_contest(contest))
        if not options["file"]:
            self.stdout.write(text, ending="")
            return
        path = Path(options["file"])
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(_("Cannot write %(file)s: %(error)s") % {"file": path, "error": error.strerror})
        self.stderr.write(_("Wrote the contest “%(slug)s” to %(file)s.") % {"slug": contest.slug, "file": path})
