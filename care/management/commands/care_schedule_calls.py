import json as jsonlib

from django.core.management.base import BaseCommand
from django.db import transaction

from care.services.calls import call_schedule


class Command(BaseCommand):
    help = "Run the care call rules (welcome, six-monthly, complaint follow-ups) and report what was created."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be created; write nothing.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, dry_run=False, json=False, **options):
        with transaction.atomic():
            created = call_schedule(dry_run=dry_run)
            if dry_run:
                transaction.set_rollback(True)
        if json:
            self.stdout.write(_dumps({"dry_run": dry_run, "created": created, "count": len(created)}))
            return
        verb = "would create" if dry_run else "created"
        for row in created:
            self.stdout.write(f"{verb}: {row['purpose']} · {row['customer']} · due {row['due']} · "
                              f"{row['assignee'] or '-'} ({row['team'] or '-'})")
        self.stdout.write(f"{len(created)} call(s) {verb}.")


def _dumps(data):
    return jsonlib.dumps(data, ensure_ascii=False, indent=2)
