"""The per-day counts the care dashboards chart (``DayCount``).

The services that close calls and receive, reclassify or resolve complaints call
``day_counts_refresh`` inside their own transaction for the days they touched: the day is recounted
from the calls or complaints themselves under a lock held until that transaction commits, so a
concurrent writer of the same day waits and then counts both. ``day_counts_rebuild`` (nightly, and
after the demo data or a bulk load) recounts everything.
"""

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import Call, Complaint, DayCount

M = DayCount.Measure
_LOCK_SPACE = 20_020  # first key of the PostgreSQL advisory locks taken here


def _source(measure):
    """(rows counted, the moment that dates them, the fields each count is kept per)."""
    if measure == M.CALLS_COMPLETED:
        return (Call.objects.filter(state=Call.State.CLOSED, disposition=Call.Disposition.COMPLETED), "closed_at",
                ("assignee_id", "team_id"))
    if measure == M.COMPLAINTS_RECEIVED:
        return Complaint.objects.all(), "received_at", ("kind", "category", "product_line_id")
    return Complaint.objects.filter(resolved_at__isnull=False), "resolved_at", ("kind", "category", "product_line_id")


def _count(measure, start=None, end=None) -> list[DayCount]:
    """The counts of ``measure`` per day (for ``start <= moment < end`` when given), as unsaved rows."""
    rows, field, groups = _source(measure)
    if start is not None:
        rows = rows.filter(**{f"{field}__gte": start, f"{field}__lt": end})
    totals = {"n": Count("pk")}
    if measure == M.COMPLAINTS_RESOLVED:
        totals["took"] = Sum(ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField()))
    grouped = (rows.annotate(day=TruncDate(field, tzinfo=timezone.get_current_timezone()))
               .values("day", *groups).annotate(**totals).order_by())
    return [
        DayCount(day=row["day"], measure=measure, n=row["n"], **{name: row[name] for name in groups},
                 hours=row["took"].total_seconds() / 3600 if row.get("took") else 0)
        for row in grouped
    ]


def _lock(measure, day):
    if connection.vendor == "postgresql":  # SQLite lets one writer in at a time anyway
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                           [_LOCK_SPACE + list(M.values).index(measure), day.toordinal()])


@transaction.atomic
def day_counts_refresh(*, measure: str, moments: Iterable[datetime | None]) -> None:
    """Recount ``measure`` on the local days of ``moments`` (``None`` is skipped)."""
    tz = timezone.get_current_timezone()
    for day in sorted({timezone.localtime(moment).date() for moment in moments if moment is not None}):
        _lock(measure, day)  # held until the caller's transaction commits
        start = datetime.combine(day, time.min, tzinfo=tz)
        DayCount.objects.filter(measure=measure, day=day).delete()
        DayCount.objects.bulk_create(_count(measure, start, datetime.combine(day + timedelta(days=1), time.min,
                                                                             tzinfo=tz)))


@transaction.atomic
def day_counts_rebuild() -> int:
    """Recount every day of every measure; returns the number of rows kept."""
    if connection.vendor == "postgresql":
        # Readers go on; a writer's recount of a day waits for this one, then counts again.
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{DayCount._meta.db_table}" IN EXCLUSIVE MODE')
    DayCount.objects.all().delete()
    rows = [row for measure in M.values for row in _count(measure)]
    DayCount.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
