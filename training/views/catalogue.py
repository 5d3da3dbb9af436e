"""Public views of the catalogue. The catalogue and course pages themselves are Wagtail pages
(``models.catalogue``); here is the home page's box of upcoming classes."""

from django.utils import timezone
from django.utils.translation import get_language

from ..emails import course_in_language
from ..models import CatalogPage
from ..selectors import upcoming_for_home


def site_language() -> str:
    """The language a visitor reads the site in: English or Chinese."""
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


def home_section(request, page) -> dict:
    """The home page's "upcoming classes" box, in the home page's language."""
    language = page.locale.language_code if getattr(page, "locale_id", None) else site_language()
    catalog = CatalogPage.objects.live().descendant_of(page).first()
    items = []
    for session in upcoming_for_home(limit=5):
        course = course_in_language(session.course, language)
        items.append({"session": session, "title": course.title, "url": course.get_url(request),
                      "starts_at": timezone.localtime(session.starts_at)})
    return {"template": "training/includes/home_section.html", "sessions": items,
            "catalog_url": catalog.get_url(request) if catalog else ""}
