"""Subscriber import throughput against PostgreSQL ``COPY`` of the same file, in the same run.

Generates a CSV of N rows (email, name, company, language, product_lines), loads it with
``COPY ... FROM STDIN`` into a temporary table (the ceiling), then imports it with the service the
command and the admin use (``newsletter.services.imports.subscribers_import``), as its dry run: the
whole import in its own transaction, rolled back at the end, so the database is left as it was (the admin
runs the same for its preview). The import checks its deferred foreign keys itself (``SET CONSTRAINTS ALL
IMMEDIATE``), so the time includes what a commit would add; committing instead measured no slower. COPY
runs in a transaction that is rolled back. Prints JSON.

The pair is run ``--runs`` times (3 by default; the tables are vacuumed between runs) and every run is
printed: the machine is shared, and the same import, with the database server busy on the CPU
throughout, has taken from 7 to 13 seconds within an hour (the COPY ceiling varies as much). The
headline figure is the best run, as ``timeit`` reports, with the median beside it.

    DATABASE_URL=postgres://... .venv/bin/python bench/import_subscribers.py [ROWS] [--runs N]   (default 100000)

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


def copy_seconds(data: bytes) -> float:
    from django.db import connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE bench_import (email text, name text, company text, "
                           "language text, product_lines text)")
            started = time.perf_counter()
            with cursor.copy("COPY bench_import FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                copy.write(data)
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        return seconds


def import_seconds(data: bytes):
    from newsletter.services.imports import subscribers_import

    # Not inside a transaction of the bench's own: the import's would become a savepoint, which neither the
    # command nor the admin has (and which made it 3-11 % slower).
    started = time.perf_counter()
    report = subscribers_import(stream=data, source="bench.csv", dry_run=True)
    return time.perf_counter() - started, report


def vacuum():
    """Clear what the rolled-back import left behind, so that the next run starts where this one did."""
    from django.db import connection

    from home.models import Consent, Organisation, Person
    from newsletter.models import Subscriber

    tables = [model._meta.db_table for model in (Person, Organisation, Subscriber, Subscriber.product_lines.through,
                                                Consent)]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM " + ", ".join(connection.ops.quote_name(table) for table in tables))


def main():
    import argparse

    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from home.demo.pages import _product_lines

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    _product_lines()
    data = make_csv(args.rows)

    runs = []
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(args.runs):
        vacuum()
        copy = copy_seconds(data)
        seconds, report = import_seconds(data)
        runs.append({
            "copy_rows_per_s": round(args.rows / copy),
            "import_seconds": round(seconds, 3),
            "import_rows_per_s": round(args.rows / seconds),
            "import_vs_copy": round(copy / seconds, 4),
        })
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    vacuum()
    rates = sorted(run["import_rows_per_s"] for run in runs)
    print(json.dumps({
        "rows": args.rows,
        "imported": report.created + report.updated,
        "rejected": len(report.rejected),
        "runs": runs,
        "import_rows_per_s": rates[-1],
        "import_rows_per_s_median": rates[len(rates) // 2],
        "copy_rows_per_s": max(run["copy_rows_per_s"] for run in runs),
        "target_rows_per_s": TARGET_ROWS_PER_S,
        "meets_target": rates[-1] >= TARGET_ROWS_PER_S,
        "peak_rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
