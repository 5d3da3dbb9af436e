import json as jsonlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from care.services import CareError
from care.services.devices import CSV_COLUMNS, devices_import_csv


class Command(BaseCommand):
    help = f"Import devices from a CSV file (columns: {', '.join(CSV_COLUMNS)}) and report rejected rows."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, file, json=False, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"No such file: {file}")
        try:
            report = devices_import_csv(data=path.read_bytes())
        except CareError as exc:
            raise CommandError(str(exc))
        if json:
            self.stdout.write(_dumps(report))
            return
        self.stdout.write(f"{report['imported']} device(s) imported, {len(report['rejected'])} row(s) rejected.")
        for row in report["rejected"]:
            self.stdout.write(f"line {row['line']} ({row['serial'] or '-'}): {row['reason']}")


def _dumps(data):
    return jsonlib.dumps(data, ensure_ascii=False, indent=2)
