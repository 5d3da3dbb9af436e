"""Deliveries of an issue to subscribers: starting, building (the frozen issue and the send ledger),
the sweep, the test send and a delivery's figures. The batches themselves are sent by
``newsletter.services.sending``; who gets an issue is decided in ``newsletter.services.segments``.

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
  enqueues batches again. Each claim carries a token and a live batch renews it before each small
  group, so the old batch of a row the sweep took over never sends it (``sending._Ledger``).
- Per reader, RFC 5321: 5xx is a hard bounce, 4xx a deferral with growing delays
  (JOURNAL_RETRY_DELAYS, up to JOURNAL_RETRY_LIMIT), a refused sender or a lost connection the mail
  server's problem (the delivery shows it; nobody's status changes).
- The issue is rendered once per language per delivery (``newsletter.emails.issue_email``), its
  links registered for click counting and an open pixel added, and frozen on ``DeliveryContent``.
- Tasks are enqueued through the ``newsletter.tasks`` module, imported whole at the top: tasks.py
  imports these service modules whole too, so either side may be imported first.
"""

import math
import re
import time
from datetime import timedelta
from html import unescape

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.services.outbox import outbox_enqueue

from .. import tasks
from ..emails import issue_email, personalise, reader_url, sample_values
from ..models import Delivery, DeliveryContent, DeliveryLink, IssuePage, Recipient, Subscriber
from . import NewsletterError, sending
from .segments import segment_key, segment_normalise, segment_subscribers


def stale_after() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "JOURNAL_STALE_AFTER", 180)))


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
            tasks.delivery_build_task.delay_on_commit(delivery.pk)
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


def _track(delivery: Delivery, html: str, language: str) -> str:
    """Register the email's plain links and point them at the click counter; add the open pixel."""
    ids = {}
    for raw in sorted(set(_HREF.findall(html))):
        url = unescape(raw)
        if "{{" in raw or len(url) > 2000:
            continue
        link, _created = DeliveryLink.objects.get_or_create(delivery=delivery, url=url)
        ids[raw] = link.pk
    click = reader_url("click", language, "TRK", 0).replace("/TRK/0/", "/{{trk}}/%d/")
    html = _HREF.sub(lambda m: f'href="{click % ids[m.group(1)]}"' if m.group(1) in ids else m.group(0), html)
    pixel = reader_url("open", language, "TRK").replace("TRK", "{{trk}}")
    tag = f'<img src="{pixel}" width="1" height="1" alt="" style="display:block;height:1px;width:1px;border:0">'
    if "</body>" in html:
        return html.replace("</body>", tag + "</body>", 1)
    return html + tag


def _freeze(delivery: Delivery) -> dict:
    """Render the issue once per language the delivery needs and store it. Returns {language: content}."""
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
        f"INSERT INTO {table} (delivery_id, subscriber_id, issue_key, rid, language, state, attempts, error, claim_token)",
        f"SELECT %s, s.id, %s, {rid}, {language_case}, %s, 0, '', ''",
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
        sending.batches_enqueue(delivery.pk, queued)
    if not queued:
        sending.delivery_finish_if_complete(delivery_id=delivery.pk)
    return delivery




def delivery_sweep(*, stale: timedelta | None = None) -> dict:
    """The periodic safety net (every minute): start due scheduled deliveries, re-run stalled builds,
    put rows of dead workers back in the queue and enqueue their batches again."""
    stale = stale_after() if stale is None else stale
    now = timezone.now()
    result = {"started": 0, "rebuilt": 0, "requeued": 0, "batches": 0}
    for pk in Delivery.objects.filter(state=Delivery.State.SCHEDULED, scheduled_at__lte=now).values_list("pk", flat=True):
        tasks.delivery_build_task.delay(pk)
        result["started"] += 1
    for pk in Delivery.objects.filter(state=Delivery.State.BUILDING, heartbeat_at__lt=now - stale).values_list(
            "pk", flat=True):
        tasks.delivery_build_task.delay(pk)
        result["rebuilt"] += 1
    for delivery in Delivery.objects.filter(state=Delivery.State.SENDING):
        # Rows of a batch that stopped renewing its claim: back to the queue, under no token, so the old
        # batch writes nothing more for them (fencing).
        requeued = Recipient.objects.filter(delivery=delivery, state=Recipient.State.SENDING,
                                            claimed_at__lt=now - stale).update(state=Recipient.State.QUEUED,
                                                                               claim_token="")
        result["requeued"] += requeued
        quiet = delivery.heartbeat_at is None or delivery.heartbeat_at < now - stale
        if requeued or quiet:
            queued = delivery.recipients.filter(state=Recipient.State.QUEUED)
            due = queued.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).count()
            if due:
                sending.batches_enqueue(delivery.pk, due)
                result["batches"] += math.ceil(due / sending.batch_size())
            elif not queued.exists():
                sending.delivery_finish_if_complete(delivery_id=delivery.pk)
    return result


def delivery_test_send(*, issue, acting_user, to_email: str = "") -> list:
    """Send the issue to the editor themselves, in each published language, through the outbox."""
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




def delivery_problems(*, delivery: Delivery):
    """Rows of a delivery that failed or wait for a retry, with their reason: newest first."""
    return (Recipient.objects.filter(delivery=delivery).filter(
        Q(state=Recipient.State.FAILED) | Q(state=Recipient.State.QUEUED, next_attempt_at__isnull=False))
        .select_related("subscriber__person").order_by("-pk"))


def delivery_stats(*, delivery: Delivery) -> dict:
    """Progress and engagement of a delivery: one aggregate over the ledger, one over the links."""
    state = Recipient.State
    stats = Recipient.objects.filter(delivery=delivery).aggregate(
        total=Count("pk"),
        queued=Count("pk", filter=Q(state=state.QUEUED)),
        deferred=Count("pk", filter=Q(state=state.QUEUED, next_attempt_at__isnull=False)),
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
