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

from home.search.results import search

from .models import Certificate, ClassSession, CourseLesson, CoursePage, LessonProgress, Signup, city_in_language

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


def courses_live(*, language: str, product_line_id: int | None = None):
    """Live courses of a language (of one product line when given), by title."""
    courses = CoursePage.objects.live().filter(locale__language_code=language).select_related("product_line")
    if product_line_id is not None:
        courses = courses.filter(product_line_id=product_line_id)
    return courses.order_by("title")


def courses_search(*, query: str, language: str, product_line_id: int | None = None, limit: int = 100) -> list:
    """Live courses matching ``query`` (title, summary, outline), best first."""
    return list(search(courses_live(language=language, product_line_id=product_line_id), query)[:limit])


def sessions_upcoming_for_courses(*, courses) -> list:
    """Upcoming classes of these courses (in any of their languages), soonest first."""
    keys = [course.translation_key for course in courses]
    return list(upcoming_sessions().filter(course__translation_key__in=keys, course__live=True))
# A customer's own page (issue 21) -----------------------------------------------------------------


def signups_of_customer(*, person_id: int):
    """Sign-ups a person attends or booked (a colleague booking seats for a company's engineers
    sees them all), newest class first."""
    return (
        Signup.objects.filter(Q(person_id=person_id) | Q(booking__contact_id=person_id))
        .select_related("session__course", "person", "booking", "payment")
        .order_by("-session__starts_at", "pk")
    )


def lesson_keys_done(*, person_id: int, course_keys) -> dict:
    """{course translation_key: set of lesson translation_keys completed} for one person."""
    done = defaultdict(set)
    rows = LessonProgress.objects.filter(person_id=person_id, course_key__in=list(course_keys),
                                         completed_at__isnull=False).values_list("course_key", "lesson_key")
    for course_key, lesson_key in rows:
        done[course_key].add(lesson_key)
    return done


def lesson_positions(*, person_id: int, course_key) -> dict:
    """{lesson translation_key: (last position in seconds, completed)} of one person in one course."""
    rows = LessonProgress.objects.filter(person_id=person_id, course_key=course_key)
    return {row.lesson_key: (row.position_seconds, row.completed_at is not None) for row in rows}


def courses_in_progress(*, person_id: int, language: str):
    """Video courses a person started, in ``language`` where translated, with ``lessons_total`` and
    ``lessons_done``."""
    course_keys = set(LessonProgress.objects.filter(person_id=person_id).values_list("course_key", flat=True))
    if not course_keys:
        return []
    done = lesson_keys_done(person_id=person_id, course_keys=course_keys)
    pages = {}
    for page in CoursePage.objects.live().filter(translation_key__in=course_keys).select_related("locale"):
        if page.translation_key not in pages or page.locale.language_code == language:
            pages[page.translation_key] = page
    keys_by_page = defaultdict(set)
    for page_id, key in CourseLesson.objects.filter(page__in=list(pages.values())).values_list("page_id", "translation_key"):
        keys_by_page[page_id].add(key)
    courses = []
    for course_key, page in pages.items():
        lesson_keys = keys_by_page[page.pk]
        page.lessons_total = len(lesson_keys)
        page.lessons_done = len(lesson_keys & done[course_key])
        courses.append(page)
    return sorted(courses, key=lambda page: page.title)


def course_lessons_context(*, request, course) -> dict:
    """A course page's lessons, and for a signed-in customer which are watched and where they stopped."""
    from home.customers import customer_current

    lessons = list(course.lessons.all())
    person = customer_current(request)
    context = {"lessons": lessons, "learner": person, "watched": set(), "positions": {}}
    if person is None:
        return context
    positions = lesson_positions(person_id=person.pk, course_key=course.translation_key)
    for lesson in lessons:
        lesson.position_seconds, lesson.watched = positions.get(lesson.translation_key, (0, False))
    context["watched"] = {lesson.pk for lesson in lessons if lesson.watched}
    context["lessons_done"] = len(context["watched"])
    return context
