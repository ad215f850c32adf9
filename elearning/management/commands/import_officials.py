from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from elearning.imports.officials import (
    ImportRefused,
    Mode,
    credential_headers,
    credential_rows,
    import_officials,
    read_officials,
)
from elearning.spreadsheets import SpreadsheetError, build_workbook


class Command(BaseCommand):
    help = (
        "Import officials' accounts from an .xlsx file (full_name, phone, email, unit_code, position, role), "
        "all or nothing. Each account gets a one-time password, or with --links a set-password link."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        parser.add_argument("--links", action="store_true", help="give set-password links instead of passwords")
        parser.add_argument(
            "--base-url",
            default=settings.WAGTAILADMIN_BASE_URL,
            help="site address that prefixes set-password links (default: WAGTAILADMIN_BASE_URL)",
        )
        parser.add_argument(
            "--output",
            metavar="CREDENTIALS.xlsx",
            help="write the credentials to this .xlsx file instead of printing them",
        )

    def handle(self, *args, **options):
        try:
            raw_rows = read_officials(options["file"])
        except FileNotFoundError:
            raise CommandError(_("No such file: %(file)s") % {"file": options["file"]})
        except SpreadsheetError as error:
            raise CommandError(str(error))

        mode = Mode.LINK if options["links"] else Mode.PASSWORD
        try:
            report, credentials = import_officials(
                raw_rows, mode=mode, base_url=options["base_url"], dry_run=options["dry_run"]
            )
        except ImportRefused as refused:
            for line in refused.report.error_lines():
                self.stderr.write(str(line))
            raise CommandError(
                _("Nothing imported: %(bad)s bad row(s) of %(total)s.")
                % {"bad": len(refused.report.bad_rows), "total": len(refused.report.rows)}
            )

        if options["dry_run"]:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Dry run: all %(count)s rows are valid; nothing written.") % {"count": len(report.rows)}
                )
            )
            return

        if options["output"]:
            with open(options["output"], "wb") as handle:
                handle.write(
                    build_workbook(credential_headers(), credential_rows(credentials), sheet_title=_("Accounts"))
                )
            self.stdout.write(_("Credentials written to %(file)s.") % {"file": options["output"]})
        else:
            for credential in credentials:
                secret = credential.password or credential.link
                self.stdout.write(f"{credential.phone}\t{credential.full_name}\t{credential.unit}\t{secret}")
        self.stdout.write(self.style.SUCCESS(_("Imported %(count)s officials.") % {"count": len(credentials)}))
