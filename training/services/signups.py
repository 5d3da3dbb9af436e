"""Writes of sign-ups: booking seats, the waiting list and its offers, cancelling and moving, holds,
the coordinators' changes to one sign-up, and the sign-up emails.

Seats are counted and offered with the class's row locked (see ``sessions``).
"""

import hashlib
import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.models import Consent, Person
from home.services.consent import consent_record
from home.services.people import person_match_or_create

from .. import emails
from ..models import Booking, ClassSession, CoursePage, Signup
from ..selectors import course_other_sessions
from . import TrainingError
from .lessons import prerequisite_met
from .payments import payment_create
from .sessions import (
    BOOKABLE,
    CALENDAR_CHANGES,
    check_bookable,
    lock_session,
    lock_sessions_of,
    new_seat_status,
    notify,
    offer_free_seats,
    seats_taken,
    sync_status,
    take_seat,
    unpaid_cap,
    unpaid_held_by,
)

logger = logging.getLogger(__name__)

TERMS_VERSION = "2026-11"


# Signing up --------------------------------------------------------------------------------------


def booker_key(address: str) -> str:
    """A keyed hash of a network address: enough to tell one booker's bookings apart, not to read it."""
    if not address:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), f"training-booker:{address}".encode(), hashlib.sha256).hexdigest()


def booking_create(
    *,
    session_id: int,
    attendees: list[dict],
    company: str = "",
    serial_number: str = "",
    language: str = "zh-hans",
    terms_text: str = "",
    source: str = "training sign-up form",
    booker_address: str = "",
) -> Booking:
    """Sign up one or more attendees (dicts of name, email, mobile) for a class.

    Seats go to attendees in the order given while they last; the others join the waiting list.
    The first attendee is the booking's contact and agrees to the training terms for the booking.
    One booker (the contact, or anyone booking from ``booker_address``) holds at most
    ``unpaid_cap`` seats of a class unpaid; their further attendees join the waiting list.
    Raises ValidationError for an invalid email or mobile, TrainingError when the class cannot be booked.
    """
    if not attendees:
        raise TrainingError(_("Name at least one attendee."))
    with transaction.atomic():
        people: list[Person] = []
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

        session = lock_session(session_id)
        now = timezone.now()
        check_bookable(session, now)
        _expire_lapsed(session, now)
        missing = [person for person in people if not prerequisite_met(person=person, course=session.course)]
        if missing and session.course.prerequisite_policy != CoursePage.PrerequisitePolicy.FLAG:
            raise TrainingError(
                _("%(name)s must first complete the basic course “%(course)s” (all its video lessons, or its "
                  "certificate) before booking this class.")
                % {"name": missing[0], "course": session.course.prerequisite_course}
            )
        already = Signup.objects.filter(session=session, person__in=people, status__in=Signup.ACTIVE_STATUSES)
        if already.exists():
            raise TrainingError(
                _("%(name)s is already signed up for this class.") % {"name": already.select_related("person")[0].person}
            )

        booking = Booking(contact=people[0], company=company.strip(), serial_number=serial_number.strip(),
                          language=language, booker_key=booker_key(booker_address))
        booking.full_clean()
        booking.save()
        consent_record(
            person=people[0], purpose=Consent.Purpose.TRAINING_TERMS, granted=True, source=source,
            text=terms_text, text_version=TERMS_VERSION,
        )

        free = session.capacity - seats_taken(session.pk)
        if new_seat_status(session) == Signup.Status.PENDING_PAYMENT:
            # One booker holds at most a share of the class unpaid; the others wait for a freed seat.
            free = min(free, unpaid_cap(session) - unpaid_held_by(session, booking))
        held = []
        for person in people:
            signup = Signup(session=session, person=person, booking=booking, language=language,
                            prerequisite_missing=person in missing)
            if free > 0:
                take_seat(signup, session, now)
                free -= 1
                held.append(signup)
            else:
                signup.status = Signup.Status.WAITING
            signup.full_clean(validate_constraints=False)
            signup.save()
            notify(signup, {"confirmed": "confirmed", "pending_payment": "held"}.get(signup.status, "waiting"))
        pending = [s for s in held if s.status == Signup.Status.PENDING_PAYMENT]
        if pending:
            payment_create(booking=booking, signups=pending)
        sync_status(session)
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


def _locked_signup(signups) -> tuple[Signup, ClassSession]:
    """The one sign-up of ``signups`` (a queryset), locked after its class, both read under the locks."""
    (session,) = lock_sessions_of(signups).values()
    return signups.select_for_update().get(), session


def _locked_signup_by_token(token: str) -> tuple[Signup, ClassSession]:
    signups = Signup.objects.filter(token=token)
    if not signups.exists():
        raise TrainingError(_("This link is not valid."))
    return _locked_signup(signups)


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
        notify(signup, "cancelled")
        offer_free_seats(session, now)
    return signup


