import json

from django.core.management.base import BaseCommand, CommandError

from home import csv as safe_csv
from training.selectors import ROSTER_COLUMNS, roster_rows, sessions_with_figures


class Command(BaseCommand):
    help = "Print the roster of a class (sign-ups holding a seat, then the waiting list) as JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("session", type=int, help="the class's id")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, session, format, **options):
        klass = sessions_with_figures().filter(pk=session).first()
        if klass is None:
            raise CommandError(f"No class with id {session}.")
        rows = roster_rows(session_id=klass.pk)
        if format == "csv":
            writer = safe_csv.dict_writer(self.stdout, fieldnames=ROSTER_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            return
        self.stdout.write(json.dumps({
            "session": {
                "id": klass.pk, "course": klass.course.title, "starts_at": klass.starts_at.isoformat(),
                "city": klass.city, "city_en": klass.city_en, "venue": klass.venue, "capacity": klass.capacity, "status": klass.status,
                "seats_taken": klass.seats_taken, "waiting": klass.waiting,
            },
            "attendees": rows,
        }, ensure_ascii=False, indent=2))
