from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from quizzes.imports.questions import export_workbook
from quizzes.models import QuestionBank


class Command(BaseCommand):
    help = "Write a question bank's active questions to an .xlsx file in the format import_questions reads."

    def add_arguments(self, parser):
        parser.add_argument("bank", metavar="SLUG", help="the bank's slug")
        parser.add_argument("file", help="the .xlsx file to write")

    def handle(self, *args, **options):
        bank = QuestionBank.objects.filter(slug=options["bank"]).first()
        if bank is None:
            raise CommandError(_("No question bank with the slug “%(slug)s”.") % {"slug": options["bank"]})
        path = Path(options["file"])
        try:
            path.write_bytes(export_workbook(bank))
        except OSError as error:
            raise CommandError(_("Cannot write %(file)s: %(error)s") % {"file": path, "error": error.strerror})
        count = bank.questions.active().count()
        self.stdout.write(
            self.style.SUCCESS(_("Wrote %(count)s questions to %(file)s.") % {"count": count, "file": path})
        )
