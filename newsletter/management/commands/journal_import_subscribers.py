"""Import subscribers from CSV: ``manage.py journal_import_subscribers FILE.csv``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsletter.services import NewsletterError
from newsletter.services.imports import subscribers_import


class Command(BaseCommand):
    help = ("Import subscribers from a CSV file with the columns email, name, company, language, product_lines "
            "(product line slugs separated by ';'). All or nothing; importing again updates. Every rejected row "
            "is reported with its reason.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--encoding", default="",
                            help="the file's encoding (default: UTF-8 with or without BOM, else GB18030, else detected)")
        parser.add_argument("--consent-text", default="",
                            help="the text these people agreed to (stored in the consent ledger)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"No file {path}")
        try:
            with path.open("rb") as stream:
                report = subscribers_import(stream=stream, source=path.name, agreed_text=options["consent_text"],
                                            encoding=options["encoding"])
        except NewsletterError as exc:
            raise CommandError(str(exc))
        for line, email, reason in report.rejected:
            self.stdout.write(f"line {line}: rejected {email or '(empty)'}: {reason}")
        for line, email, status in report.kept_status:
            self.stdout.write(f"line {line}: {email} kept as {status} (not reactivated)")
        self.stdout.write(self.style.SUCCESS(
            f"{report.created} created, {report.updated} updated, {len(report.rejected)} rejected"))
