from datetime import date

from django.core.management.base import BaseCommand, CommandError

from care.services import CareError
from care.services.reports import key_account_report_generate
from home.models import Organisation


class Command(BaseCommand):
    help = "Generate (once) and email a key account's service report for a month: ACCOUNT MONTH (YYYY-MM)."

    def add_arguments(self, parser):
        parser.add_argument("account", help="The key account: organisation id or exact name.")
        parser.add_argument("month", help="The month, YYYY-MM.")
        parser.add_argument("--no-send", action="store_true", help="Generate the PDF but email nobody.")

    def handle(self, *args, account, month, no_send=False, **options):
        try:
            first = date.fromisoformat(f"{month}-01")
        except ValueError:
            raise CommandError(f"MONTH must look like 2026-11, not {month!r}.")
        found = Organisation.objects.filter(pk=int(account)) if account.isdigit() else Organisation.objects.none()
        organisation = found.first() or Organisation.objects.filter(name=account).first()
        if organisation is None:
            raise CommandError(f"No organisation {account!r}.")
        try:
            report = key_account_report_generate(organisation_id=organisation.pk, month=first, send=not no_send)
        except CareError as exc:
            raise CommandError(str(exc))
        sent = f", emailed to {report.sent_to}" if report.sent_to else ""
        self.stdout.write(f"{organisation.name} {first:%Y-%m}: report #{report.pk}{sent}.")
