"""Rendering pieces of training emails: the context of a sign-up email and its iCalendar invitation.

Pure functions: nothing here sends or enqueues (see ``services.signups.signup_notify``).
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar, Event, vText
from wagtail.models import Locale

from home.emails import absolute_url, attachment

# Which emails carry an invitation, and in which state.
ICS_KINDS = {"confirmed": "CONFIRMED", "moved": "CONFIRMED", "reminder": "CONFIRMED", "held": "TENTATIVE",
             "cancelled": "CANCELLED", "session_cancelled": "CANCELLED", "cancelled_by_staff": "CANCELLED",
             "expired": "CANCELLED"}


def course_in_language(course, language: str):
    """The translation of a course page in ``language``, or the page itself."""
    locale = Locale.objects.filter(language_code=language).first()
    if locale and course.locale_id != locale.pk:
        translated = course.get_translation_or_none(locale)
        if translated is not None and translated.live:
            return translated
    return course


def signup_url(signup, language: str) -> str:
    with translation.override(language):
        return absolute_url(reverse("training:signup_manage", kwargs={"token": signup.token}))


def signup_context(signup, *, kind: str, other_sessions=()) -> dict:
    session = signup.session
    course = course_in_language(session.course, signup.language)
    payment = signup.payment if signup.status == signup.Status.PENDING_PAYMENT else None
    return {
        "kind": kind,
        "signup": signup,
        "session": session,
        "course": course,
        "course_url": absolute_url(course.get_url() or "/"),
        "manage_url": signup_url(signup, signup.language),
        "payment": payment,
        "starts_at": timezone.localtime(session.starts_at),
        "ends_at": timezone.localtime(session.ends_at),
        "other_sessions": [
            {"session": other, "starts_at": timezone.localtime(other.starts_at)} for other in other_sessions
        ],
    }


def signup_ics(signup, *, kind: str, course_title: str, manage_url: str) -> bytes:
    """An iCalendar invitation for the attendee's class (cancelled ones carry METHOD:CANCEL)."""
    session = signup.session
    status = ICS_KINDS.get(kind, "CONFIRMED")
    host = urlsplit(settings.BASE_URL).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Care & Journal//Training//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if status == "CANCELLED" else "PUBLISH")
    event = Event()
    event.add("uid", f"training-signup-{signup.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("sequence", int(timezone.now().timestamp()) // 60)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at if session.ends_at > session.starts_at else session.starts_at + timedelta(hours=8))
    event.add("summary", course_title)
    event["location"] = vText(f"{session.venue}, {session.city}")
    event.add("description", manage_url)
    event.add("url", manage_url)
    event.add("status", status)
    calendar.add_component(event)
    return calendar.to_ical()


def signup_ics_attachment(signup, *, kind: str, course_title: str, manage_url: str) -> dict:
    return attachment("training.ics", signup_ics(signup, kind=kind, course_title=course_title, manage_url=manage_url),
                      "text/calendar")
