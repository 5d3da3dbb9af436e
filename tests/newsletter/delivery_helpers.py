"""Helpers of the delivery tests (subscribers in bulk, reading sent messages)."""

import email
import email.policy

from home.models import Person, ProductLine
from newsletter.models import Subscriber


def make_subscribers(count, *, language="zh-hans", prefix="reader", status=Subscriber.Status.ACTIVE,
                     product_lines=(), start=0):
    people = Person.objects.bulk_create(
        [Person(email=f"{prefix}{i}@example.com", name=f"读者{i}" if language == "zh-hans" else f"Reader {i}",
                language=language) for i in range(start, start + count)]
    )
    people = list(Person.objects.filter(email__in=[p.email for p in people]).order_by("pk"))
    subscribers = Subscriber.objects.bulk_create(
        [Subscriber(person=person, status=status, language=language, source="test") for person in people]
    )
    subscribers = list(Subscriber.objects.filter(person__in=people).order_by("pk"))
    if product_lines:
        lines = list(ProductLine.objects.filter(slug__in=product_lines))
        Through = Subscriber.product_lines.through
        Through.objects.bulk_create(
            [Through(subscriber_id=s.pk, productline_id=line.pk) for s in subscribers for line in lines]
        )
    return subscribers


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def locmem_messages():
    """Messages the locmem backend collected, parsed."""
    from django.core import mail

    return [m.message() for m in mail.outbox]


class _LazyItem(dict):
    """A received message whose parsing waits until a test reads it (parsing costs ~20 ms each)."""

    def __missing__(self, key):
        if key == "message":
            self["message"] = parse(self["raw"])
            return self["message"]
        raise KeyError(key)


def lazy_parsing(smtp_server):
    """Make the shared aiosmtpd fixture keep raw bytes and parse on demand, so 2,000 messages take
    seconds instead of a minute; the server, the protocol and what tests read stay the same."""
    handler = smtp_server.handler

    async def handle_DATA(server, session, envelope):
        with handler.lock:
            handler.messages.append(_LazyItem({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                               "raw": envelope.original_content or envelope.content}))
        return "250 Message accepted"

    handler.handle_DATA = handle_DATA
    return smtp_server
