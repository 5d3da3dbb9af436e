"""Wagtail's database search backends with Chinese word segmentation (see ``home.search.segment``).

Wagtail 8 (django-modelsearch) picks SQLite FTS5 or PostgreSQL full-text search by database. Those
backends index the text of each object as given and split queries at spaces. Here each backend is
subclassed so that (1) the indexer passes every indexed value through ``segment.for_index`` and (2)
every query is cut with ``segment.for_query`` before it is compiled. Everything else (ranking with
the title above the body, filters, the admin's page search) is Wagtail's own.

The library builds its indexer inside ``Index.add_items`` with no hook to swap it, so ``add_items``
is repeated (in ``home.search.sqlite`` and ``home.search.postgres``) with the segmenting indexer,
kept step for step with django-modelsearch 1.x. Each module is imported only for its own database:
django-modelsearch's SQLite module cannot be imported on PostgreSQL.
"""

from django.db import connection
from django.utils.encoding import force_str
from modelsearch.query import And, Boost, Not, Or, Phrase, PlainText

from . import segment


class SegmentingMixin:
    def prepare_value(self, value):
        if isinstance(value, (list, dict)):
            return super().prepare_value(value)
        return segment.for_index(force_str(value))


def segmented_query(query):
    """The query (a string or a parsed query) with its text cut into words."""
    if isinstance(query, str):
        return segment.for_query(query)
    if isinstance(query, PlainText):
        return PlainText(segment.for_query(query.query_string), operator=query.operator)
    if isinstance(query, Phrase):
        return Phrase(segment.for_query(query.query_string))
    if isinstance(query, (And, Or)):
        return type(query)([segmented_query(q) for q in query.subqueries])
    if isinstance(query, Not):
        return Not(segmented_query(query.subquery))
    if isinstance(query, Boost):
        return Boost(segmented_query(query.subquery), query.boost)
    return query


class SegmentingBackendMixin:
    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        return super()._search(query_compiler_class, segmented_query(query), model_or_queryset, **kwargs)


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend module
    """The segmenting backend for the default database (SQLite with FTS5, or PostgreSQL)."""
    if connection.vendor == "postgresql":
        from .postgres import PostgresSearchBackend

        return PostgresSearchBackend(params)
    if connection.vendor == "sqlite":
        from .sqlite import SQLiteSearchBackend

        return SQLiteSearchBackend(params)
    raise NotImplementedError(f"Chinese search needs SQLite or PostgreSQL, not {connection.vendor}.")
