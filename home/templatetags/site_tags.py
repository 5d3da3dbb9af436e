from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from home.emails import absolute_url as _absolute_url

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """One link per language to this page in that language (its translation, for a Wagtail page)."""
    request = context.get("request")
    page = context.get("page")
    current = get_language()
    translations = {}
    if page is not None and getattr(page, "pk", None) and hasattr(page, "get_translations"):
        for translation in page.get_translations(inclusive=True).live().select_related("locale"):
            translations[translation.locale.language_code] = translation.get_url(request)
    links = []
    for code, name in settings.LANGUAGES:
        url = translations.get(code)
        if url is None and request is not None:
            url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": name, "url": url or f"/{code}/", "current": code == current})
    return links


@register.filter
def absolute_url(path):
    return _absolute_url(str(path))
