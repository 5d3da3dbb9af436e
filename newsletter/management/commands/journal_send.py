"""Send an issue to subscribers: ``manage.py journal_send ISSUE [--segment ...] [--at ...] [--wait]``."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.timezone import get_current_timezone, is_naive, make_aware

from newsletter import selectors
from newsletter.models import Delivery
from newsletter.services import NewsletterError, deliveries, segments


class Command(BaseCommand):
    help = ("Send a published issue (page id, slug or 'latest') to a segment. The same issue and segment "
            "give the same delivery: running it again for a delivery under way waits for that one.")

    def add_arguments(self, parser):
        parser.add_argument("issue", help="page id, slug or 'latest'")
        parser.add_argument("--segment", default="all",
                            help="'all' (default), or e.g. 'lang=en' or 'lang=zh-hans;lines=firewall,mail'")
        parser.add_argument("--at", default="", help="send at this time (ISO 8601, e.g. 2026-12-01T09:00)")
        parser.add_argument("--wait", action="store_true", help="return when the delivery is complete")
        parser.add_argument("--timeout", type=float, default=0, help="with --wait: give up after this many seconds")

    def handle(self, *args, **options):
        issue = selectors.issue_get(options["issue"])
        if issue is None:
            raise CommandError(f"No issue {options['issue']!r}.")
        scheduled_at = None
        if options["at"]:
            scheduled_at = parse_datetime(options["at"])
            if scheduled_at is None:
                raise CommandError("--at must be a date and time such as 2026-12-01T09:00")
            if is_naive(scheduled_at):
                scheduled_at = make_aware(scheduled_at, get_current_timezone())
        try:
            segment = segments.segment_parse(options["segment"])
            delivery = deliveries.delivery_start(issue=issue, segment=segment, scheduled_at=scheduled_at)
        except NewsletterError as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"delivery {delivery.pk}: {issue.title} -> {delivery.segment_key} ({delivery.get_state_display()})")
        if not options["wait"]:
            return
        deadline = time.monotonic() + options["timeout"] if options["timeout"] else None
        last = None
        while True:
            delivery.refresh_from_db()
            stats = deliveries.delivery_stats(delivery=delivery)
            line = (f"{delivery.state}: {stats['sent']} sent, {stats['failed']} failed, {stats['skipped']} skipped, "
                    f"{stats['queued'] + stats['sending']} to go")
            if line != last:
                self.stdout.write(line)
                last = line
            if delivery.state in {Delivery.State.DONE, Delivery.State.CANCELLED}:
                return
            if deadline and time.monotonic() > deadline:
                raise CommandError("Timed out waiting for the delivery (it goes on in the workers).")
            time.sleep(1)
