"""Reads of training: the catalogue with seats left, rosters, fill rates and waiting lists, and
certificates. The only module of training that other apps import (care sees a customer's sign-ups
and certificates here).

Class sessions point at one course page; its translations share a ``translation_key``, so a course
page in any language shows the same classes.
"""

from collections import defaultdict

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from wagtail.models import Locale

from .models import Certificate, ClassSession, CoursePage, Signup, city_in_language

BOOKABLE = (ClassSession.Status.OPEN, ClassSession.Status.FULL)


def sessions_with_figures():
    """Classes annotated with ``seats_taken``, ``confirmed``, ``waiting`` and ``seats_left``."""
    return (
        ClassSession.objects.select_related("course")
        .annotate(
            seats_taken=Count("signups", filter=Q(signups__status__in=Signup.SEAT_STATUSES)),
            confirmed=Count("signups", filter=Q(signups__status=Signup.Status.CONFIRMED)),
            waiting=Count("signups", filter=Q(signups__status=Signup.Status.WAITING)),
        )
        .annotate(seats_left=F("capacity") - F("seats_taken"))
    )


def course_titles(*, course_ids, language: str) -> dict[int, str]:
    """Course titles in ``language`` (the live translation, otherwise the page's own), by course id. Two queries."""
    courses = list(CoursePage.objects.filter(pk__in=set(course_ids)).values("pk", "title", "translation_key"))
    translated = dict(
        CoursePage.objects.live()
        .filter(translation_key__in={c["translation_key"] for c in courses}, locale__language_code=language)
        .values_list("translation_key", "title")
    )
    return {c["pk"]: translated.get(c["translation_key"], c["title"]) for c in courses}


def upcoming_sessions(*, now=None):
    """Classes still taking sign-ups, soonest first."""
    now = now or timezone.now()
    return sessions_with_figures().filter(status__in=BOOKABLE, signup_deadline__gt=now).order_by("starts_at", "pk")


def session_cities():
    """Cities of the classes still taking sign-ups, named in the active language."""
    pairs = upcoming_sessions().values_list("city", "city_en").distinct()
    return sorted({city_in_language(city, city_en) for city, city_en in pairs})


def course_upcoming_sessions(*, course):
    return list(upcoming_sessions().filter(course__translation_key=course.translation_key))


def course_other_sessions(*, session):
    """Other dates of the same course that still have seats (offered when a class is cancelled)."""
    return (
        upcoming_sessions()
        .filter(course__translation_key=session.course.translation_key, seats_left__gt=0)
        .exclude(pk=session.pk)
    )


def catalogue_courses(*, catalog, product_line=None, level="", city="", month=None, **_ignored):
    """Live courses of a catalogue, each with ``upcoming`` classes (filtered by city and month).

    With a city or month filter, only courses with a matching class are listed. Two queries.
    """
    courses = CoursePage.objects.live().child_of(catalog).select_related("product_line").order_by(
        "product_line__sort_order", "level", "title"
    )
    if product_line:
        courses = courses.filter(product_line=product_line)
    if level:
        courses = courses.filter(level=level)
    courses = list(courses)
    sessions = upcoming_sessions().filter(course__translation_key__in=[c.translation_key for c in courses])
    if city:
        sessions = sessions.filter(Q(city=city) | Q(city_en=city))
    if month:
        sessions = sessions.filter(starts_at__year=month.year, starts_at__month=month.month)
    by_course = defaultdict(list)
    for session in sessions:
        by_course[session.course.translation_key].append(session)
    for course in courses:
        course.upcoming = by_course.get(course.translation_key, [])
    if city or month:
        courses = [c for c in courses if c.upcoming]
    return courses


def upcoming_for_home(*, limit: int = 5):
    return list(upcoming_sessions().filter(course__live=True)[:limit])


def signup_by_token(token: str):
    """The sign-up a private link names, or None. Tokens are compared whole, never by prefix."""
    if not token or len(token) > 64:
        return None
    return Signup.objects.select_related("session__course", "person", "booking", "payment").filter(token=token).first()


def session_roster(*, session_id: int):
    """Who is coming to a class (confirmed and held seats first), with contact details."""
    order = {Signup.Status.CONFIRMED: 0, Signup.Status.PENDING_PAYMENT: 1, Signup.Status.OFFERED: 2,
             Signup.Status.WAITING: 3}
    signups = list(
        Signup.objects.filter(session_id=session_id, status__in=Signup.ACTIVE_STATUSES)
        .select_related("person__organisation", "booking", "payment")
        .order_by("created_at", "pk")
    )
    signups.sort(key=lambda s: order[s.status])
    return signups


