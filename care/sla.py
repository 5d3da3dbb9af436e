"""Complaint SLAs in working hours, on top of the care team's working-hours calendar (``scheduling``)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .scheduling import add_working_hours, next_working_moment, work_end

__all__ = ["add_working_hours", "working_time_between", "sla_hours_for", "due_at_for"]

# Due time of a work order by the complaint's severity, in working hours (overridable in settings).
SLA_HOURS = {"critical": 4, "high": 8, "medium": 18, "low": 36}


def sla_hours_for(severity: str) -> int:
    table = {**SLA_HOURS, **getattr(settings, "CARE_COMPLAINT_SLA_HOURS", {})}
    return table.get(severity, table["medium"])


def due_at_for(severity: str, opened_at: datetime) -> datetime:
    return add_working_hours(opened_at, sla_hours_for(severity))


def working_time_between(start: datetime, end: datetime) -> timedelta:
    """Working time between two instants (zero if ``end`` is not after ``start``)."""
    total = timedelta(0)
    if end <= start:
        return total
    current = next_working_moment(start)
    while current < end:
        local = timezone.localtime(current)
        day_end = datetime.combine(local.date(), work_end(), tzinfo=local.tzinfo)
        total += min(day_end, end) - current
        current = next_working_moment(day_end)
    return total
