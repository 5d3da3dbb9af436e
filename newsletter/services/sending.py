"""Sending a delivery's batches: claim queued rows of the ledger, send them over one connection,
record the outcome, and close the delivery once nothing is left.

See ``newsletter.services.deliveries`` for how a delivery is started, built and swept. Batches claim
rows queued -> sending in a transaction (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL;
SQLite's IMMEDIATE transactions serialise claims); each claim carries a token, and a batch writes
results only for rows it still holds under its token (fencing: see ``_Ledger``). Deferred rows wait
in the queue with a ``next_attempt_at``; the batch that deferred them enqueues a follow-up when they
are due within minutes, the sweep otherwise.
"""

import logging
import math
import secrets
import time
from datetime import timedelta
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import tasks
from ..emails import reader_fallback_name, reader_token, reader_url
from ..models import Bounce, Delivery, DeliveryContent, Recipient, Subscriber
from ..pacing import Pacer
from ..transport import (
    AddressUnsendable,
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


def retry_delay(deferrals: int) -> int | None:
    """Seconds before the next try of a reader the server deferred (4xx) ``deferrals`` times before;
    None once the delays would pass JOURNAL_RETRY_LIMIT (then the row fails). The last delay of
    JOURNAL_RETRY_DELAYS repeats."""
    delays = [int(d) for d in getattr(settings, "JOURNAL_RETRY_DELAYS", [300, 1800, 7200, 21600, 43200])]
    limit = int(getattr(settings, "JOURNAL_RETRY_LIMIT", 48 * 3600))
    waited = sum(delays[min(i, len(delays) - 1)] for i in range(deferrals + 1))
    return None if waited > limit else delays[min(deferrals, len(delays) - 1)]


def _claim(delivery_id: int, size: int) -> tuple[str, list[int]]:
    """Take up to ``size`` due queued rows for one batch. Returns (the batch's claim token, row ids)."""
    now = timezone.now()
    token = secrets.token_hex(16)
    with transaction.atomic():
        rows = (Recipient.objects.filter(delivery_id=delivery_id, state=Recipient.State.QUEUED)
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).order_by("pk"))
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:size])
        if ids:
            Recipient.objects.filter(pk__in=ids).update(state=Recipient.State.SENDING, claimed_at=now,
                                                        claim_token=token)
    if ids:
        Delivery.objects.filter(pk=delivery_id).update(heartbeat_at=now)
    return token, ids


