"""What the public search shows: sources of results registered by the feature apps, and hits.

Each feature app registers a ``SearchSource`` per kind of result in ``AppConfig.ready()``; the
search page asks every source and groups the hits by kind, in the sources' order.
"""

from dataclasses import dataclass, field

from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from wagtail.search import index
from wagtail.search.backends import get_search_backend

from . import segment


@dataclass
class Hit:
    title: str
    url: str
    snippet: str = ""
    meta: str = ""


@dataclass
class SearchSource:
    key: str
    label: object  # a lazy translation
    order: int
    # search(query=, language=, product_line=) -> list[Hit], best first
    search: object
    # suggest(language=, product_line=) -> list[Hit]: shown when nothing is found; optional
    suggest: object = None
    hits: list = field(default_factory=list)


def indexed_text(obj) -> str:
    """The plain text of an object's indexed fields other than the title (for snippets)."""
    parts = []
    for search_field in obj.get_search_fields():
        if isinstance(search_field, index.SearchField) and search_field.field_name != "title":
            parts.extend(_flatten(search_field.get_value(obj)))
    return " ".join(strip_tags(str(p)) for p in parts if p)


def _flatten(value):
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _flatten(item)
    elif isinstance(value, dict):
        yield from _flatten(list(value.values()))
    elif value is not None:
        yield value


def hit_for(obj, query: str, *, url: str, meta: str = "", text: str | None = None) -> Hit:
    """A hit for an indexed object: its title highlighted, and a highlighted snippet of its text."""
    text = indexed_text(obj) if text is None else text
    return Hit(
        title=mark_safe(segment.highlight(str(getattr(obj, "title", obj)), query, width=200)),  # noqa: S308 - escaped
        url=url,
        snippet=mark_safe(segment.highlight(text, query)),  # noqa: S308 - escaped by highlight()
        meta=meta,
    )


def search(queryset, query: str, *, operator: str | None = None):
    """Search within the rows of ``queryset`` (pages or any indexed model), best match first.

    The database backends (``home.search.backend``) take any queryset. Elasticsearch refuses filters
    on fields not declared as ``FilterField`` (such as locale__language_code): for it the rows are
    passed as ``pk IN (subquery)``.
    """
    backend = get_search_backend()
    if not getattr(backend, "filters_in_sql", False):
        queryset = queryset.model._default_manager.filter(pk__in=queryset.order_by().values("pk"))
    return backend.search(query, queryset, operator=operator)
