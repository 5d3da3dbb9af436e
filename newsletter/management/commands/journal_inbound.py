"""Read bounces, complaints and replies from an mbox file or a Maildir: ``manage.py journal_inbound PATH``."""

from django.core.management.base import BaseCommand, CommandError

from newsletter.services.inbound import inbound_process, inbound_read_mailbox


class Command(BaseCommand):
    help = "Store and process every message of an mbox file or Maildir folder (messages seen before are skipped)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, **options):
        try:
            results = inbound_read_mailbox(path=options["path"])
        except (OSError, FileNotFoundError) as exc:
            raise CommandError(str(exc))
        new = 0
        for row, created in results:
            if created:
                new += 1
                row = inbound_process(inbound_id=row.pk)
                self.stdout.write(f"{row.message_id}: {row.kind} {row.note}")
        self.stdout.write(self.style.SUCCESS(f"{new} new of {len(results)} messages"))
