"""Writes of sign-ups: booking seats, the waiting list and its offers, cancelling and moving, holds.

Every change to who holds a seat in a class happens with that class's row locked
(``select_for_update``), after recounting the seats taken, so seats held plus confirmed never exceed
the capacity, however many requests arrive at once. Sessions are always locked before sign-ups and
payments, in primary-key order when there are two, so two transactions never wait for each other.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.models import Consent, Person
from home.services.consent import consent_record
from home.services.people import person_match_or_create

from ..models import Booking, ClassSession, Signup
from . import TrainingError

logger = logging.getLogger(__name__)

BOOKABLE = (ClassSession.Status.OPEN, ClassSession.Status.FULL)
TERMS_VERSION = "2026-11"


def hold_duration() -> timedelta:
    """How long a seat is held while payment is pending (bank transfer takes days)."""
    return timedelta(hours=getattr(settings, "TRAINING_HOLD_HOURS", 72))


def offer_duration() -> timedelta:
    """How long a freed seat stays reserved for the person it is offered to."""
    return timedelta(hours=getattr(settings, "TRAINING_OFFER_HOURS", 24))


# Helpers -----------------------------------------------------------------------------------------


def _notify(signup: Signup, kind: str, extra: str = "") -> None:
    """Send ``kind`` email to the attendee after the transaction commits (rendered by a worker)."""
    from ..tasks import signup_notify_task

    signup_notify_task.delay_on_commit(signup.pk, kind, extra)


def _lock_session(session_id: int) -> ClassSession:
    return ClassSession.objects.select_for_update().select_related("course").get(pk=session_id)


def seats_taken(session_id: int) -> int:
    return Signup.objects.filter(session_id=session_id, status__in=Signup.SEAT_STATUSES).count()


def _sync_status(session: ClassSession) -> None:
    """Keep the open/full flag in step with the seats taken (the count, not the flag, is the rule)."""
    if session.status not in BOOKABLE:
        return
    status = ClassSession.Status.FULL if seats_taken(session.pk) >= session.capacity else ClassSession.Status.OPEN
    if status != session.status:
        session.status = status
        session.save(update_fields=["status"])


def _check_bookable(session: ClassSession, now=None) -> None:
    now = now or timezone.now()
    if session.status not in BOOKABLE:
        raise TrainingError(_("This class is not taking sign-ups."))
    if session.signup_deadline <= now or session.starts_at <= now:
        raise TrainingError(_("The sign-up deadline for this class has passed."))


def prerequisite_met(*, person: Person, course) -> bool:
    """Whether ``person`` completed the basic course ``course`` requires (certificates decide)."""
    if not course.prerequisite_course_id:
        return True
    try:
        from .certificates import prerequisite_met as certificates_prerequisite_met
    except ImportError:
        return True
    return certificates_prerequisite_met(person=person, course=course)


def _new_seat_status(session: ClassSession) -> str:
    return Signup.Status.CONFIRMED if session.price <= 0 else Signup.Status.PENDING_PAYMENT


def _take_seat(signup: Signup, session: ClassSession, now) -> None:
    signup.status = _new_seat_status(session)
    signup.offer_expires_at = None
    signup.hold_expires_at = min(now + hold_duration(), session.starts_at) if signup.status == Signup.Status.PENDING_PAYMENT else None


def _offer_free_seats(session: ClassSession, now=None) -> list[Signup]:
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
                _notify(signup, "offer", signup.offer_expires_at.isoformat())
                offered.append(signup)
    _sync_status(session)
    return offered


# Signing up --------------------------------------------------------------------------------------


def booking_create(
    *,
    session_id: int,
    attendees: list[dict],
    company: str = "",
    serial_number: str = "",
    language: str = "zh-hans",
    terms_text: str = "",
    source: str = "training sign-up form",
) -> Booking:
    """Sign up one or more attendees (dicts of name, email, mobile) for a class.

    Seats go to attendees in the order given while they last; the others join the waiting list.
    The first attendee is the booking's contact and agrees to the training terms for the booking.
    Raises ValidationError for an invalid email or mobile, TrainingError when the class cannot be booked.
    """
    if not attendees:
        raise TrainingError(_("Name at least one attendee."))
    with transaction.atomic():
        people = []
        for attendee in attendees:
            person = person_match_or_create(
                name=attendee.get("name", ""),
                email=attendee.get("email", ""),
                mobile=attendee.get("mobile", ""),
                language=language,
                organisation_name=company,
            )
            if any(p.pk == person.pk for p in people):
                raise TrainingError(_("The same person is named twice: %(name)s.") % {"name": person})
            people.append(person)

        session = _lock_session(session_id)
        now = timezone.now()
        _check_bookable(session, now)
        for person in people:
            if not prerequisite_met(person=person, course=session.course):
                raise TrainingError(
                    _("%(name)s must complete the basic course “%(course)s” before booking this class.")
                    % {"name": person, "course": session.course.prerequisite_course}
                )
        already = Signup.objects.filter(session=session, person__in=people, status__in=Signup.ACTIVE_STATUSES)
        if already.exists():
            raise TrainingError(
                _("%(name)s is already signed up for this class.") % {"name": already.select_related("person")[0].person}
            )

        booking = Booking(contact=people[0], company=company.strip(), serial_number=serial_number.strip(), language=language)
        booking.full_clean()
        booking.save()
        consent_record(
            person=people[0], purpose=Consent.Purpose.TRAINING_TERMS, granted=True, source=source,
            text=terms_text, text_version=TERMS_VERSION,
        )

        free = session.capacity - seats_taken(session.pk)
        held = []
        for person in people:
            signup = Signup(session=session, person=person, booking=booking, language=language)
            if free > 0:
                _take_seat(signup, session, now)
                free -= 1
                held.append(signup)
            else:
                signup.status = Signup.Status.WAITING
            signup.full_clean(validate_constraints=False)
            signup.save()
            _notify(signup, {"confirmed": "confirmed", "pending_payment": "held"}.get(signup.status, "waiting"))
        pending = [s for s in held if s.status == Signup.Status.PENDING_PAYMENT]
        if pending:
            from .payments import payment_create

            payment_create(booking=booking, signups=pending)
        _sync_status(session)
    return booking


def signup_create(
    *,
    session_id: int,
    name: str,
    email: str,
    mobile: str = "",
    company: str = "",
    serial_number: str = "",
    language: str = "zh-hans",
    terms_text: str = "",
) -> Signup:
    """Sign up one attendee: a held (or, for a free class, confirmed) seat, or the waiting list."""
    booking = booking_create(
        session_id=session_id,
        attendees=[{"name": name, "email": email, "mobile": mobile}],
        company=company,
        serial_number=serial_number,
        language=language,
        terms_text=terms_text,
    )
    return booking.signups.get()


# The attendee's private links --------------------------------------------------------------------


def _locked_signup_by_token(token: str) -> tuple[Signup, ClassSession]:
    signup = Signup.objects.filter(token=token).only("pk", "session_id").first()
    if signup is None:
        raise TrainingError(_("This link is not valid."))
    session = _lock_session(signup.session_id)
    return Signup.objects.select_for_update().get(pk=signup.pk), session


def signup_cancel(*, token: str) -> Signup:
    """The attendee gives up their seat or waiting-list place; the seat goes to the next in line."""
    with transaction.atomic():
        signup, session = _locked_signup_by_token(token)
        now = timezone.now()
        if signup.status not in Signup.ACTIVE_STATUSES:
            raise TrainingError(_("This sign-up is no longer active."))
        if signup.holds_seat and signup.status != Signup.Status.OFFERED and session.signup_deadline <= now:
            raise TrainingError(_("The deadline for cancelling has passed; please call the service hotline."))
        signup.status = Signup.Status.CANCELLED
        signup.hold_expires_at = signup.offer_expires_at = None
        signup.save(update_fields=["status", "hold_expires_at", "offer_expires_at", "updated_at"])
        _notify(signup, "cancelled")
        _offer_free_seats(session, now)
    return signup


def signup_move(*, token: str, session_id: int) -> Signup:
    """Move a held or confirmed seat to another date of the same course, if that class has room."""
    with transaction.atomic():
        first = Signup.objects.filter(token=token).only("pk", "session_id").first()
        if first is None:
            raise TrainingError(_("This link is not valid."))
        if first.session_id == session_id:
            raise TrainingError(_("You are already booked on this date."))
        sessions = {s.pk: s for s in (_lock_session(pk) for pk in sorted({first.session_id, session_id}))}
        old, new = sessions[first.session_id], sessions[session_id]
        signup = Signup.objects.select_for_update().get(pk=first.pk)
        now = timezone.now()
        if signup.status not in (Signup.Status.PENDING_PAYMENT, Signup.Status.CONFIRMED):
            raise TrainingError(_("Only a held or confirmed seat can be moved."))
        if old.signup_deadline <= now:
            raise TrainingError(_("The deadline for changing this booking has passed; please call the service hotline."))
        if new.course.translation_key != old.course.translation_key:
            raise TrainingError(_("You can only move to another date of the same course."))
        _check_bookable(new, now)
        if Signup.objects.filter(session=new, person_id=signup.person_id, status__in=Signup.ACTIVE_STATUSES).exists():
            raise TrainingError(_("You are already signed up for that date."))
        if seats_taken(new.pk) >= new.capacity:
            raise TrainingError(_("That date is full. Please choose another one."))
        signup.session = new
        signup.save(update_fields=["session", "updated_at"])
        _notify(signup, "moved", str(new.pk))
        _sync_status(new)
        _offer_free_seats(old, now)
    return signup


def offer_accept(*, token: str) -> Signup:
    """Take the seat offered from the waiting list, while the offer lasts."""
    with transaction.atomic():
        signup, session = _locked_signup_by_token(token)
        now = timezone.now()
        if signup.status != Signup.Status.OFFERED or not signup.offer_expires_at or signup.offer_expires_at <= now:
            raise TrainingError(_("This offer has expired or was already answered."))
        if session.status not in BOOKABLE or session.starts_at <= now:
            raise TrainingError(_("This class is not taking sign-ups."))
        _take_seat(signup, session, now)
        signup.save(update_fields=["status", "hold_expires_at", "offer_expires_at", "updated_at"])
        if signup.status == Signup.Status.PENDING_PAYMENT:
            from .payments import payment_create

            payment_create(booking=signup.booking, signups=[signup])
            _notify(signup, "held", "offer")
        else:
            _notify(signup, "confirmed")
        _sync_status(session)
    return signup


def offer_decline(*, token: str) -> Signup:
    with transaction.atomic():
        signup, session = _locked_signup_by_token(token)
        if signup.status != Signup.Status.OFFERED:
            raise TrainingError(_("This offer has expired or was already answered."))
        signup.status = Signup.Status.CANCELLED
        signup.offer_expires_at = None
        signup.save(update_fields=["status", "offer_expires_at", "updated_at"])
        _offer_free_seats(session)
    return signup


# Periodic work -----------------------------------------------------------------------------------


def holds_expire(*, now=None) -> int:
    """Release seats whose payment hold or waiting-list offer ran out, and offer them on. Idempotent."""
    now = now or timezone.now()
    lapsed = Q(status=Signup.Status.PENDING_PAYMENT, hold_expires_at__lte=now) | Q(
        status=Signup.Status.OFFERED, offer_expires_at__lte=now
    )
    session_ids = sorted(set(Signup.objects.filter(lapsed).values_list("session_id", flat=True)))
    expired = 0
    for session_id in session_ids:
        with transaction.atomic():
            session = _lock_session(session_id)
            for signup in Signup.objects.select_for_update().filter(lapsed, session=session):
                signup.status = Signup.Status.EXPIRED
                signup.save(update_fields=["status", "updated_at"])
                _notify(signup, "expired")
                expired += 1
            _offer_free_seats(session, now)
    return expired


def payment_reminders_send(*, now=None) -> int:
    """Remind attendees whose seat is held without payment, a day before the hold ends. Once each."""
    now = now or timezone.now()
    due = Signup.objects.filter(
        status=Signup.Status.PENDING_PAYMENT, hold_expires_at__gt=now, hold_expires_at__lte=now + timedelta(hours=24)
    )
    count = 0
    for signup in due:
        _notify(signup, "payment_reminder", signup.hold_expires_at.isoformat())
        count += 1
    return count


def class_reminders_send(*, now=None) -> int:
    """Remind confirmed attendees two days before their class. Once each (the outbox key)."""
    now = now or timezone.now()
    due = Signup.objects.filter(
        status=Signup.Status.CONFIRMED,
        session__status__in=BOOKABLE,
        session__starts_at__gt=now,
        session__starts_at__lte=now + timedelta(days=2),
    )
    count = 0
    for signup in due:
        _notify(signup, "reminder", str(signup.session_id))
        count += 1
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


# Coordinators ------------------------------------------------------------------------------------


def session_save(*, instance: ClassSession, acting_user) -> ClassSession:
    """Create or edit a class from the admin. More capacity offers seats to the waiting list."""
    creating = instance.pk is None
    if creating and not instance.price and instance.course_id:
        instance.price = instance.course.price
    instance.full_clean()
    with transaction.atomic():
        if not creating:
            _lock_session(instance.pk)
        instance.save()
        log(instance=instance, action="wagtail.create" if creating else "wagtail.edit", user=acting_user)
        if not creating:
            _offer_free_seats(instance)
    return instance


def session_cancel(*, session_id: int, acting_user, reason: str = "", low_attendance: bool = False) -> ClassSession:
    """Cancel a class: every attendee and everyone waiting is told, with other dates of the course."""
    with transaction.atomic():
        session = _lock_session(session_id)
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
            _notify(signup, "session_cancelled", "low" if low_attendance else "")
        log(instance=session, action="training.session_cancel", user=acting_user, data={"reason": session.cancel_reason})
    return session


def signup_cancel_by_staff(*, signup_id: int, acting_user, reason: str = "") -> Signup:
    """A coordinator cancels one attendee's place; the attendee is told and the seat offered on."""
    with transaction.atomic():
        session_id = Signup.objects.values_list("session_id", flat=True).get(pk=signup_id)
        session = _lock_session(session_id)
        signup = Signup.objects.select_for_update().get(pk=signup_id)
        if signup.status not in Signup.ACTIVE_STATUSES:
            raise TrainingError(_("This sign-up is no longer active."))
        signup.status = Signup.Status.CANCELLED
        signup.cancelled_by_staff = True
        signup.hold_expires_at = signup.offer_expires_at = None
        signup.save(update_fields=["status", "cancelled_by_staff", "hold_expires_at", "offer_expires_at", "updated_at"])
        _notify(signup, "cancelled_by_staff")
        log(instance=signup, action="training.signup_cancel", user=acting_user, data={"reason": reason[:300]})
        _offer_free_seats(session)
    return signup


