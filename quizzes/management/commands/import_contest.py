from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from quizzes.imports.contest_json import ContestFileError, import_contest


class Command(BaseCommand):
    help = (
        "Create a contest from a JSON definition, or update the contest with its slug (settings, rounds, "
        "questions). Checks the whole file first and changes nothing when anything is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the contest definition (.json)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror})
        try:
            result = import_contest(data)
        except ContestFileError as error:
            for message in error.errors:
                self.stderr.write(message)
            raise CommandError(
                _("Nothing was changed: the file has %(count)s error(s).") % {"count": len(error.errors)}
            )
        for line in result.lines():
            self.stdout.write(line)
