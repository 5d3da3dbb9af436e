"""Sending a delivery's batches: claim queued rows of the ledger, send them over one connection,
record the outcome, and close the delivery once nothing is left.

See ``newsletter.services.deliveries`` for how a delivery is started, built and swept. Batches claim
rows queued -> sending in a transaction (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL;
SQLite's IMMEDIATE transactions serialise claims) and mark them sent every few dozen messages.
"""

import logging
import math
import time
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import tasks
from ..emails import reader_fallback_name, reader_token, reader_url
from ..models import Bounce, Delivery, DeliveryContent, Recipient, Subscriber
from ..transport import (
    PreparedMessage,
    RecipientRefused,
    TransportError,
    dkim_sign,
    journal_from_email,
    sender_domain,
    transport_open,
)
from .subscribers import bounce_record, preferences_token, unsubscribe_token

logger = logging.getLogger(__name__)


def batch_size() -> int:
    return int(getattr(settings, "JOURNAL_BATCH_SIZE", 500))


def batches_enqueue(delivery_id: int, queued: int):
    """Enqueue (after commit) enough batches for ``queued`` rows."""
    for _i in range(math.ceil(queued / batch_size())):
        tasks.delivery_send_batch_task.delay_on_commit(delivery_id)


_prepared_cache: dict = {}


def _prepared(delivery_id: int) -> dict:
    """The delivery's messages, encoded once per language and kept in this process (they never change)."""
    key = (delivery_id, tuple(DeliveryContent.objects.filter(delivery_id=delivery_id).order_by("pk")
                              .values_list("pk", flat=True)))
    if key in _prepared_cache:
        return _prepared_cache[key]
    domain = sender_domain()
    list_id = getattr(settings, "JOURNAL_LIST_ID", "") or f"journal.{domain}"
    from_email = journal_from_email()
    reply_to = getattr(settings, "JOURNAL_REPLY_TO", "")
    prepared = {}
    for content in DeliveryContent.objects.filter(delivery_id=delivery_id):
        with translation.override(content.language):
            list_name = _("Care & Journal e-journal")
        prepared[content.language] = (
            PreparedMessage(subject=content.subject, html=content.html, text=content.text, from_email=from_email,
                            reply_to=reply_to, list_id=f"{list_name} <{list_id}>", domain=domain,
                            extra_headers={"X-Journal-Delivery": str(delivery_id)}),
            reader_fallback_name(content.language),
            reader_url("unsubscribe", content.language, "TOKEN"),
            reader_url("preferences", content.language, "TOKEN"),
        )
    if len(_prepared_cache) > 8:
        _prepared_cache.clear()
    _prepared_cache[key] = prepared
    return prepared


def envelope_from_template() -> str:
    """The bounce address, "{rid}" to be filled in: JOURNAL_BOUNCE_ADDRESS with the reader's id after a
    "+" (VERP), or the From address."""
    bounce = getattr(settings, "JOURNAL_BOUNCE_ADDRESS", "")
    if bounce and "@" in bounce:
        local, _at, domain = bounce.rpartition("@")
        return f"{local}+{{rid}}@{domain}"
    return parseaddr(journal_from_email())[1].replace("{", "").replace("}", "")


def envelope_from(rid: str) -> str:
    return envelope_from_template().format(rid=rid)


def message_id(rid: str, delivery_id: int) -> str:
    return f"{rid}.d{delivery_id}@{sender_domain()}"


def _claim(delivery_id: int, size: int) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        rows = Recipient.objects.filter(delivery_id=delivery_id, state=Recipient.State.QUEUED).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:size])
        if ids:
            Recipient.objects.filter(pk__in=ids).update(state=Recipient.State.SENDING, claimed_at=now,
                                                        attempts=F("attempts") + 1)
    if ids:
        Delivery.objects.filter(pk=delivery_id).update(heartbeat_at=now)
    return ids


class _Ledger:
    """Collects a batch's outcomes and writes them a few dozen rows at a time."""

    def __init__(self, delivery_id: int, flush_every: int):
        self.delivery_id = delivery_id
        self.flush_every = flush_every
        self.sent: list[int] = []
        self.skipped: list[int] = []
        self.failed: dict[int, str] = {}
        self.retry: dict[int, str] = {}
        self.refused: list[tuple] = []

    def flush(self, pending: list[int] | None = None):
        now = timezone.now()
        if self.sent:
            Recipient.objects.filter(pk__in=self.sent, state=Recipient.State.SENDING).update(
                state=Recipient.State.SENT, sent_at=now, error="")
            self.sent = []
        if self.skipped:
            Recipient.objects.filter(pk__in=self.skipped).update(state=Recipient.State.SKIPPED)
            self.skipped = []
        for pk, error in self.failed.items():
            Recipient.objects.filter(pk=pk).update(state=Recipient.State.FAILED, error=error[:300])
        self.failed = {}
        for pk, error in self.retry.items():
            Recipient.objects.filter(pk=pk).update(state=Recipient.State.QUEUED, error=error[:300])
        self.retry = {}
        if pending:  # still being worked on: keep the sweep away from them
            Recipient.objects.filter(pk__in=pending, state=Recipient.State.SENDING).update(claimed_at=now)
            Delivery.objects.filter(pk=self.delivery_id).update(heartbeat_at=now)


