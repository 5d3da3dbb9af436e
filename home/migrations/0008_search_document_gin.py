"""A GIN index on the whole text of a search index entry, ``(title || body)``, on PostgreSQL.

The search (``home.search.postgres``) matches ``(title || body) @@ query``; the library indexes the
title and the body separately, which a match on both together cannot use. Nothing on SQLite (FTS5
has its own index).
"""

from django.db import migrations

INDEX = "home_search_document_gin"
TABLE = "wagtailsearch_indexentry"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} USING gin ((title || body))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0007_clean_stored_names"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
