"""Sending an issue to subscribers: deliveries, the send ledger, batches, the sweep, engagement.

Decisions (see also ``newsletter.models.delivery`` and ``newsletter.transport``):

- The ledger (``Recipient``, one row per delivery and subscriber, unique per issue and subscriber)
  is the send record of a journal send; no home ``OutboxMessage`` per reader. Transactional mails
  (the test send, confirmations) go through home's outbox. The SMTP server is home's (Django's
  ``EMAIL_*`` settings), opened once per batch.
- Exactly once: a delivery is unique per (issue, segment), so a double click starts one; a
  subscriber has at most one ledger row per issue, so sending again, or to an overlapping segment,
  sends nothing new. Batches claim rows queued -> sending in a transaction (``SELECT ... FOR UPDATE
  SKIP LOCKED`` on PostgreSQL; SQLite's IMMEDIATE transactions serialise claims) and mark them sent
  every few dozen messages. A dead worker's rows stay "sending" until ``delivery_sweep`` (Celery beat,
  every minute) puts rows claimed more than JOURNAL_STALE_AFTER seconds ago back in the queue and
  enqueues batches again: only the messages in flight since the last mark can be sent twice.
- The issue is rendered once per language per delivery (``newsletter.emails.issue_email``), its
  links registered for click counting and an open pixel added, and frozen on ``DeliveryContent``.
"""

import logging
import math
import re
import time
from datetime import timedelta
from email.utils import formatdate, parseaddr
from html import unescape

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.services.outbox import outbox_enqueue

from ..emails import reader_fallback_name, reader_token
from ..models import Bounce, Delivery, DeliveryContent, DeliveryLink, IssuePage, Recipient, Subscriber
from ..transport import (
    PreparedMessage,
    RecipientRefused,
    TransportError,
    dkim_sign,
    journal_from_email,
    sender_domain,
    transport_open,
)
from . import NewsletterError

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
PREFERENCES_SALT = "newsletter.preferences"


def _setting(name, default):
    return getattr(settings, name, default)


def batch_size() -> int:
    return int(_setting("JOURNAL_BATCH_SIZE", 500))


def stale_after() -> timedelta:
    return timedelta(seconds=int(_setting("JOURNAL_STALE_AFTER", 180)))


# Segments -----------------------------------------------------------------------------------------


def segment_normalise(segment: dict | None) -> dict:
    """{"languages": [...], "product_lines": [slug, ...]}, sorted and checked; empty lists mean all."""
    from home.models import ProductLine

    segment = segment or {}
    languages = sorted({code for code in segment.get("languages") or [] if code})
    known = {code for code, _name in settings.LANGUAGES}
    if set(languages) - known:
        raise NewsletterError(_("Unknown language: %(codes)s") % {"codes": ", ".join(sorted(set(languages) - known))})
    lines = sorted({slug for slug in segment.get("product_lines") or [] if slug})
    found = set(ProductLine.objects.filter(slug__in=lines).values_list("slug", flat=True))
    if set(lines) - found:
        raise NewsletterError(_("Unknown product line: %(slugs)s") % {"slugs": ", ".join(sorted(set(lines) - found))})
    if set(languages) == known:
        languages = []
    return {"languages": languages, "product_lines": lines}


def segment_key(segment: dict) -> str:
    parts = []
    if segment.get("languages"):
        parts.append("lang=" + ",".join(segment["languages"]))
    if segment.get("product_lines"):
        parts.append("lines=" + ",".join(segment["product_lines"]))
    return ";".join(parts) or "all"


def segment_parse(text: str) -> dict:
    """Parse the command line's ``--segment`` ("all", "lang=en", "lang=en;lines=firewall,mail")."""
    segment = {"languages": [], "product_lines": []}
    for part in (text or "all").split(";"):
        part = part.strip()
        if not part or part == "all":
            continue
        name, _sep, values = part.partition("=")
        values = [v.strip() for v in values.split(",") if v.strip()]
        if name.strip() in {"lang", "language", "languages"}:
            segment["languages"] += values
        elif name.strip() in {"lines", "line", "product_lines"}:
            segment["product_lines"] += values
        else:
            raise NewsletterError(_("Unknown segment part: %(part)s") % {"part": part})
    return segment_normalise(segment)