class _Ledger:
    """A batch's outcomes, written under its claim token a group at a time, and its hold on the rows.

    Before each group of messages the batch renews its claim on the group's rows and keeps only those
    it still owns; a row the sweep took over (after JOURNAL_STALE_AFTER without renewal) is left to
    the batch that has it now. The claim is also renewed before any message once a third of the stale
    time has passed since the last renewal, so the sweep cannot take a row between the check and the
    send unless one message takes longer than two thirds of the stale time.
    """

    def __init__(self, delivery_id: int, token: str):
        self.delivery_id = delivery_id
        self.token = token
        self.renew_every = stale_seconds() / 3
        self.renewed_at = 0.0
        self.beat_at = time.monotonic()  # _claim just wrote the delivery's heartbeat
        self.sent: list[int] = []
        self.skipped: list[int] = []
        self.failed: dict[int, str] = {}
        self.deferred: dict[int, tuple] = {}  # pk -> (error, next attempt, counts as a deferral)
        self.bounces: list[tuple] = []
        self.earliest_retry = None

    def _owned(self):
        return Recipient.objects.filter(claim_token=self.token, state=Recipient.State.SENDING)

    def hold(self, pks: list[int]) -> set[int]:
        """Renew the claim on ``pks`` (after writing what is pending); return those still owned."""
        self.flush()
        now = timezone.now()
        self.renewed_at = time.monotonic()
        if not pks:
            return set()
        held = self._owned().filter(pk__in=pks).update(claimed_at=now)
        if self.renewed_at - self.beat_at > 5:
            Delivery.objects.filter(pk=self.delivery_id).update(heartbeat_at=now)
            self.beat_at = self.renewed_at
        if held == len(pks):
            return set(pks)
        return set(self._owned().filter(pk__in=pks).values_list("pk", flat=True))

    def due(self) -> bool:
        return time.monotonic() - self.renewed_at > self.renew_every

    def defer(self, pk: int, error: str, when, *, counts: bool):
        self.deferred[pk] = (error, when, counts)
        self.earliest_retry = when if self.earliest_retry is None else min(self.earliest_retry, when)

    def flush(self):
        """Write what the batch learnt in one transaction, so a refused reader is never seen failed but
        not yet bounced; the pending lists are emptied only once it is committed."""
        now = timezone.now()
        with transaction.atomic():
            if self.sent:
                # Sent is a fact: recorded on rows we own, and on rows the sweep put back in the queue while
                # the message was on its way (no other batch has them yet), so they are not sent again.
                Recipient.objects.filter(pk__in=self.sent).filter(
                    Q(claim_token=self.token, state=Recipient.State.SENDING) | Q(state=Recipient.State.QUEUED)
                ).update(state=Recipient.State.SENT, sent_at=now, error="", claim_token="", next_attempt_at=None)
            if self.skipped:
                self._owned().filter(pk__in=self.skipped).update(state=Recipient.State.SKIPPED, claim_token="")
            for pk, error in self.failed.items():
                self._owned().filter(pk=pk).update(state=Recipient.State.FAILED, error=error[:300], claim_token="",
                                                   next_attempt_at=None)
            for pk, (error, when, counts) in self.deferred.items():
                self._owned().filter(pk=pk).update(
                    state=Recipient.State.QUEUED, error=error[:300], next_attempt_at=when, claim_token="",
                    attempts=F("attempts") + 1 if counts else F("attempts"))
            for pk, subscriber_id, address, code, text in self.bounces:
                bounce_record(email=address, kind=Bounce.Kind.HARD, status=str(code), diagnostic=text, recipient_id=pk,
                              subscriber_id=subscriber_id)
        self.sent, self.skipped, self.failed, self.deferred, self.bounces = [], [], {}, {}, []

    def release(self, error: str) -> int:
        """Give the rows not sent back to the queue, unchanged but for the error (a transport problem)."""
        self.flush()
        return self._owned().update(state=Recipient.State.QUEUED, claim_token="", error=error[:300])


def stale_seconds() -> int:
    return int(getattr(settings, "JOURNAL_STALE_AFTER", 180))


def claim_group() -> int:
    return int(getattr(settings, "JOURNAL_CLAIM_GROUP", 50))


def _values(prepared_language, subscriber_id: int, rid: str) -> dict:
    _message, _fallback, unsubscribe_base, preferences_base = prepared_language
    return {
        "unsubscribe_url": unsubscribe_base.replace("TOKEN", unsubscribe_token(subscriber_id, rid)),
        "preferences_url": preferences_base.replace("TOKEN", preferences_token(subscriber_id)),
        "rid": reader_token(str(subscriber_id)),
        "trk": rid,
    }


class _Connection:
    """The batch's SMTP connection: opened lazily, reopened once when the server closed a reused one."""

    def __init__(self):
        self.transport = None

    def open(self):
        if self.transport is None:
            self.transport = transport_open()
        return self.transport

    def send(self, envelope: str, address: str, data: bytes):
        transport = self.open()
        try:
            transport.send(envelope, address, data)
        except TransportError as exc:
            if not (exc.dropped and transport.sent):
                raise
            logger.info("mail server closed the connection after %d messages; reconnecting", transport.sent)
            self.close()
            self.open().send(envelope, address, data)  # a second drop is the transport's problem

    def close(self):
        if self.transport is not None:
            self.transport.close()
            self.transport = None


