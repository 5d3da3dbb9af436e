"""The demo content as every table's rows, so a test that needs it gets it in a second or two instead of
running ``demo_load`` (about 40 s) again.

``take`` reads every table (PostgreSQL: ``COPY ... TO STDOUT``, exact text; SQLite: each column as
``+col``, which SQLite returns as stored, without the declared-type converters); ``restore`` empties every
table and writes the rows back in one transaction (foreign keys checked at its end), then sets the id
sequences and clears the caches that hold ids (content types, Wagtail's site root paths).
``django_migrations`` is left alone, and so is SQLite's FTS5 index: triggers on the search entries'
table keep it.
"""

import re

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import connection, transaction

from home.demo.load import demo_load

_SHADOW = re.compile(r"_(data|idx|content|docsize|config)")  # FTS5's own tables beside a virtual table
_taken: tuple | None = None  # (what demo_load returned, the rows)


def demo() -> dict:
    """Write the demo content into the (empty) test database and return what ``demo_load`` returns.

    The first call of the session runs ``demo_load`` in a transaction (a savepoint inside a test's),
    takes the rows and rolls back; every call then restores them.
    """
    global _taken
    if _taken is None:
        with transaction.atomic():
            loaded = demo_load()
            rows = take()
            transaction.set_rollback(True)
        forget_cached_ids()
        _taken = (loaded, rows)
    restore(_taken[1])
    return dict(_taken[0])


def _tables() -> list[str]:
    names = [name for name in connection.introspection.table_names()
             if name != "django_migrations" and not name.startswith("sqlite_")]
    if connection.vendor == "sqlite":  # the FTS5 index is kept by triggers on its entries' table
        virtual = _virtual_tables()
        names = [name for name in names
                 if not any(name == v or name.startswith(v) and _SHADOW.fullmatch(name[len(v):]) for v in virtual)]
    return names


def _virtual_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
        return {name for (name,) in cursor.fetchall()}


def take() -> dict:
    snapshot = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in _tables():
                with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                    snapshot[table] = b"".join(bytes(block) for block in copy)
            return snapshot
        for table in _tables():
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            cursor.execute(f'SELECT {", ".join(f"+{connection.ops.quote_name(c)}" for c in columns)} FROM "{table}"')
            snapshot[table] = (columns, cursor.fetchall())
    return snapshot


def restore(snapshot: dict) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(f'"{table}"' for table in snapshot))
            for table, data in snapshot.items():
                if data:
                    with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                        copy.write(data)
            models = apps.get_models(include_auto_created=True)
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        else:
            cursor.execute("PRAGMA defer_foreign_keys = ON")
            for table in snapshot:
                cursor.execute(f'DELETE FROM "{table}"')
            for table, (columns, rows) in snapshot.items():
                if rows:
                    names = ", ".join(connection.ops.quote_name(c) for c in columns)
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
    forget_cached_ids()


def forget_cached_ids() -> None:
    ContentType.objects.clear_cache()
    cache.clear()
