"""Import a courier's CSV of shipments into a gift campaign (reference, courier, tracking_number, status)."""

import json

from django.core.management.base import BaseCommand, CommandError

from care.models import GiftCampaign
from care.services import CareError
from care.services.campaigns import gift_shipments_import


class Command(BaseCommand):
    help = "Import the courier's CSV for a gift campaign: marks gifts shipped, delivered or returned."

    def add_arguments(self, parser):
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("csv_file")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, campaign_id, csv_file, **options):
        if not GiftCampaign.objects.filter(pk=campaign_id).exists():
            raise CommandError(f"No gift campaign {campaign_id}.")
        try:
            with open(csv_file, "rb") as handle:
                report = gift_shipments_import(campaign_id=campaign_id, data=handle.read(), acting_user=None)
        except (OSError, CareError) as exc:
            raise CommandError(str(exc))
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
            return
        self.stdout.write(f"updated {report['updated']}, unchanged {report['unchanged']}, "
                          f"rejected {len(report['rejected'])}")
        for row in report["rejected"]:
            self.stdout.write(f"  line {row['line']}: {row['reason']}")
