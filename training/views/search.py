"""Training's results in the public search: courses, and upcoming classes of the courses found."""

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from home.search.results import Hit, SearchSource, hit_for
from home.selectors import product_lines_active

from .. import selectors


def _line_id(slug):
    if not slug:
        return None
    return next((line.pk for line in product_lines_active() if line.slug == slug), 0)


def search_courses(*, query, language, product_line=""):
    courses = selectors.courses_search(query=query, language=language, product_line_id=_line_id(product_line))
    return [hit_for(c, query, url=c.url, meta=c.product_line.name) for c in courses]


def search_classes(*, query, language, product_line=""):
    courses = selectors.courses_search(query=query, language=language, product_line_id=_line_id(product_line))
    by_key = {c.translation_key: c for c in courses}
    hits = []
    for session in selectors.sessions_upcoming_for_courses(courses=courses):
        course = by_key[session.course.translation_key]
        when = formats.date_format(session.starts_at, "DATETIME_FORMAT")
        hits.append(Hit(title=hit_for(course, query, url="").title, url=course.url,
                        snippet=f"{when} · {session.city}", meta=course.product_line.name))
    return hits


SOURCES = [
    SearchSource(key="courses", label=_("Courses"), order=30, search=search_courses),
    SearchSource(key="classes", label=_("Upcoming classes"), order=40, search=search_classes),
]