def segment_subscribers(segment: dict):
    """Active subscribers of a segment. No product line chosen by a subscriber means all of them."""
    subscribers = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE, person__do_not_contact=False).exclude(
        person__email=""
    )
    if segment.get("languages"):
        subscribers = subscribers.filter(language__in=segment["languages"])
    if segment.get("product_lines"):
        subscribers = subscribers.filter(
            Q(product_lines__slug__in=segment["product_lines"]) | Q(product_lines__isnull=True)
        ).distinct()
    return subscribers


# Starting a delivery ------------------------------------------------------------------------------


def _issue_checked(issue) -> IssuePage:
    issue = issue.specific if not isinstance(issue, IssuePage) else issue
    if not isinstance(issue, IssuePage):
        raise NewsletterError(_("Only a journal issue can be sent."))
    if not issue.live:
        raise NewsletterError(_("Publish the issue before sending it."))
    return issue


def delivery_start(*, issue, segment: dict | None = None, scheduled_at=None, acting_user=None) -> Delivery:
    """Send a published issue to a segment, now or at ``scheduled_at``.

    The same issue and segment give the same delivery: starting it again while it runs returns it;
    once it is done, starting it again sends only to subscribers who joined since.
    """
    issue = _issue_checked(issue)
    segment = segment_normalise(segment)
    key = segment_key(segment)
    now = timezone.now()
    due = scheduled_at is None or scheduled_at <= now
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(issue_key=issue.translation_key, segment_key=key).first()
        if delivery is None:
            delivery = Delivery(issue=issue, issue_key=issue.translation_key, segment=segment, segment_key=key,
                                scheduled_at=scheduled_at or now, created_by=acting_user)
            delivery.full_clean(exclude=["issue_key"])
            try:
                with transaction.atomic():
                    delivery.save()
            except IntegrityError:  # a second click at the same moment
                return Delivery.objects.get(issue_key=issue.translation_key, segment_key=key)
        elif delivery.state == Delivery.State.CANCELLED or (
            delivery.state == Delivery.State.DONE and _new_readers(delivery)
        ) or (delivery.state == Delivery.State.SCHEDULED and delivery.scheduled_at and delivery.scheduled_at > now):
            # done: top up with subscribers who joined since; scheduled for later: move the time
            delivery.state = Delivery.State.SCHEDULED
            delivery.scheduled_at = scheduled_at or now
            delivery.finished_at = None
            delivery.save(update_fields=["state", "scheduled_at", "finished_at"])
        else:
            return delivery
        if acting_user is not None:
            log(instance=delivery, action="newsletter.delivery_start", user=acting_user,
                data={"segment": key, "scheduled_at": delivery.scheduled_at.isoformat()})
        if due:
            from ..tasks import delivery_build_task

            delivery_build_task.delay_on_commit(delivery.pk)
    return delivery


def _new_readers(delivery: Delivery) -> bool:
    """Whether the segment has subscribers who have not had this issue yet."""
    served = Recipient.objects.filter(issue_key=delivery.issue_key).values("subscriber_id")
    return segment_subscribers(delivery.segment).order_by().exclude(pk__in=served).exists()


def delivery_cancel(*, delivery_id: int, acting_user) -> Delivery:
    """Cancel a scheduled delivery that has not started."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.state != Delivery.State.SCHEDULED:
            raise NewsletterError(_("Only a scheduled delivery that has not started can be cancelled."))
        delivery.state = Delivery.State.CANCELLED
        delivery.save(update_fields=["state"])
        log(instance=delivery, action="newsletter.delivery_cancel", user=acting_user)
    return delivery


# Building: freeze the rendered issue, fill the ledger -----------------------------------------------

_HREF = re.compile(r'href="(https?://[^"]+)"', re.IGNORECASE)


def _url(name: str, language: str, *args) -> str:
    with translation.override(language):
        return settings.BASE_URL + reverse(f"newsletter:{name}", args=args)


def _track(delivery: Delivery, html: str, language: str) -> str:
    """Register the email's plain links and point them at the click counter; add the open pixel."""
    ids = {}
    for raw in sorted(set(_HREF.findall(html))):
        url = unescape(raw)
        if "{{" in raw or len(url) > 2000:
            continue
        link, _created = DeliveryLink.objects.get_or_create(delivery=delivery, url=url)
        ids[raw] = link.pk
    click = _url("click", language, "TRK", 0).replace("/TRK/0/", "/{{trk}}/%d/")
    html = _HREF.sub(lambda m: f'href="{click % ids[m.group(1)]}"' if m.group(1) in ids else m.group(0), html)
    pixel = _url("open", language, "TRK").replace("TRK", "{{trk}}")
    tag = f'<img src="{pixel}" width="1" height="1" alt="" style="display:block;height:1px;width:1px;border:0">'
    if "</body>" in html:
        return html.replace("</body>", tag + "</body>", 1)
    return html + tag