def signup_move(*, token: str, session_id: int) -> Signup:
    """Move a held or confirmed seat to another date of the same course, if that class has room."""
    with transaction.atomic():
        signups = Signup.objects.filter(token=token)
        if not signups.exists():
            raise TrainingError(_("This link is not valid."))
        if not ClassSession.objects.filter(pk=session_id).exists():
            raise TrainingError(_("That date is not offered."))
        locked = lock_sessions_of(signups, also=(session_id,))
        signup = signups.select_for_update().get()
        if signup.session_id == session_id:
            raise TrainingError(_("You are already booked on this date."))
        old, new = locked[signup.session_id], locked[session_id]
        now = timezone.now()
        if signup.status not in (Signup.Status.PENDING_PAYMENT, Signup.Status.CONFIRMED):
            raise TrainingError(_("Only a held or confirmed seat can be moved."))
        if old.signup_deadline <= now:
            raise TrainingError(_("The deadline for changing this booking has passed; please call the service hotline."))
        if new.course.translation_key != old.course.translation_key:
            raise TrainingError(_("You can only move to another date of the same course."))
        check_bookable(new, now)
        if Signup.objects.filter(session=new, person_id=signup.person_id, status__in=Signup.ACTIVE_STATUSES).exists():
            raise TrainingError(_("You are already signed up for that date."))
        if seats_taken(new.pk) >= new.capacity:
            raise TrainingError(_("That date is full. Please choose another one."))
        if (signup.status == Signup.Status.PENDING_PAYMENT and signup.booking_id
                and unpaid_held_by(new, signup.booking) >= unpaid_cap(new)):
            raise TrainingError(_("Your company already holds the most unpaid seats allowed on that date; "
                                  "please pay for them first or choose another date."))
        signup.session = new
        if signup.hold_expires_at:
            signup.hold_expires_at = min(signup.hold_expires_at, new.starts_at)
        signup.save(update_fields=["session", "hold_expires_at", "updated_at"])
        notify(signup, "moved", str(new.pk))
        sync_status(new)
        offer_free_seats(old, now)
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
        take_seat(signup, session, now)
        signup.save(update_fields=["status", "hold_expires_at", "offer_expires_at", "updated_at"])
        if signup.status == Signup.Status.PENDING_PAYMENT:
            payment_create(booking=signup.booking, signups=[signup])
            notify(signup, "held", "offer")
        else:
            notify(signup, "confirmed")
        sync_status(session)
    return signup


def offer_decline(*, token: str) -> Signup:
    with transaction.atomic():
        signup, session = _locked_signup_by_token(token)
        if signup.status != Signup.Status.OFFERED:
            raise TrainingError(_("This offer has expired or was already answered."))
        signup.status = Signup.Status.CANCELLED
        signup.offer_expires_at = None
        signup.save(update_fields=["status", "offer_expires_at", "updated_at"])
        offer_free_seats(session)
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
            session = lock_session(session_id)
            expired += _expire_lapsed(session, now)
            offer_free_seats(session, now)
    return expired


def _expire_lapsed(session: ClassSession, now) -> int:
    """Release this class's lapsed holds and offers (the caller holds its lock). Booking runs this
    too, so a lapsed hold never keeps a seat from someone booking before the periodic sweep."""
    lapsed = Q(status=Signup.Status.PENDING_PAYMENT, hold_expires_at__lte=now) | Q(
        status=Signup.Status.OFFERED, offer_expires_at__lte=now
    )
    count = 0
    for signup in Signup.objects.select_for_update().filter(lapsed, session=session):
        signup.status = Signup.Status.EXPIRED
        signup.save(update_fields=["status", "updated_at"])
        notify(signup, "expired")
        count += 1
    return count


def payment_reminders_send(*, now=None) -> int:
    """Remind attendees whose seat is held without payment, a day before the hold ends. Once each."""
    now = now or timezone.now()
    due = Signup.objects.filter(
        status=Signup.Status.PENDING_PAYMENT, hold_expires_at__gt=now, hold_expires_at__lte=now + timedelta(hours=24)
    )
    count = 0
    for signup in due:
        notify(signup, "payment_reminder", signup.hold_expires_at.isoformat())
        count += 1
    return count


def class_reminders_send(*, now=None) -> int:
    """Remind confirmed attendees the day before their class, with the venue and a map link. Once
    each (the outbox key)."""
    now = now or timezone.now()
    due = Signup.objects.filter(
        status=Signup.Status.CONFIRMED,
        session__status__in=BOOKABLE,
        session__starts_at__gt=now,
        session__starts_at__lte=now + timedelta(days=1),
    )
    count = 0
    for signup in due:
        notify(signup, "reminder", str(signup.session_id))
        count += 1
    return count


def signup_cancel_by_staff(*, signup_id: int, acting_user, reason: str = "") -> Signup:
    """A coordinator cancels one attendee's place; the attendee is told and the seat offered on."""
    with transaction.atomic():
        signup, session = _locked_signup(Signup.objects.filter(pk=signup_id))
        if signup.status not in Signup.ACTIVE_STATUSES:
            raise TrainingError(_("This sign-up is no longer active."))
        signup.status = Signup.Status.CANCELLED
        signup.cancelled_by_staff = True
        signup.hold_expires_at = signup.offer_expires_at = None
        signup.save(update_fields=["status", "cancelled_by_staff", "hold_expires_at", "offer_expires_at", "updated_at"])
        notify(signup, "cancelled_by_staff")
        log(instance=signup, action="training.signup_cancel", user=acting_user, data={"reason": reason[:300]})
        offer_free_seats(session)
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


def session_mark_all_present(*, session_id: int, acting_user) -> int:
    """Mark every confirmed attendee of a class not yet marked as present; returns how many."""
    with transaction.atomic():
        session = lock_session(session_id)
        unmarked = Signup.objects.select_for_update().filter(
            session=session, status=Signup.Status.CONFIRMED, attended__isnull=True)
        count = 0
        for signup in unmarked:
            signup.attended = True
            signup.save(update_fields=["attended", "updated_at"])
            log(instance=signup, action="training.attendance", user=acting_user, data={"attended": True})
            count += 1
    return count


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
        # A calendar change is sent once per SEQUENCE: moving back and forth sends every move.
        key=f"training:{kind}:{signup.pk}:{extra}:{signup.calendar_sequence if kind in CALENDAR_CHANGES else ''}"[:200],
        attachments=attachments,
    )
