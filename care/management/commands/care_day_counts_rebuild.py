from django.core.management.base import BaseCommand

from care.services.daycounts import day_counts_rebuild


class Command(BaseCommand):
    help = "Recount the per-day call and complaint counts the dashboards chart (after a bulk load or repair)."

    def handle(self, *args, **options):
        self.stdout.write(f"{day_counts_rebuild()} day count row(s) kept.")