def _freeze(delivery: Delivery) -> dict:
    """Render the issue once per language the delivery needs and store it. Returns {language: content}."""
    from ..emails import issue_email

    contents = {c.language: c for c in delivery.contents.all()}
    wanted = delivery.segment.get("languages") or [code for code, _name in settings.LANGUAGES]
    pages = {p.locale.language_code: p for p in delivery.issue.get_translations(inclusive=True).live().specific()}
    for language in wanted:
        if language in contents or language not in pages:
            continue
        subject, html, text = issue_email(pages[language])
        content = DeliveryContent(delivery=delivery, language=language, page=pages[language], subject=subject[:255],
                                  html=_track(delivery, html, language), text=text)
        try:
            with transaction.atomic():
                content.save()
        except IntegrityError:  # another build of the same delivery froze it first
            content = DeliveryContent.objects.get(delivery=delivery, language=language)
        contents[language] = content
    if not contents:
        raise NewsletterError(_("The issue has no published version in the languages of this segment."))
    return contents


def _language_for(contents: dict, language: str) -> str:
    if language in contents:
        return language
    return settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in contents else sorted(contents)[0]


def _ledger_fill(delivery: Delivery, languages: list[str], chunk: int = 5000) -> int:
    """Add a queued row for every subscriber of the segment who has not had this issue. Idempotent.

    One ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` per range of subscriber ids (the unique
    constraints skip readers who already have the issue); the reader id is made by the database's
    random generator. Django's bulk_create would cost ~1.3 ms a row on SQLite here.
    """
    table = Recipient._meta.db_table
    subscribers = segment_subscribers(delivery.segment).order_by().values("pk")
    sub_sql, sub_params = subscribers.query.sql_with_params()
    fallback = _language_for(dict.fromkeys(languages), "")
    placeholders = ", ".join(["%s"] * len(languages))
    language_case = f"CASE WHEN s.language IN ({placeholders}) THEN s.language ELSE %s END"
    if connection.vendor == "postgresql":
        rid = "substr(replace(gen_random_uuid()::text, '-', ''), 1, 24)"
    else:
        rid = "lower(hex(randomblob(12)))"
    issue_key = Recipient._meta.get_field("issue_key").get_db_prep_value(delivery.issue_key, connection)
    # Only table names, placeholders and fixed expressions are formatted in; every value is a parameter.
    sql = " ".join([
        f"INSERT INTO {table} (delivery_id, subscriber_id, issue_key, rid, language, state, attempts, error)",
        f"SELECT %s, s.id, %s, {rid}, {language_case}, %s, 0, ''",
        f"FROM {Subscriber._meta.db_table} s WHERE s.id > %s AND s.id <= %s AND s.id IN ({sub_sql})",  # noqa: S608
        "ON CONFLICT DO NOTHING",
    ])
    bounds = Subscriber.objects.filter(pk__in=subscribers).aggregate(low=models.Min("pk"), high=models.Max("pk"))
    if bounds["low"] is None:
        return 0
    added = 0
    low = bounds["low"] - 1
    while low < bounds["high"]:
        high = low + chunk
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [delivery.pk, issue_key, *languages, fallback, Recipient.State.QUEUED, low, high,
                                 *sub_params])
            added += max(cursor.rowcount, 0)
        Delivery.objects.filter(pk=delivery.pk).update(heartbeat_at=timezone.now())
        low = high
    return added