def signup_mark_attendance(*, signup_id: int, attended: bool | None, acting_user) -> Signup:
    """Record on the day whether a confirmed attendee came."""
    with transaction.atomic():
        signup = Signup.objects.select_for_update().get(pk=signup_id)
        if signup.status != Signup.Status.CONFIRMED:
            raise TrainingError(_("Attendance can only be marked for confirmed attendees."))
        if signup.attended is not attended:
            signup.attended = attended
            signup.save(update_fields=["attended", "updated_at"])
            log(instance=signup, action="training.attendance", user=acting_user, data={"attended": attended})
    return signup


def session_complete(*, session_id: int, acting_user) -> ClassSession:
    with transaction.atomic():
        session = _lock_session(session_id)
        if session.status not in BOOKABLE:
            raise TrainingError(_("Only an open or full class can be marked completed."))
        session.status = ClassSession.Status.COMPLETED
        session.save(update_fields=["status"])
        log(instance=session, action="training.session_complete", user=acting_user)
    return session



# Emails ------------------------------------------------------------------------------------------

# An email still worth sending only while the sign-up is in one of these states (a worker may run
# late: an offer already answered, a reminder for a cancelled seat, are dropped).
_STILL_RELEVANT = {
    "offer": (Signup.Status.OFFERED,),
    "payment_reminder": (Signup.Status.PENDING_PAYMENT,),
    "reminder": (Signup.Status.CONFIRMED,),
    "held": (Signup.Status.PENDING_PAYMENT, Signup.Status.CONFIRMED),
    "waiting": (Signup.Status.WAITING, Signup.Status.OFFERED),
}
EMAIL_KINDS = (
    "held", "confirmed", "waiting", "offer", "expired", "cancelled", "moved", "payment_reminder", "reminder",
    "session_cancelled", "cancelled_by_staff",
)


