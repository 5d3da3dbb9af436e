"""The outbox: every email the system sends is queued here and sent by a worker after commit."""

import base64
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from wagtail.log_actions import log

from home import tasks
from home.emails import render_email
from home.exceptions import HomeError
from home.identity import normalise_email
from home.models import OutboxMessage, Person

logger = logging.getLogger(__name__)


def outbox_enqueue(
    *,
    to_email: str,
    subject: str,
    text: str,
    kind: str,
    html: str = "",
    person: Person | None = None,
    key: str | None = None,
    headers: dict | None = None,
    attachments: list | None = None,
    reply_to: str = "",
    from_email: str = "",
) -> OutboxMessage:
    """Queue one email. It is sent by a worker after the surrounding transaction commits.

    With a ``key``, enqueueing again returns the first message and sends nothing more.
    """
    if "\n" in subject or "\r" in subject:
        raise HomeError(_("An email subject cannot contain line breaks."))
    if key:
        existing = OutboxMessage.objects.filter(key=key).first()
        if existing:
            return existing
    message = OutboxMessage(
        key=key or None,
        kind=kind,
        person=person,
        to_email=normalise_email(to_email),
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        reply_to=reply_to,
        subject=subject[:255],
        text=text,
        html=html,
        headers=headers or {},
        attachments=attachments or [],
    )
    message.full_clean(exclude=["key"])
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return OutboxMessage.objects.get(key=key)
    transaction.on_commit(lambda: _send_soon(message.pk))
    return message


def _send_soon(message_id: int) -> None:
    """Hand the message to a worker. With the broker unreachable the saved row is the promise:
    ``outbox_sweep`` (Celery beat) enqueues it once the broker is back, so the caller still succeeds."""
    try:
        tasks.outbox_send_task.delay(message_id)
    except KombuOperationalError as exc:
        logger.warning("Broker unreachable, outbox message %s waits for the sweep: %s", message_id, exc)


def outbox_enqueue_template(
    *,
    template: str,
    context: dict,
    to_email: str,
    language: str,
    kind: str,
    person: Person | None = None,
    key: str | None = None,
    attachments: list | None = None,
    headers: dict | None = None,
    reply_to: str = "",
) -> OutboxMessage:
    """Render ``template`` (see ``home.emails.render_email``) in ``language`` and queue it."""
    if key and OutboxMessage.objects.filter(key=key).exists():
        return OutboxMessage.objects.get(key=key)
    subject, html, text = render_email(template, {"person": person, **context}, language)
    return outbox_enqueue(
        to_email=to_email,
        subject=subject,
        text=text,
        html=html,
        kind=kind,
        person=person,
        key=key,
        attachments=attachments,
        headers=headers,
        reply_to=reply_to,
    )


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def _build_message(message: OutboxMessage, connection) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={"Auto-Submitted": "auto-generated", **message.headers},
        connection=connection,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for item in message.attachments:
        email.attach(item["filename"], base64.b64decode(item["content_b64"]), item["mimetype"])
    return email


def outbox_send(*, message_id: int) -> OutboxMessage | None:
    """Send one queued message. Claiming it is atomic, so two workers never both send it.

    Errors (SMTP or any other) put it back in the queue with a growing delay; after OUTBOX_MAX_ATTEMPTS,
    or when the server refuses the recipient permanently, it is marked failed for staff to see.
    """
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, state=OutboxMessage.State.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(state=OutboxMessage.State.SENDING, attempts=F("attempts") + 1, updated_at=now)
    )
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if not claimed or message is None:
        return message
    try:
        with get_connection(fail_silently=False) as connection:
            _build_message(message, connection).send()
    except Exception as exc:  # SMTP or not (a bad attachment, a template error): retried, then failed
        permanent = isinstance(exc, smtplib.SMTPRecipientsRefused) and all(
            code >= 500 for code, _msg in exc.recipients.values()
        )
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if permanent or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            message.state = OutboxMessage.State.FAILED
            message.next_attempt_at = None
            logger.warning("outbox message %s failed for good: %s", message.pk, message.last_error)
        else:
            message.state = OutboxMessage.State.QUEUED
            message.next_attempt_at = timezone.now() + _backoff(message.attempts)
        message.save(update_fields=["state", "last_error", "next_attempt_at", "updated_at"])
        return message
    message.state = OutboxMessage.State.SENT
    message.sent_at = timezone.now()
    message.last_error = ""
    message.next_attempt_at = None
    message.save(update_fields=["state", "sent_at", "last_error", "next_attempt_at", "updated_at"])
    return message



def outbox_retry(*, message_id: int, acting_user) -> OutboxMessage:
    """Staff put a failed message back in the queue."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.state != OutboxMessage.State.FAILED:
            raise HomeError(_("Only a failed email can be sent again."))
        message.state = OutboxMessage.State.QUEUED
        message.attempts = 0
        message.next_attempt_at = None
        message.save(update_fields=["state", "attempts", "next_attempt_at", "updated_at"])
        log(instance=message, action="home.outbox_retry", user=acting_user)
        transaction.on_commit(lambda: _send_soon(message.pk))
    return message


def _send_soon(message_id: int) -> None:
    """Hand the message to a worker. With the broker unreachable the saved row is the promise:
    ``outbox_sweep`` (Celery beat) enqueues it once the broker is back, so the caller still succeeds."""
    try:
        tasks.outbox_send_task.delay(message_id)
    except KombuOperationalError as exc:
        logger.warning("Broker unreachable, outbox message %s waits for the sweep: %s", message_id, exc)


def outbox_sweep(*, stale_after: timedelta = timedelta(minutes=2), stuck_after: timedelta = timedelta(minutes=10)):
    """Re-enqueue messages whose task was lost; return (requeued, resent) counts.

    A message left in "sending" by a crashed worker goes back to the queue; a queued message whose
    time has come and gone without a worker taking it is enqueued again.
    """
    now = timezone.now()
    stuck = OutboxMessage.objects.filter(state=OutboxMessage.State.SENDING, updated_at__lt=now - stuck_after)
    # A message that killed its worker every time ends failed instead of being requeued forever.
    stuck.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).update(
        state=OutboxMessage.State.FAILED, next_attempt_at=None, updated_at=now,
        last_error="the worker stopped while sending it, every time",
    )
    requeued = stuck.filter(state=OutboxMessage.State.SENDING).update(
        state=OutboxMessage.State.QUEUED, next_attempt_at=None, updated_at=now
    )
    due = (
        OutboxMessage.objects.filter(state=OutboxMessage.State.QUEUED)
        .filter(
            Q(next_attempt_at__isnull=True, created_at__lt=now - stale_after)
            | Q(next_attempt_at__lt=now - stale_after)
        )
        .values_list("pk", flat=True)[:1000]
    )
    ids = list(due)
    for pk in ids:
        tasks.outbox_send_task.delay(pk)
    return requeued, len(ids)