def delivery_build(*, delivery_id: int) -> Delivery:
    """Start a due delivery: freeze the issue, fill the ledger, enqueue the batches. Safe to run twice."""
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.state == Delivery.State.SCHEDULED and delivery.scheduled_at and delivery.scheduled_at > now:
            return delivery
        if delivery.state == Delivery.State.SCHEDULED:
            delivery.state = Delivery.State.BUILDING
            delivery.started_at = delivery.started_at or now
            delivery.heartbeat_at = now
            delivery.save(update_fields=["state", "started_at", "heartbeat_at"])
        elif delivery.state != Delivery.State.BUILDING:
            return delivery
    contents = _freeze(delivery)
    _ledger_fill(delivery, list(contents))
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.state != Delivery.State.BUILDING:
            return delivery
        delivery.state = Delivery.State.SENDING
        delivery.total = delivery.recipients.count()
        delivery.heartbeat_at = timezone.now()
        delivery.save(update_fields=["state", "total", "heartbeat_at"])
        queued = delivery.recipients.filter(state=Recipient.State.QUEUED).count()
        _enqueue_batches(delivery.pk, queued)
    if not queued:
        delivery_finish_if_complete(delivery_id=delivery.pk)
    return delivery


def _enqueue_batches(delivery_id: int, queued: int):
    from ..tasks import delivery_send_batch_task

    for _i in range(math.ceil(queued / batch_size())):
        delivery_send_batch_task.delay_on_commit(delivery_id)


# Sending ------------------------------------------------------------------------------------------

_prepared_cache: dict = {}


def _prepared(delivery_id: int) -> dict:
    """The delivery's messages, encoded once per language and kept in this process (they never change)."""
    key = (delivery_id, tuple(DeliveryContent.objects.filter(delivery_id=delivery_id).order_by("pk")
                              .values_list("pk", flat=True)))
    if key in _prepared_cache:
        return _prepared_cache[key]
    domain = sender_domain()
    list_id = _setting("JOURNAL_LIST_ID", "") or f"journal.{domain}"
    from_email = journal_from_email()
    reply_to = _setting("JOURNAL_REPLY_TO", "")
    prepared = {}
    for content in DeliveryContent.objects.filter(delivery_id=delivery_id):
        with translation.override(content.language):
            list_name = _("Care & Journal e-journal")
        prepared[content.language] = (
            PreparedMessage(subject=content.subject, html=content.html, text=content.text, from_email=from_email,
                            reply_to=reply_to, list_id=f"{list_name} <{list_id}>", domain=domain,
                            extra_headers={"X-Journal-Delivery": str(delivery_id)}),
            reader_fallback_name(content.language),
            _url("unsubscribe", content.language, "TOKEN"),
            _url("preferences", content.language, "TOKEN"),
        )
    if len(_prepared_cache) > 8:
        _prepared_cache.clear()
    _prepared_cache[key] = prepared
    return prepared


def unsubscribe_token(subscriber_id: int, rid: str = "") -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{subscriber_id}.{rid}")


def preferences_token(subscriber_id: int) -> str:
    return signing.Signer(salt=PREFERENCES_SALT).sign(str(subscriber_id))


def envelope_from_template() -> str:
    """The bounce address, "{rid}" to be filled in: JOURNAL_BOUNCE_ADDRESS with the reader's id after a
    "+" (VERP), or the From address."""
    bounce = _setting("JOURNAL_BOUNCE_ADDRESS", "")
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
    ledger = _Ledger(delivery_id, int(_setting("JOURNAL_FLUSH_EVERY", 50)))
    max_attempts = int(_setting("JOURNAL_MAX_ATTEMPTS", 3))
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
        from .subscribers import bounce_record

        for pk, subscriber_id, address, code, text in hard_bounces:
            bounce_record(email=address, kind=Bounce.Kind.HARD, status=str(code), diagnostic=text, recipient_id=pk,
                          subscriber_id=subscriber_id)
    if ledger_retry_pending := Recipient.objects.filter(delivery_id=delivery_id, state=Recipient.State.QUEUED,
                                                        pk__in=ids).exists():
        from ..tasks import delivery_send_batch_task

        delivery_send_batch_task.apply_async((delivery_id,), countdown=60)
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


