"""Subscriber import throughput against PostgreSQL ``COPY`` of the same file, in the same run.

Generates a CSV of N rows (email, name, company, language, product_lines), loads it once with
``COPY ... FROM STDIN`` into a temporary table (the ceiling), then imports it with the service the
command and the admin use (``newsletter.services.imports.subscribers_import``). Both run inside a
transaction that is rolled back, so the database is left as it was; the import checks its deferred foreign
keys itself (``SET CONSTRAINTS ALL IMMEDIATE``), so the time includes what a commit would add. Prints JSON.
The machine is shared: compare the two figures of one run, and run it more than once.

    DATABASE_URL=postgres://... .venv/bin/python bench/import_subscribers.py [ROWS]   (default 100000)

The script migrates the database and adds the demo product lines the file names, if missing.
"""

import csv
import io
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
TARGET_ROWS_PER_S = 10_000


def make_csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "company", "language", "product_lines"])
    lines = ["pc", "hosting", "firewall;mail", ""]
    for i in range(rows):
        writer.writerow([f"bench-{i}@example.com", f"读者{i}", f"公司{i % 500}", "zh-hans" if i % 3 else "en",
                         lines[i % len(lines)]])
    return out.getvalue().encode("utf-8")


class Rollback(Exception):
    pass


def main():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from home.demo.pages import _product_lines
    from newsletter.services.imports import subscribers_import

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    _product_lines()
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    data = make_csv(rows)

    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("CREATE TEMPORARY TABLE bench_import (email text, name text, company text, "
                               "language text, product_lines text)")
                started = time.perf_counter()
                with cursor.copy("COPY bench_import FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                    copy.write(data)
                copy_seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        with transaction.atomic():
            started = time.perf_counter()
            report = subscribers_import(stream=data, source="bench.csv")
            import_seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    print(json.dumps({
        "rows": rows,
        "imported": report.created + report.updated,
        "rejected": len(report.rejected),
        "import_seconds": round(import_seconds, 3),
        "import_rows_per_s": round(rows / import_seconds),
        "copy_seconds": round(copy_seconds, 3),
        "copy_rows_per_s": round(rows / copy_seconds),
        "import_vs_copy": round(copy_seconds / import_seconds, 4),
        "target_rows_per_s": TARGET_ROWS_PER_S,
        "meets_target": rows / import_seconds >= TARGET_ROWS_PER_S,
        "peak_rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