def delivery_send_batch(*, delivery_id: int, size: int | None = None) -> int:
    """Claim up to ``size`` queued rows of a delivery and send them over one connection. Returns the count sent.

    Raises TransportError when the mail server cannot be reached or drops the connection; the rows
    not sent by then go back to the queue.
    """
    size = size or batch_size()
    ids = _claim(delivery_id, size)
    if not ids:
        delivery_finish_if_complete(delivery_id=delivery_id)
        return 0
    rows = list(
        Recipient.objects.filter(pk__in=ids).order_by("pk").values_list(
            "pk", "rid", "language", "attempts", "subscriber_id", "subscriber__status",
            "subscriber__person__email", "subscriber__person__name", "subscriber__person__do_not_contact",
        )
    )
    prepared = _prepared(delivery_id)
    ledger = _Ledger(delivery_id, int(getattr(settings, "JOURNAL_FLUSH_EVERY", 50)))
    max_attempts = int(getattr(settings, "JOURNAL_MAX_ATTEMPTS", 3))
    hard_bounces = []
    sent_count = 0
    bounce_address = envelope_from_template()
    id_suffix = f".d{delivery_id}@{sender_domain()}"
    transport = None
    try:
        transport = transport_open()
        date = None
        date_at = 0.0
        for index, (pk, rid, language, attempts, subscriber_id, status, address, name, dnc) in enumerate(rows):
            if status != Subscriber.Status.ACTIVE or dnc or not address or language not in prepared:
                ledger.skipped.append(pk)
                continue
            message, fallback_name, unsubscribe_base, preferences_base = prepared[language]
            if time.monotonic() - date_at > 1:
                date, date_at = formatdate(usegmt=True), time.monotonic()
            values = {
                "unsubscribe_url": unsubscribe_base.replace("TOKEN", unsubscribe_token(subscriber_id, rid)),
                "preferences_url": preferences_base.replace("TOKEN", preferences_token(subscriber_id)),
                "rid": reader_token(str(subscriber_id)),
                "trk": rid,
            }
            data = message.render(to_email=address, name=name or fallback_name, values=values,
                                  message_id=rid + id_suffix, date=date)
            try:
                transport.send(bounce_address.format(rid=rid), address, dkim_sign(data))
            except RecipientRefused as exc:
                if exc.permanent or attempts >= max_attempts:
                    ledger.failed[pk] = str(exc)
                    if exc.permanent:
                        hard_bounces.append((pk, subscriber_id, address, exc.code, str(exc)))
                else:
                    ledger.retry[pk] = str(exc)
                continue
            ledger.sent.append(pk)
            sent_count += 1
            if len(ledger.sent) >= ledger.flush_every:
                ledger.flush(pending=[row[0] for row in rows[index + 1:]])
    except TransportError as exc:
        ledger.flush()
        back = Recipient.objects.filter(pk__in=ids, state=Recipient.State.SENDING).update(
            state=Recipient.State.QUEUED, error=str(exc)[:300])
        logger.warning("delivery %s: mail server failed, %d rows back in the queue: %s", delivery_id, back, exc)
        raise
    finally:
        if transport is not None:
            transport.close()
    ledger.flush()
    if hard_bounces:
        for pk, subscriber_id, address, code, text in hard_bounces:
            bounce_record(email=address, kind=Bounce.Kind.HARD, status=str(code), diagnostic=text, recipient_id=pk,
                          subscriber_id=subscriber_id)
    if ledger_retry_pending := Recipient.objects.filter(delivery_id=delivery_id, state=Recipient.State.QUEUED,
                                                        pk__in=ids).exists():
        tasks.delivery_send_batch_task.apply_async((delivery_id,), countdown=60)
    if not ledger_retry_pending:
        delivery_finish_if_complete(delivery_id=delivery_id)
    return sent_count


def delivery_finish_if_complete(*, delivery_id: int) -> bool:
    """Mark a delivery done when no row is queued or being sent."""
    if Recipient.objects.filter(delivery_id=delivery_id,
                                state__in=[Recipient.State.QUEUED, Recipient.State.SENDING]).exists():
        return False
    return bool(Delivery.objects.filter(pk=delivery_id, state=Delivery.State.SENDING).update(
        state=Delivery.State.DONE, finished_at=timezone.now()))