def delivery_sweep(*, stale: timedelta | None = None) -> dict:
    """The periodic safety net (every minute): start due scheduled deliveries, re-run stalled builds,
    put rows of dead workers back in the queue and enqueue their batches again."""
    from ..tasks import delivery_build_task

    stale = stale_after() if stale is None else stale
    now = timezone.now()
    result = {"started": 0, "rebuilt": 0, "requeued": 0, "batches": 0}
    for pk in Delivery.objects.filter(state=Delivery.State.SCHEDULED, scheduled_at__lte=now).values_list("pk", flat=True):
        delivery_build_task.delay(pk)
        result["started"] += 1
    for pk in Delivery.objects.filter(state=Delivery.State.BUILDING, heartbeat_at__lt=now - stale).values_list(
            "pk", flat=True):
        delivery_build_task.delay(pk)
        result["rebuilt"] += 1
    for delivery in Delivery.objects.filter(state=Delivery.State.SENDING):
        requeued = Recipient.objects.filter(delivery=delivery, state=Recipient.State.SENDING,
                                            claimed_at__lt=now - stale).update(state=Recipient.State.QUEUED)
        result["requeued"] += requeued
        quiet = delivery.heartbeat_at is None or delivery.heartbeat_at < now - stale
        if requeued or quiet:
            queued = delivery.recipients.filter(state=Recipient.State.QUEUED).count()
            if queued:
                _enqueue_batches(delivery.pk, queued)
                result["batches"] += math.ceil(queued / batch_size())
            else:
                delivery_finish_if_complete(delivery_id=delivery.pk)
    return result


def delivery_test_send(*, issue, acting_user, to_email: str = "") -> list:
    """Send the issue to the editor themselves, in each published language, through the outbox."""
    from ..emails import issue_email, personalise, sample_values

    issue = _issue_checked(issue)
    to_email = to_email or acting_user.email
    if not to_email:
        raise NewsletterError(_("Your account has no email address; add one in your account settings."))
    messages = []
    name = acting_user.get_full_name() or acting_user.get_username()
    stamp = int(time.time())
    for page in issue.get_translations(inclusive=True).live().specific():
        language = page.locale.language_code
        values = {**sample_values(language), "{{name}}": name}
        subject, html, text = personalise(*issue_email(page), values)
        with translation.override(language):
            subject = _("[Test] %(subject)s") % {"subject": subject}
        messages.append(outbox_enqueue(
            to_email=to_email, subject=subject, html=html, text=text, kind="journal_test",
            key=f"journal-test:{page.pk}:{acting_user.pk}:{stamp}",
        ))
    if not messages:
        raise NewsletterError(_("Publish the issue before sending it."))
    log(instance=issue, action="newsletter.delivery_test", user=acting_user, data={"to": to_email})
    return messages


# Engagement ---------------------------------------------------------------------------------------


def recipient_open(*, trk: str) -> bool:
    """Count the first open of a reader's copy (the pixel). Nothing about the reader is stored."""
    return bool(Recipient.objects.filter(rid=trk, opened_at__isnull=True).update(opened_at=timezone.now()))


def link_click(*, trk: str, link_id: int) -> str | None:
    """Count a click and return the registered address, or None when the link is not one of the delivery's."""
    recipient = Recipient.objects.filter(rid=trk).values_list("pk", "delivery_id").first()
    link = DeliveryLink.objects.filter(pk=link_id).values_list("delivery_id", "url").first()
    if link is None or (recipient is not None and recipient[1] != link[0]):
        return None
    DeliveryLink.objects.filter(pk=link_id).update(clicks=F("clicks") + 1)
    if recipient is not None:
        Recipient.objects.filter(pk=recipient[0], clicked_at__isnull=True).update(clicked_at=timezone.now())
        Recipient.objects.filter(pk=recipient[0], opened_at__isnull=True).update(opened_at=timezone.now())
    return link[1]


def delivery_stats(*, delivery: Delivery) -> dict:
    """Progress and engagement of a delivery: one aggregate over the ledger, one over the links."""
    state = Recipient.State
    stats = Recipient.objects.filter(delivery=delivery).aggregate(
        total=Count("pk"),
        queued=Count("pk", filter=Q(state=state.QUEUED)),
        sending=Count("pk", filter=Q(state=state.SENDING)),
        sent=Count("pk", filter=Q(state=state.SENT)),
        failed=Count("pk", filter=Q(state=state.FAILED)),
        skipped=Count("pk", filter=Q(state=state.SKIPPED)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
        replied=Count("pk", filter=Q(replied_at__isnull=False)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
    )
    stats["clicks"] = delivery.links.aggregate(n=Sum("clicks"))["n"] or 0
    done = stats["sent"] + stats["failed"] + stats["skipped"]
    stats["percent"] = round(100 * done / stats["total"]) if stats["total"] else (100 if delivery.state == "done" else 0)
    return stats
