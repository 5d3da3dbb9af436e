"""The care team's calendar: working hours and quiet hours, in the site's time zone.

Working days follow China's official calendar (the ``chinesecalendar`` package: public holidays
and the make-up working weekends, 调休), plus the company's own days: ``CARE_HOLIDAYS`` (days off)
and ``CARE_WORKING_DAYS`` (extra working days), ISO dates. For a year the package has no official
data for yet, Monday to Friday are working days. Working hours (9:00-18:00 unless settings say otherwise) count retry delays and
due dates ("again in 4 working hours", "within 3 working days"). Quiet hours (21:00-8:00) are when
no customer is phoned, even at their own request. Calls (``services.calls``) and the SLA clock of
work orders (``services.workorders``) count on it.
"""

from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.conf import settings
from django.utils import timezone


def _setting(name, default):
    return getattr(settings, name, default)


def work_start() -> time:
    return time(_setting("CARE_WORK_START_HOUR", 9))


def work_end() -> time:
    return time(_setting("CARE_WORK_END_HOUR", 18))


def quiet_start() -> time:
    return time(_setting("CARE_QUIET_START_HOUR", 21))


def quiet_end() -> time:
    return time(_setting("CARE_QUIET_END_HOUR", 8))


def _company_days(name: str) -> set[date]:
    return {date.fromisoformat(d) for d in _setting(name, [])}


def is_working_day(day: date) -> bool:
    if day in _company_days("CARE_HOLIDAYS"):
        return False
    if day in _company_days("CARE_WORKING_DAYS"):
        return True
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # no official calendar published for that year yet
        return day.weekday() < 5


def day_at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment), timezone.get_current_timezone())


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def is_working_time(moment: datetime) -> bool:
    local = timezone.localtime(moment)
    return is_working_day(local.date()) and work_start() <= local.time() < work_end()


def next_working_moment(moment: datetime) -> datetime:
    """``moment`` itself when it falls in working hours, else the start of the next working period."""
    local = timezone.localtime(moment)
    day = local.date()
    if is_working_day(day):
        if local.time() < work_start():
            return day_at(day, work_start())
        if local.time() < work_end():
            return local
    return day_at(next_working_day(day), work_start())


def add_working_hours(moment: datetime, hours: float) -> datetime:
    """The moment ``hours`` working hours after ``moment`` (time outside working hours doesn't count)."""
    current = next_working_moment(moment)
    remaining = timedelta(hours=hours)
    while True:
        end_of_day = day_at(current.date(), work_end())
        available = end_of_day - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        current = day_at(next_working_day(current.date()), work_start())


def add_working_days(day: date, days: int) -> date:
    """The working day ``days`` working days after ``day`` (``day`` itself when 0 and working)."""
    if days == 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    for _i in range(days):
        day = next_working_day(day)
    return day


def in_quiet_hours(moment: datetime) -> bool:
    local = timezone.localtime(moment).time()
    return local >= quiet_start() or local < quiet_end()


def outside_quiet_hours(moment: datetime) -> datetime:
    """``moment``, or the end of the quiet hours it falls in."""
    if not in_quiet_hours(moment):
        return moment
    local = timezone.localtime(moment)
    day = local.date() if local.time() < quiet_end() else local.date() + timedelta(days=1)
    return day_at(day, quiet_end())


def half_year_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


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
