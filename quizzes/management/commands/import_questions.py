from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from elearning.spreadsheets import SpreadsheetError
from quizzes.imports.questions import check_rows, import_rows, read_question_rows
from quizzes.models import QuestionBank


class Command(BaseCommand):
    help = (
        "Import questions from an .xlsx file (topic, question, kind, A…F, correct, explanation, tags) into a "
        "question bank, all or nothing; the bank is created if missing. Exits non-zero when a row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file")
        parser.add_argument("--bank", required=True, metavar="SLUG", help="the bank's slug")
        parser.add_argument("--title", help="title of the bank when it is created (default: the slug)")
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")

    def handle(self, *args, **options):
        try:
            raw_rows = read_question_rows(options["file"])
        except FileNotFoundError:
            raise CommandError(_("No such file: %(file)s") % {"file": options["file"]})
        except SpreadsheetError as error:
            raise CommandError(str(error))

        slug = options["bank"]
        with transaction.atomic():
            bank, created = QuestionBank.objects.get_or_create(slug=slug, defaults={"title": options["title"] or slug})
            if options["dry_run"]:
                report = check_rows(raw_rows, bank)
                transaction.set_rollback(True)
            else:
                report = import_rows(raw_rows, bank)
                if not report.ok:
                    transaction.set_rollback(True)  # a bank created for this import goes too

        if not report.ok:
            for line in report.lines()[1:]:
                self.stderr.write(line)
            raise CommandError(report.lines()[0])
        if options["dry_run"]:
            self.stdout.write(
                self.style.SUCCESS(
                    _("All %(count)s rows are good; nothing was written (dry run).") % {"count": len(report.rows)}
                )
            )
            return
        if created:
            self.stdout.write(_("Created the question bank “%(slug)s”.") % {"slug": bank.slug})
        self.stdout.write(self.style.SUCCESS(report.lines()[0]))
