"""Rendering pieces of training emails: the context of a sign-up email and its iCalendar invitation.

Pure functions: nothing here sends or enqueues (see ``services.signups.signup_notify``).
"""

from datetime import timedelta
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar, Event, vCalAddress, vText
from wagtail.models import Locale

from home.emails import absolute_url, attachment

from .models import city_in_language

# Which emails carry an invitation; those that withdraw it.
ICS_KINDS = ("confirmed", "moved", "reminder", "held", "cancelled", "session_cancelled", "cancelled_by_staff", "expired")
ICS_CANCEL_KINDS = ("cancelled", "session_cancelled", "cancelled_by_staff", "expired")


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


def map_url(session) -> str:
    """A map search for the class's venue (``TRAINING_MAP_URL`` with ``{query}``; AMap by default)."""
    template = getattr(settings, "TRAINING_MAP_URL", "https://uri.amap.com/search?keyword={query}")
    return template.format(query=quote(f"{session.city} {session.venue}"))


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
        "map_url": map_url(session),
        "payment": payment,
        "starts_at": timezone.localtime(session.starts_at),
        "ends_at": timezone.localtime(session.ends_at),
        "other_sessions": [
            {"session": other, "starts_at": timezone.localtime(other.starts_at)} for other in other_sessions
        ],
    }


def signup_ics(signup, *, kind: str, course_title: str, manage_url: str) -> bytes:
    """The attendee's invitation to their class: one UID per sign-up for its whole life, SEQUENCE
    raised on every change (``Signup.calendar_sequence``), METHOD:REQUEST for a new or changed class
    and METHOD:CANCEL when it is cancelled, STATUS TENTATIVE until the seat is paid (RFC 5546)."""
    session = signup.session
    cancelled = kind in ICS_CANCEL_KINDS
    if cancelled:
        status = "CANCELLED"
    else:
        status = "CONFIRMED" if signup.status == signup.Status.CONFIRMED else "TENTATIVE"
    host = urlsplit(settings.BASE_URL).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Care & Journal//Training//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"training-signup-{signup.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("sequence", signup.calendar_sequence)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at if session.ends_at > session.starts_at else session.starts_at + timedelta(hours=8))
    event.add("summary", course_title)
    event["location"] = vText(f"{session.venue}, {city_in_language(session.city, session.city_en, signup.language)}")
    event.add("description", f"{manage_url}\n{map_url(session)}")
    event.add("url", manage_url)
    event.add("status", status)
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.rpartition('<')[2].rstrip('>')}")
    organizer.params["cn"] = vText(course_title)
    event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{signup.person.email}")
    attendee.params["cn"] = vText(str(signup.person))
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def signup_ics_attachment(signup, *, kind: str, course_title: str, manage_url: str) -> dict:
    return attachment("training.ics", signup_ics(signup, kind=kind, course_title=course_title, manage_url=manage_url),
                      "text/calendar")
