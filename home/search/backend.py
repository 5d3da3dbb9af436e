"""Wagtail's database search backends with Chinese word segmentation (see ``home.search.segment``).

Wagtail 8 (django-modelsearch) picks SQLite FTS5 or PostgreSQL full-text search by database. Those
backends index the text of each object as given and split queries at spaces. Here each backend is
subclassed so that (1) the indexer passes every indexed value through ``segment.for_index`` and (2)
every query is cut with ``segment.for_query`` before it is compiled; (3) a search of words runs as
one ranked full-text query with ``LIMIT`` (``RankedSearchMixin``). Everything else (NOT queries,
autocomplete, the admin's page search screens) is Wagtail's own.

The library builds its indexer inside ``Index.add_items`` with no hook to swap it, so ``add_items``
is repeated (in ``home.search.sqlite`` and ``home.search.postgres``) with the segmenting indexer,
kept step for step with django-modelsearch 1.x. Each module is imported only for its own database:
django-modelsearch's SQLite module cannot be imported on PostgreSQL.
"""

from collections import OrderedDict

from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import Cast
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


def _positive(query) -> bool:
    """Words and phrases combined with AND/OR only (no NOT, boost or fuzzy): the ranked fast path."""
    if isinstance(query, (PlainText, Phrase)):
        return bool(query.query_string.split())
    if isinstance(query, (And, Or)):
        return all(_positive(q) for q in query.subqueries)
    return False


class RankedSearchMixin:
    """One full-text query does the work: it matches the index entries (through the database's
    full-text index), keeps those of the searched rows, ranks them and returns the best ``LIMIT``;
    the objects are then loaded by primary key. (The stock backends rank every row of the searched
    queryset, SQLite with one correlated subquery per row.)

    A backend compiler provides ``matching_entries(config)``, the index entries of the searched rows
    matching the query, ``ranked_entries(config)``, the same annotated ``_rank`` (best first by
    ``RANK_ORDER``), and ``OBJECT_ID``, the entry's object id lookup. Queries with NOT, boosts or
    fuzzy matching, and searches of named fields, keep the library's path.
    """

    OBJECT_ID = "object_id"
    RANK_ORDER = "-_rank"

    def fast_path(self) -> bool:
        return self.fields is None and _positive(self.query)

    def check(self):
        """The database filters the searched rows in SQL, so any filter of the queryset works (the library
        asks for ``FilterField`` declarations, which only the Elasticsearch backends need)."""
        if self.fields is not None:
            super().check()

    def object_pk(self, object_id):
        """The index's object id (text) as the searched model's primary key."""
        pk = self.queryset.model._meta.pk
        pk = pk.target_field if pk.is_relation else pk
        return Cast(object_id, output_field=type(pk)(primary_key=True))

    def is_searched_row(self):
        """The entry's object is one of the searched rows: ``EXISTS``, so it is checked for the matching
        entries only (not by listing every searched row first)."""
        return Exists(self.queryset.filter(pk=self.object_pk(OuterRef(self.OBJECT_ID))))

    def matching_entries(self, config):
        raise NotImplementedError

    def ranked_entries(self, config):
        raise NotImplementedError

    def matching_queryset(self, config):
        """The searched rows that match, unordered (for counts and facets)."""
        entries = self.matching_entries(config).annotate(_pk=self.object_pk(self.OBJECT_ID))
        return self.queryset.filter(pk__in=entries.values("_pk"))

    def search(self, config, start, stop, score_field=None, **kwargs):
        if not self.fast_path():
            return super().search(config, start, stop, score_field=score_field, **kwargs)
        if not self.order_by_relevance:
            queryset = self.matching_queryset(config)
            return (queryset if queryset.query.order_by else queryset.order_by("-pk"))[start:stop]
        ranked = list(
            self.ranked_entries(config).order_by(self.RANK_ORDER, "-" + self.OBJECT_ID)
            .values_list(self.OBJECT_ID, "_rank")[start:stop]
        )
        to_pk = self.queryset.model._meta.pk.to_python
        objects = self.queryset.in_bulk([to_pk(object_id) for object_id, _rank in ranked])
        results = []
        for object_id, rank in ranked:
            obj = objects.get(to_pk(object_id))
            if obj is not None:  # deleted since it was indexed
                if score_field:
                    setattr(obj, score_field, rank)
                results.append(obj)
        return results


class RankedResultsMixin:
    """Search results of a ``RankedSearchMixin`` compiler: counted and faceted without ranking."""

    def _fast(self) -> bool:
        return isinstance(self.query_compiler, RankedSearchMixin) and self.query_compiler.fast_path()

    def _do_count(self):
        compiler = self.query_compiler
        if not self._fast():
            return super()._do_count()
        return compiler.matching_queryset(compiler.get_config(self.backend)).count()

    def facet(self, field_name):
        compiler = self.query_compiler
        if not self._fast():
            return super().facet(field_name)
        if compiler._get_filterable_field(field_name) is None:
            return super().facet(field_name)  # raises the library's FilterFieldError
        rows = (compiler.matching_queryset(compiler.get_config(self.backend))
                .values(field_name).annotate(count=Count("pk")).order_by("-count"))
        return OrderedDict((row[field_name], row["count"]) for row in rows)


class SegmentingBackendMixin:
    filters_in_sql = True  # any queryset can be searched (RankedSearchMixin.check)

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
