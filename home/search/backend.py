"""Wagtail's database search backends with Chinese word segmentation (see ``home.search.segment``).

Wagtail 8 (django-modelsearch) picks SQLite FTS5 or PostgreSQL full-text search by database. Those
backends index the text of each object as given and split queries at spaces. Here each backend is
subclassed so that (1) the indexer passes every indexed value through ``segment.for_index`` and (2)
every query is cut with ``segment.for_query`` before it is compiled. Everything else (ranking with
the title above the body, filters, the admin's page search) is Wagtail's own.

The library builds its indexer inside ``Index.add_items`` with no hook to swap it, so ``add_items``
is repeated here with the segmenting indexer; it is kept line for line with django-modelsearch 1.x.
"""

from django.db import connection
from django.db.models import FloatField, Func
from django.db.models.sql import InsertQuery
from django.utils.encoding import force_str
from modelsearch.backends.database.postgres import postgres
from modelsearch.backends.database.sqlite import sqlite
from modelsearch.query import And, Boost, Not, Or, Phrase, PlainText
from modelsearch.utils import get_content_type_pk

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


class SQLiteIndexer(SegmentingMixin, sqlite.ObjectIndexer):
    pass


class SQLiteIndex(sqlite.SQLiteIndex):
    def add_items(self, model, objs):
        if not model.get_search_fields():
            return
        indexers = [SQLiteIndexer(obj, self.backend) for obj in objs]
        if not indexers:
            return
        content_type_pk = get_content_type_pk(model)
        data = {i.id: (i.title, i.autocomplete, i.body) for i in indexers}
        entries = self.entries.filter(content_type_id=content_type_pk)
        indexed = frozenset(entries.filter(object_id__in=data.keys()).values_list("object_id", flat=True))
        for object_id in indexed:
            title, autocomplete, body = data[object_id]
            entries.filter(object_id=object_id).update(title=title, autocomplete=autocomplete, body=body)
        self.entries.bulk_create([
            sqlite.IndexEntry(content_type_id=content_type_pk, object_id=object_id, title=title,
                              autocomplete=autocomplete, body=body)
            for object_id, (title, autocomplete, body) in data.items() if object_id not in indexed
        ])
        self._refresh_title_norms()


class WeightedBM25(Func):
    """FTS5's bm25() with the title column weighted above the body (columns: autocomplete, body, title).

    The stock backend calls bm25() without weights, so a word in the title counts as much as one in
    the body; PostgreSQL weighs the title higher (weight A), and so does this.
    """

    output_field = FloatField()
    TITLE_WEIGHT = 10.0

    def as_sql(self, compiler, connection, **extra):
        return f"bm25({sqlite.SQLiteFTSIndexEntry._meta.db_table}, 1.0, 1.0, {self.TITLE_WEIGHT})", []


class SQLiteSearchQueryCompiler(sqlite.SQLiteSearchQueryCompiler):
    def build_tsrank(self, vector, query, config=None, boost=1.0):
        if isinstance(query, (Phrase, PlainText, Not)):
            return WeightedBM25() * boost if boost != 1.0 else WeightedBM25()
        return super().build_tsrank(vector, query, config=config, boost=boost)


class SQLiteSearchBackend(SegmentingBackendMixin, sqlite.SQLiteSearchBackend):
    index_class = SQLiteIndex
    query_compiler_class = SQLiteSearchQueryCompiler


class PostgresIndexer(SegmentingMixin, postgres.ObjectIndexer):
    pass


class PostgresIndex(postgres.PostgresIndex):
    def add_items(self, model, objs):
        if not model.get_search_fields():
            return
        indexers = [PostgresIndexer(obj, self.backend) for obj in objs]
        if not indexers:
            return
        IndexEntry = postgres.IndexEntry
        content_type_pk = get_content_type_pk(model)
        compiler = InsertQuery(IndexEntry).get_compiler(connection=self.write_connection)
        rows, params = [], []
        for indexer in indexers:
            params.extend((content_type_pk, indexer.id))
            vectors = []
            for name in ("title", "autocomplete", "body"):
                value = compiler.prepare_value(IndexEntry._meta.get_field(name), getattr(indexer, name))
                sql, value_params = value.as_sql(compiler, self.write_connection)
                vectors.append(sql)
                params.extend(value_params)
            params.extend((indexer.title_text, indexer.body_text))
            rows.append(f"(%s, %s, {vectors[0]}, {vectors[1]}, {vectors[2]}, 1.0, %s, %s)")
        with self.write_connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {IndexEntry._meta.db_table} (content_type_id, object_id, title, autocomplete, body,
                                                         title_norm, title_text, body_text)
                (VALUES {", ".join(rows)})
                ON CONFLICT (content_type_id, object_id)
                DO UPDATE SET title = EXCLUDED.title, title_norm = 1.0, autocomplete = EXCLUDED.autocomplete,
                              body = EXCLUDED.body, title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text
                """,
                params,
            )
        self._refresh_title_norms()


class PostgresSearchBackend(SegmentingBackendMixin, postgres.PostgresSearchBackend):
    index_class = PostgresIndex


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend module
    """The segmenting backend for the default database (SQLite with FTS5, or PostgreSQL)."""
    if connection.vendor == "postgresql":
        return PostgresSearchBackend(params)
    if connection.vendor == "sqlite":
        return SQLiteSearchBackend(params)
    raise NotImplementedError(f"Chinese search needs SQLite or PostgreSQL, not {connection.vendor}.")