ROSTER_COLUMNS = ["name", "email", "mobile", "company", "serial_number", "status", "paid", "attended", "booking"]


def roster_rows(*, session_id: int) -> list[dict]:
    """The roster as plain rows, for CSV, JSON and the print view."""
    return [
        {
            "name": s.person.name,
            "email": s.person.email,
            "mobile": s.person.mobile,
            "company": (s.booking.company if s.booking else "") or (s.person.organisation.name if s.person.organisation else ""),
            "serial_number": s.booking.serial_number if s.booking else "",
            "status": s.status,
            "paid": bool(s.payment and s.payment.status == "paid"),
            "attended": s.attended,
            "booking": s.booking.reference if s.booking else "",
        }
        for s in session_roster(session_id=session_id)
    ]


def course_figures():
    """Per course: classes, seats offered, seats taken, fill rate, waiting list. Four queries."""
    per_course = (
        ClassSession.objects.exclude(status=ClassSession.Status.CANCELLED)
        .values("course__translation_key")
        .annotate(classes=Count("pk"), capacity=Sum("capacity"))
    )
    signups = (
        Signup.objects.exclude(session__status=ClassSession.Status.CANCELLED)
        .values("session__course__translation_key")
        .annotate(
            taken=Count("pk", filter=Q(status__in=Signup.SEAT_STATUSES)),
            confirmed=Count("pk", filter=Q(status=Signup.Status.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=Signup.Status.WAITING)),
        )
    )
    counts = {row["session__course__translation_key"]: row for row in signups}
    active = Locale.get_active().pk
    titles = {}
    for key, locale_id, title in CoursePage.objects.filter(
        translation_key__in=[r["course__translation_key"] for r in per_course]
    ).values_list("translation_key", "locale_id", "title"):
        if key not in titles or locale_id == active:
            titles[key] = title
    rows = []
    for row in per_course:
        key = row["course__translation_key"]
        c = counts.get(key, {})
        taken = c.get("taken", 0)
        rows.append({
            "course": titles.get(key, ""),
            "classes": row["classes"],
            "capacity": row["capacity"] or 0,
            "taken": taken,
            "confirmed": c.get("confirmed", 0),
            "waiting": c.get("waiting", 0),
            "fill_rate": round(100 * taken / row["capacity"]) if row["capacity"] else 0,
        })
    return sorted(rows, key=lambda r: r["course"])


def signups_for_people(*, person_ids):
    """These people's training sign-ups, newest first (for the care team's customer timeline)."""
    return (
        Signup.objects.filter(person_id__in=list(person_ids))
        .select_related("session__course", "person")
        .order_by("-created_at")
    )


def signups_for_person(*, person_id: int):
    """One person's training sign-ups, newest first (the care call screen's list)."""
    return signups_for_people(person_ids=[person_id])


# Certificates --------------------------------------------------------------------------------------


def _valid_on(day):
    return Q(status=Certificate.Status.VALID) & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))


def certificates_valid_for_organisation(*, organisation_id: int):
    """Valid certificates (not revoked, not lapsed) held by the staff of one customer organisation,
    with holder and product line loaded, grouped by product line then holder.

    Answers "which of this customer's engineers are certified, for which product lines".
    """
    return (
        Certificate.objects.filter(_valid_on(timezone.localdate()), person__organisation_id=organisation_id)
        .select_related("person", "product_line")
        .order_by("product_line__sort_order", "product_line__slug", "holder_name", "-issued_on", "pk")
    )


def certificates_for_person(*, person_id: int):
    """Every certificate one person holds, newest first (for a data-rights request or the care view)."""
    return Certificate.objects.filter(person_id=person_id).select_related("product_line").order_by("-issued_on", "-pk")


def certificate_find(*, number: str):
    """The certificate with exactly this number, or None."""
    return Certificate.objects.filter(number=number).select_related("product_line").first()


def sessions_upcoming_for_course(*, course):
    """Open classes of a course (in any of its languages) still taking sign-ups, soonest first."""
    pages = course.get_translations(inclusive=True)
    return (
        ClassSession.objects.filter(course__in=pages, status=ClassSession.Status.OPEN, signup_deadline__gt=timezone.now())
        .order_by("starts_at", "pk")
    )
