"""Class sessions and their seats: locking a class, counting and offering its seats, and the
coordinators' actions on a whole class (saving, cancelling, completing, the minimum-attendance check).

Every change to who holds a seat in a class happens with that class's row locked
(``select_for_update``), after recounting the seats taken, so seats held plus confirmed never exceed
the capacity, however many requests arrive at once. Sessions are always locked before sign-ups and
payments, in primary-key order when there are two, so two transactions never wait for each other.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .. import tasks
from ..models import ClassSession, Signup
from . import TrainingError

BOOKABLE = (ClassSession.Status.OPEN, ClassSession.Status.FULL)


def hold_duration() -> timedelta:
    """How long a seat is held while payment is pending (bank transfer takes days)."""
    return timedelta(hours=getattr(settings, "TRAINING_HOLD_HOURS", 72))


def offer_duration() -> timedelta:
    """How long a freed seat stays reserved for the person it is offered to."""
    return timedelta(hours=getattr(settings, "TRAINING_OFFER_HOURS", 24))


def unpaid_share() -> float:
    """The share of a class's seats one booker may hold unpaid; further attendees wait."""
    return getattr(settings, "TRAINING_UNPAID_SHARE", 0.5)


# Emails whose invitation tells the calendar something changed (a reminder repeats the last one).
CALENDAR_CHANGES = ("held", "confirmed", "moved", "cancelled", "session_cancelled", "cancelled_by_staff", "expired")


def notify(signup: Signup, kind: str, extra: str = "") -> None:
    """Send ``kind`` email to the attendee after the transaction commits (rendered by a worker).

    A change the attendee's calendar must follow raises the sign-up's calendar SEQUENCE first."""
    if kind in CALENDAR_CHANGES:
        Signup.objects.filter(pk=signup.pk).update(calendar_sequence=F("calendar_sequence") + 1)
    tasks.signup_notify_task.delay_on_commit(signup.pk, kind, extra)


def lock_session(session_id: int) -> ClassSession:
    """Lock a class's row and read it fresh: the object returned is the one to change."""
    return ClassSession.objects.select_for_update().select_related("course").get(pk=session_id)


def lock_sessions_of(signups, *, also=()) -> dict[int, ClassSession]:
    """Lock the classes the sign-ups in ``signups`` (a queryset) belong to, and the classes ``also``
    names, in primary-key order.

    A sign-up may move to another class between reading its class and taking the lock; so the
    classes are read again under the locks, and if they changed the locks are given back (savepoint
    rollback) and taken again. Once the classes are locked their sign-ups cannot move."""
    for _attempt in range(10):
        ids = sorted({*signups.values_list("session_id", flat=True), *also})
        savepoint = transaction.savepoint()
        locked = {pk: lock_session(pk) for pk in ids}
        if sorted({*signups.values_list("session_id", flat=True), *also}) == ids:
            transaction.savepoint_commit(savepoint)
            return locked
        transaction.savepoint_rollback(savepoint)
    raise TrainingError(_("This booking is being changed at this moment; please try again."))


def seats_taken(session_id: int) -> int:
    return Signup.objects.filter(session_id=session_id, status__in=Signup.SEAT_STATUSES).count()


def sync_status(session: ClassSession) -> None:
    """Keep the open/full flag in step with the seats taken (the count, not the flag, is the rule)."""
    if session.status not in BOOKABLE:
        return
    status = ClassSession.Status.FULL if seats_taken(session.pk) >= session.capacity else ClassSession.Status.OPEN
    if status != session.status:
        session.status = status
        session.save(update_fields=["status"])


def check_bookable(session: ClassSession, now=None) -> None:
    now = now or timezone.now()
    if session.status not in BOOKABLE:
        raise TrainingError(_("This class is not taking sign-ups."))
    if session.signup_deadline <= now or session.starts_at <= now:
        raise TrainingError(_("The sign-up deadline for this class has passed."))



def new_seat_status(session: ClassSession) -> str:
    return Signup.Status.CONFIRMED if session.price <= 0 else Signup.Status.PENDING_PAYMENT


def unpaid_cap(session: ClassSession) -> int:
    """How many seats of this class one booker may hold unpaid at a time (at least one)."""
    return max(1, int(session.capacity * unpaid_share()))


def unpaid_held_by(session: ClassSession, booking) -> int:
    """Seats of this class held unpaid (or offered) for this booking's booker: bookings with the same
    contact or sent from the same network address (``Booking.booker_key``)."""
    same_booker = Q(booking__contact_id=booking.contact_id)
    if booking.booker_key:
        same_booker |= Q(booking__booker_key=booking.booker_key)
    return Signup.objects.filter(
        same_booker, session_id=session.pk, status__in=(Signup.Status.PENDING_PAYMENT, Signup.Status.OFFERED),
    ).count()


def take_seat(signup: Signup, session: ClassSession, now) -> None:
    signup.status = new_seat_status(session)
    signup.offer_expires_at = None
    signup.hold_expires_at = min(now + hold_duration(), session.starts_at) if signup.status == Signup.Status.PENDING_PAYMENT else None