def signup_notify(*, signup_id: int, kind: str, extra: str = ""):
    """Queue the ``kind`` email of a sign-up in the attendee's language. Idempotent per (kind, extra)."""
    from home.services.outbox import outbox_enqueue_template

    from .. import emails
    from ..selectors import course_other_sessions

    if kind not in EMAIL_KINDS:
        raise ValueError(kind)
    signup = Signup.objects.select_related("session__course", "person", "payment", "booking").filter(pk=signup_id).first()
    if signup is None or not signup.person.email:
        return None
    if kind in _STILL_RELEVANT and signup.status not in _STILL_RELEVANT[kind]:
        return None
    others = course_other_sessions(session=signup.session)[:5] if kind == "session_cancelled" else ()
    context = emails.signup_context(signup, kind=kind, other_sessions=others)
    context["low_attendance"] = extra == "low"
    attachments = []
    if kind in emails.ICS_KINDS:
        attachments.append(emails.signup_ics_attachment(
            signup, kind=kind, course_title=context["course"].title, manage_url=context["manage_url"]))
    return outbox_enqueue_template(
        template=f"training/emails/{kind}",
        context=context,
        to_email=signup.person.email,
        language=signup.language,
        kind=f"training.{kind}",
        person=signup.person,
        key=f"training:{kind}:{signup.pk}:{extra}"[:200],
        attachments=attachments,
    )
