"""The PostgreSQL search backend with Chinese word segmentation (see ``home.search.backend``)."""

from django.contrib.postgres.search import SearchRank, SearchVectorField
from django.db.models import F
from django.db.models.expressions import Expression
from django.db.models.sql import InsertQuery
from modelsearch.backends.database.postgres import postgres
from modelsearch.utils import get_content_type_pk, get_descendants_content_types_pks

from .backend import RankedResultsMixin, RankedSearchMixin, SegmentingBackendMixin, SegmentingMixin


class SearchDocument(Expression):
    """An index entry's ``search_document``: ``title || body`` stored by PostgreSQL and GIN-indexed
    (migration ``home.0009_search_document_gin``); a column the library's model does not declare."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()  # the entries' table, or its alias in a subquery
        return f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name('search_document')}", []


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


class PostgresSearchQueryCompiler(RankedSearchMixin, postgres.PostgresSearchQueryCompiler):
    """``search_document @@ query`` on the index entries, through its GIN index, ranked with ts_rank
    (the title weighted above the body) over the matching entries of the searched rows only, best
    ``LIMIT`` first (``RankedSearchMixin``)."""

    def matching_entries(self, config):
        return postgres.IndexEntry._default_manager.annotate(_document=SearchDocument()).filter(
            _document=self.build_tsquery(self.query, config=config),
            content_type_id__in=get_descendants_content_types_pks(self.queryset.model),
        ).filter(self.is_searched_row())

    def ranked_entries(self, config):
        query = self.build_tsquery(self.query, config=config)
        return self.matching_entries(config).annotate(_rank=SearchRank(F("_document"), query, weights=self.sql_weights))


class PostgresSearchResults(RankedResultsMixin, postgres.PostgresSearchResults):
    pass


class PostgresSearchBackend(SegmentingBackendMixin, postgres.PostgresSearchBackend):
    index_class = PostgresIndex
    query_compiler_class = PostgresSearchQueryCompiler
    results_class = PostgresSearchResults
