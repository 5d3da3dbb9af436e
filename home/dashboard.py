"""Dashboard panels on the Wagtail admin home: a chart, the numbers behind it, a selectable period
and a CSV export. Feature apps subclass ``DashboardPanel`` and register the class in
``home.registry.dashboard_panels``; each panel is shown to users holding its ``permission``.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Count
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from home import csv as safe_csv

from . import charts

PERIODS = {"week": _("Week"), "month": _("Month"), "quarter": _("Quarter"), "year": _("Year")}


@dataclass
class Period:
    key: str
    start: datetime
    end: datetime
    unit: str  # day, week or month
    buckets: list = field(default_factory=list)  # [(start, label)]

    @property
    def labels(self):
        return [label for _start, label in self.buckets]


def period_get(key: str, now: datetime | None = None) -> Period:
    """The last week (by day), month (by day), quarter (by week) or year (by month), ending now."""
    key = key if key in PERIODS else "month"
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    tz = timezone.get_current_timezone()
    if key in ("week", "month"):
        days = 7 if key == "week" else 30
        starts = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
        unit, labels = "day", [d.strftime("%m-%d") for d in starts]
    elif key == "quarter":
        monday = today - timedelta(days=today.weekday())
        starts = [monday - timedelta(weeks=n) for n in range(12, -1, -1)]
        unit, labels = "week", [d.strftime("%m-%d") for d in starts]
    else:
        first = today.replace(day=1)
        starts = [first - relativedelta(months=n) for n in range(11, -1, -1)]
        unit, labels = "month", [d.strftime("%Y-%m") for d in starts]
    start = datetime.combine(starts[0], time.min, tzinfo=tz)
    return Period(key=key, start=start, end=now, unit=unit, buckets=list(zip(starts, labels, strict=True)))


def bucket_counts(queryset, date_field: str, period: Period, *, group_by: str | None = None):
    """Count rows per bucket of ``period`` in one query: [count per bucket], or with ``group_by``
    {group: [count per bucket]} for the groups that have rows."""
    trunc = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}[period.unit]
    rows = (
        queryset.filter(**{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end})
        .annotate(bucket=trunc(date_field, tzinfo=timezone.get_current_timezone()))
        .values("bucket", *([group_by] if group_by else []))
        .annotate(n=Count("pk"))
        .order_by()
    )
    index = {start: i for i, (start, _label) in enumerate(period.buckets)}
    result = {}
    for row in rows:
        bucket = row["bucket"]
        day = timezone.localtime(bucket).date() if isinstance(bucket, datetime) else bucket
        key = row[group_by] if group_by else None
        counts = result.setdefault(key, [0] * len(period.buckets))
        if day in index:
            counts[index[day]] += row["n"]
    if group_by is None:
        return result.get(None, [0] * len(period.buckets))
    return result


@dataclass
class PanelData:
    labels: list
    series: list  # [(name, [values])]
    columns: list = field(default_factory=list)  # table header
    rows: list = field(default_factory=list)  # table rows (the numbers behind the chart, and more)
    summary: list = field(default_factory=list)  # [(label, value)] headline figures


class DashboardPanel(Component):
    key = ""
    title = ""
    permission = ""
    chart = "bar"
    order = 50
    template_name = "home/dashboard/panel.html"

    def __init__(self, request, period: Period):
        self.request = request
        self.period = period

    @classmethod
    def visible_to(cls, user) -> bool:
        return user.is_active and (user.is_superuser or user.has_perm(cls.permission))

    def get_data(self) -> PanelData:
        raise NotImplementedError

    def get_context_data(self, parent_context=None):
        data = self.get_data()
        draw = charts.line_chart if self.chart == "line" else charts.bar_chart
        return {
            "panel": self,
            "data": data,
            "svg": draw(f"chart-{self.key}", str(self.title), data.labels, data.series),
            "columns": data.columns or [""] + [str(name) for name, _v in data.series],
            "rows": data.rows or [[label, *[values[i] for _n, values in data.series]] for i, label in enumerate(data.labels)],
        }

    def csv_response(self) -> HttpResponse:
        context = self.get_context_data()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.key}-{self.period.key}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with a BOM
        writer = safe_csv.writer(response)
        writer.writerow([str(c) for c in context["columns"]])
        writer.writerows(context["rows"])
        return response


class PeriodPanel(Component):
    """The period selector shown above the dashboard panels."""

    order = 0

    def __init__(self, period: Period):
        self.period = period

    def render_html(self, parent_context=None):
        return render_to_string("home/dashboard/period.html", {"period": self.period, "periods": PERIODS.items()})