def delivery_send_batch(*, delivery_id: int, size: int | None = None) -> int:
    """Claim up to ``size`` due queued rows of a delivery and send them over one connection. Returns the count sent.

    Per reader (RFC 5321): 2xx sent; 5xx to RCPT or DATA a hard bounce; 4xx a deferral retried after
    ``retry_delay`` and failed once the retry limit is reached; any other error fails that row alone.
    Raises TransportError when the mail server refuses the sender, cannot be reached or keeps closing
    the connection: the outcomes so far are kept, the other rows go back to the queue unchanged, the
    delivery shows the error, and the task tries again later.
    """
    size = size or batch_size()
    token, ids = _claim(delivery_id, size)
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
    ledger = _Ledger(delivery_id, token)
    pacer = Pacer(token, stale_seconds())
    bounce_address = envelope_from_template()
    id_suffix = f".d{delivery_id}@{sender_domain()}"
    conn = _Connection()
    sent_count = 0
    date, date_at = None, 0.0
    group = claim_group()
    try:
        for start in range(0, len(rows), group):
            chunk = rows[start:start + group]
            owned = ledger.hold([row[0] for row in chunk])
            for pk, rid, language, attempts, subscriber_id, status, address, name, dnc in chunk:
                if pk in owned and ledger.due():
                    owned = ledger.hold([row[0] for row in chunk if row[0] in owned])
                if pk not in owned:
                    continue  # taken over by the sweep: another batch sends it
                if status != Subscriber.Status.ACTIVE or dnc or not address or language not in prepared:
                    ledger.skipped.append(pk)
                    continue
                if time.monotonic() - date_at > 1:
                    date, date_at = formatdate(usegmt=True), time.monotonic()
                try:
                    wire = conn.open().wire_address(address)
                    paced = pacer.admit(wire.rpartition("@")[2])
                    if paced is not None:
                        ledger.defer(pk, "paced", paced, counts=False)
                        continue
                    message, fallback_name = prepared[language][:2]
                    data = message.render(to_email=wire, name=name or fallback_name,
                                          values=_values(prepared[language], subscriber_id, rid),
                                          message_id=rid + id_suffix, date=date)
                    conn.send(bounce_address.format(rid=rid), wire, dkim_sign(data))
                except RecipientRefused as exc:
                    if exc.permanent:
                        ledger.failed[pk] = str(exc)
                        ledger.bounces.append((pk, subscriber_id, address, exc.code, str(exc)))
                    elif (delay := retry_delay(attempts)) is None:
                        ledger.failed[pk] = _("deferred too long: %(error)s") % {"error": exc}
                    else:
                        ledger.defer(pk, str(exc), timezone.now() + timedelta(seconds=delay), counts=True)
                    continue
                except TransportError:
                    raise
                except AddressUnsendable as exc:
                    ledger.failed[pk] = str(exc)
                    continue
                except Exception as exc:  # one reader's problem must not stop the others
                    logger.exception("delivery %s: row %s failed", delivery_id, pk)
                    ledger.failed[pk] = f"{type(exc).__name__}: {exc}"
                    continue
                ledger.sent.append(pk)
                sent_count += 1
    except TransportError as exc:
        back = ledger.release(str(exc))
        Delivery.objects.filter(pk=delivery_id).update(transport_error=str(exc)[:300],
                                                       transport_error_at=timezone.now())
        logger.warning("delivery %s: mail server problem, %d rows back in the queue: %s", delivery_id, back, exc)
        raise
    finally:
        conn.close()
        pacer.release()
    ledger.flush()
    if sent_count:
        Delivery.objects.filter(pk=delivery_id).exclude(transport_error="").update(transport_error="",
                                                                                   transport_error_at=None)
    if ledger.earliest_retry is not None or any(row[3] for row in rows):
        # This batch deferred readers, or sent retried ones: follow up when the next deferred reader is
        # due (each follow-up schedules at most one more, so the chain ends with the last retry).
        due_at = Recipient.objects.filter(delivery_id=delivery_id, state=Recipient.State.QUEUED,
                                          next_attempt_at__isnull=False).aggregate(at=Min("next_attempt_at"))["at"]
        wait = (due_at - timezone.now()).total_seconds() if due_at else None
        if wait is not None and wait < 900:  # later retries are picked up by the sweep
            tasks.delivery_send_batch_task.apply_async((delivery_id,), countdown=max(wait, 0) + 0.5)
    delivery_finish_if_complete(delivery_id=delivery_id)
    return sent_count


def delivery_finish_if_complete(*, delivery_id: int) -> bool:
    """Mark a delivery done when no row is queued (deferred rows included) or being sent."""
    if Recipient.objects.filter(delivery_id=delivery_id,
                                state__in=[Recipient.State.QUEUED, Recipient.State.SENDING]).exists():
        return False
    return bool(Delivery.objects.filter(pk=delivery_id, state=Delivery.State.SENDING).update(
        state=Delivery.State.DONE, finished_at=timezone.now()))
