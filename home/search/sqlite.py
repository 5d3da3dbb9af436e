"""The SQLite FTS5 search backend with Chinese word segmentation (see ``home.search.backend``)."""

from django.db.models import FloatField, Func
from modelsearch.backends.database.sqlite import query as sqlite_query
from modelsearch.backends.database.sqlite import sqlite
from modelsearch.query import Not, Phrase, PlainText
from modelsearch.utils import get_content_type_pk, get_descendants_content_types_pks

from .backend import RankedResultsMixin, RankedSearchMixin, SegmentingBackendMixin, SegmentingMixin


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


class SQLiteSearchQueryCompiler(RankedSearchMixin, sqlite.SQLiteSearchQueryCompiler):
    """One FTS5 ``MATCH`` ranked by bm25() (lower is better) with ``LIMIT`` (``RankedSearchMixin``)."""

    OBJECT_ID = "index_entry__object_id"
    RANK_ORDER = "_rank"

    def matching_entries(self, config):
        match = sqlite_query.MatchExpression(self.FTS_TABLE_FIELDS, self.build_search_query(self.query, config=config))
        return sqlite.SQLiteFTSIndexEntry.objects.filter(
            match,
            index_entry__content_type_id__in=get_descendants_content_types_pks(self.queryset.model),
        ).filter(self.is_searched_row())

    def ranked_entries(self, config):
        return self.matching_entries(config).annotate(_rank=WeightedBM25())

    def build_tsrank(self, vector, query, config=None, boost=1.0):
        if isinstance(query, (Phrase, PlainText, Not)):
            return WeightedBM25() * boost if boost != 1.0 else WeightedBM25()
        return super().build_tsrank(vector, query, config=config, boost=boost)


class SQLiteSearchResults(RankedResultsMixin, sqlite.SQLiteSearchResults):
    pass


class SQLiteSearchBackend(SegmentingBackendMixin, sqlite.SQLiteSearchBackend):
    index_class = SQLiteIndex
    query_compiler_class = SQLiteSearchQueryCompiler
    results_class = SQLiteSearchResults
