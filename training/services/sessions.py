"""Class sessions and their seats: locking a class, counting and offering its seats, and the
coordinators' actions on a whole class (saving, cancelling, completing, the minimum-attendance check).

Every change to who holds a seat in a class happens with that class's row locked
(``select_for_update``), after recounting the seats taken, so seats held plus confirmed never exceed
the capacity, however many requests arrive at once. Sessions are always locked before sign-ups and
payments, in primary-key order when there are two, so two transactions never wait for each other.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
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


def notify(signup: Signup, kind: str, extra: str = "") -> None:
    """Send ``kind`` email to the attendee after the transaction commits (rendered by a worker)."""
    tasks.signup_notify_task.delay_on_commit(signup.pk, kind, extra)


def lock_session(session_id: int) -> ClassSession:
    return ClassSession.objects.select_for_update().select_related("course").get(pk=session_id)


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


def take_seat(signup: Signup, session: ClassSession, now) -> None:
    signup.status = new_seat_status(session)
    signup.offer_expires_at = None
    signup.hold_expires_at = min(now + hold_duration(), session.starts_at) if signup.status == Signup.Status.PENDING_PAYMENT else None


def offer_free_seats(session: ClassSession, now=None) -> list[Signup]:
    """Offer free seats to the next people on the waiting list. The caller holds the session lock."""
    now = now or timezone.now()
    offered = []
    if session.status in BOOKABLE and session.starts_at > now:
        free = session.capacity - seats_taken(session.pk)
        if free > 0:
            waiting = Signup.objects.filter(session=session, status=Signup.Status.WAITING).order_by("created_at", "pk")
            for signup in waiting[:free]:
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
            lock_session(instance.pk)
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