def offer_free_seats(session: ClassSession, now=None) -> list[Signup]:
    """Offer free seats to the next people on the waiting list. The caller holds the session lock.

    Someone whose booker already holds the most unpaid seats allowed keeps their place and is passed
    over until the booker pays; the seat goes to the next in line."""
    now = now or timezone.now()
    offered = []
    if session.status in BOOKABLE and session.starts_at > now:
        free = session.capacity - seats_taken(session.pk)
        if free > 0:
            waiting = (
                Signup.objects.filter(session=session, status=Signup.Status.WAITING)
                .select_related("booking").order_by("created_at", "pk")
            )
            capped = session.price > 0
            for signup in waiting:
                if free <= 0:
                    break
                if capped and signup.booking_id and unpaid_held_by(session, signup.booking) >= unpaid_cap(session):
                    continue
                free -= 1
                signup.status = Signup.Status.OFFERED
                signup.offer_expires_at = min(now + offer_duration(), session.starts_at)
                signup.save(update_fields=["status", "offer_expires_at", "updated_at"])
                notify(signup, "offer", signup.offer_expires_at.isoformat())
                offered.append(signup)
    sync_status(session)
    return offered


# Coordinators ------------------------------------------------------------------------------------


def session_save(*, instance: ClassSession, acting_user) -> ClassSession:
    """Create or edit a class from the admin. More capacity offers seats to the waiting list."""
    creating = instance.pk is None
    if creating and not instance.price and instance.course_id:
        instance.price = instance.course.price
    instance.full_clean()
    with transaction.atomic():
        if not creating:
            # The form's object was read before the lock: keep what services changed since (a
            # cancellation, the open/full flag), write only what the coordinator edits.
            current = lock_session(instance.pk)
            instance.status, instance.cancel_reason = current.status, current.cancel_reason
        instance.save()
        log(instance=instance, action="wagtail.create" if creating else "wagtail.edit", user=acting_user)
        if not creating:
            offer_free_seats(instance)
    return instance


def session_cancel(*, session_id: int, acting_user, reason: str = "", low_attendance: bool = False) -> ClassSession:
    """Cancel a class: every attendee and everyone waiting is told, with other dates of the course."""
    with transaction.atomic():
        session = lock_session(session_id)
        if session.status not in BOOKABLE:
            raise TrainingError(_("Only an open or full class can be cancelled."))
        session.status = ClassSession.Status.CANCELLED
        session.cancel_reason = reason[:300]
        session.save(update_fields=["status", "cancel_reason"])
        for signup in Signup.objects.select_for_update().filter(session=session, status__in=Signup.ACTIVE_STATUSES):
            signup.status = Signup.Status.CANCELLED
            signup.cancelled_by_staff = True
            signup.hold_expires_at = signup.offer_expires_at = None
            signup.save(update_fields=["status", "cancelled_by_staff", "hold_expires_at", "offer_expires_at", "updated_at"])
            notify(signup, "session_cancelled", "low" if low_attendance else "")
        log(instance=session, action="training.session_cancel", user=acting_user, data={"reason": session.cancel_reason})
    return session


def session_complete(*, session_id: int, acting_user) -> ClassSession:
    with transaction.atomic():
        session = lock_session(session_id)
        if session.status not in BOOKABLE:
            raise TrainingError(_("Only an open or full class can be marked completed."))
        session.status = ClassSession.Status.COMPLETED
        session.save(update_fields=["status"])
        log(instance=session, action="training.session_complete", user=acting_user)
    return session


def session_email_attendees(*, session_id: int, subject: str, message: str, acting_user) -> int:
    """A coordinator's plain-text email to everyone holding a seat in a class (held, offered or
    confirmed; not the waiting list), each with their private booking link. Sending the same text
    again to the same class sends nothing more. Returns how many emails were queued."""
    from home.services.outbox import outbox_enqueue

    from ..emails import signup_url

    subject, message = " ".join((subject or "").split()), (message or "").strip()
    if not subject or not message:
        raise TrainingError(_("Write a subject and a message."))
    if len(subject) > 200 or len(message) > 5000:
        raise TrainingError(_("The subject may have at most 200 characters and the message at most 5000."))
    digest = hashlib.sha256(f"{subject}\n{message}".encode()).hexdigest()[:16]
    with transaction.atomic():
        session = lock_session(session_id)
        signups = Signup.objects.filter(session=session, status__in=Signup.SEAT_STATUSES).select_related("person")
        count = 0
        for signup in signups:
            if not signup.person.email:
                continue
            outbox_enqueue(
                to_email=signup.person.email, subject=subject, kind="training.class_message", person=signup.person,
                text=f"{message}\n\n{signup_url(signup, signup.language)}",
                key=f"training:class_message:{session.pk}:{signup.pk}:{digest}",
            )
            count += 1
        log(instance=session, action="training.session_email", user=acting_user,
            data={"subject": subject, "recipients": count})
    return count


def sessions_check_minimum(*, now=None) -> list[int]:
    """Cancel classes whose sign-up deadline has passed with fewer confirmed attendees than needed."""
    now = now or timezone.now()
    short = (
        ClassSession.objects.filter(status__in=BOOKABLE, signup_deadline__lte=now, starts_at__gt=now)
        .annotate(confirmed=Count("signups", filter=Q(signups__status=Signup.Status.CONFIRMED)))
        .values_list("pk", "confirmed", "min_attendance")
    )
    cancelled = []
    for pk, confirmed, minimum in short:
        if confirmed < minimum:
            session_cancel(session_id=pk, acting_user=None, reason=_("Too few attendees"), low_attendance=True)
            cancelled.append(pk)
    return cancelled
