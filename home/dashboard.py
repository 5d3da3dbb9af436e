"""Dashboard panels on the Wagtail admin home: a chart (Apache ECharts, drawn in the browser from the
numbers given here), the numbers behind it, a comparison with the previous period, a selectable
period and a CSV export. Feature apps subclass ``DashboardPanel`` and register the class in
``home.registry.dashboard_panels``; each panel is shown to users holding its ``permission``.

Every value may carry the address of the rows behind it (``Series.links``, ``Figure.link``): the
chart opens it when the bar or point is clicked, and the table links it.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cached_property, lru_cache
from urllib.parse import quote_plus, urlencode

from dateutil.relativedelta import relativedelta
from django.db.models import Count
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from wagtail.admin.ui.components import Component

PERIODS = {"week": gettext_lazy("Week"), "month": gettext_lazy("Month"), "quarter": gettext_lazy("Quarter"),
           "year": gettext_lazy("Year")}
COUNT, HOURS, PERCENT = "count", "hours", "percent"


@dataclass
class Period:
    key: str
    start: datetime
    end: datetime
    unit: str  # day, week or month
    buckets: list = field(default_factory=list)  # [(start date, label)]

    @property
    def labels(self):
        return [label for _start, label in self.buckets]

    @cached_property
    def range_query(self) -> list[tuple[str, str]]:
        """Each bucket's ``range_params`` values, quoted for an address: every link of a panel uses them."""
        return [(quote_plus(_local_param(start)), quote_plus(_local_param(end, up=True))) for start, end in self.ranges]

    @property
    def ranges(self):
        """[(start, end)] aware datetimes of each bucket, the end excluded."""
        tz = timezone.get_current_timezone()
        step = {"day": relativedelta(days=1), "week": relativedelta(weeks=1), "month": relativedelta(months=1)}
        starts = [datetime.combine(day, time.min, tzinfo=tz) for day, _label in self.buckets]
        # The last bucket ends now, as the counts do (nothing dated later today is counted).
        return list(zip(starts, [*starts[1:], min(starts[-1] + step[self.unit], self.end)], strict=True))

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        return period_get(self.key, self.start - timedelta(microseconds=1))

    @property
    def unit_label(self):
        return {"day": _("Day"), "week": _("Week of"), "month": _("Month")}[self.unit]


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


def bucket_sums(rows, period: Period, *, value: str = "n", group_by: str | None = None):
    """Like ``bucket_counts``, for rows already counted per day (dicts with ``day`` and ``value``): the
    sums per bucket of ``period``, or with ``group_by`` {group: [sum per bucket]}."""
    starts = [start for start, _label in period.buckets]
    last = timezone.localtime(period.end).date()
    result = {}
    for row in rows:
        i = bisect_right(starts, row["day"]) - 1
        if i < 0 or row["day"] > last:
            continue
        sums = result.setdefault(row[group_by] if group_by else None, [0] * len(starts))
        sums[i] += row[value] or 0
    if group_by is None:
        return result.get(None, [0] * len(starts))
    return result


@lru_cache(maxsize=256)
def _listing_path(viewname: str, prefix: str, urlconf) -> str:
    return reverse(viewname, urlconf=urlconf)


def list_url(viewname: str, **params) -> str:
    """The address of an admin listing filtered by ``params`` (lists become repeated parameters)."""
    # A panel links every bar: resolving the listing's path once (per script prefix) keeps that cheap.
    path = _listing_path(viewname, get_script_prefix(), get_urlconf())
    query = urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
    return f"{path}?{query}" if query else path


def _local_param(moment: datetime, up: bool = False) -> str:
    moment = timezone.localtime(moment).replace(tzinfo=None)
    if up and moment.microsecond:  # the end, to the next whole second: the counts include it
        moment += timedelta(seconds=1)
    return moment.isoformat(sep=" ", timespec="seconds")


def range_params(field_name: str, start: datetime, end: datetime) -> dict:
    """Listing filter parameters for ``start <= field < end`` (local time, as the filter forms read it)."""
    return {f"{field_name}__gte": _local_param(start), f"{field_name}__lt": _local_param(end, up=True)}


@dataclass
class Series:
    """One line or set of bars: a value per label (None where there is no data: a gap, not a zero)."""

    name: str
    values: list
    unit: str = COUNT  # COUNT, HOURS or PERCENT: one unit per axis
    links: list | None = None  # the address of the rows behind each value
    chart: str = ""  # "bar" or "line"; the panel's chart type by default


@dataclass
class Figure:
    """A headline figure, the rows behind it, and the same figure in the previous period."""

    label: str
    value: object
    link: str = ""
    previous: object = None


@dataclass
class PanelData:
    labels: list
    series: list  # [Series] (or [(name, values)] counts)
    columns: list = field(default_factory=list)  # table header
    rows: list = field(default_factory=list)  # table rows (the numbers behind the chart, and more)
    summary: list = field(default_factory=list)  # [Figure] (or [(label, value)]) headline figures
    comparison: str = ""  # one sentence comparing with the previous period, when the panel says it itself

    def __post_init__(self):
        self.series = [s if isinstance(s, Series) else Series(str(s[0]), list(s[1])) for s in self.series]
        self.summary = [f if isinstance(f, Figure) else Figure(str(f[0]), f[1]) for f in self.summary]


def change_text(name, now, before, period_key) -> str:
    """'Completed calls: 42, up 8 (+24%) on the previous month (34).'"""
    previous = {"week": _("the previous week"), "month": _("the previous 30 days"),
                "quarter": _("the previous quarter"), "year": _("the previous year")}[period_key]
    if before is None or now is None:
        return _("%(name)s: %(now)s; no figure for %(previous)s.") % {
            "name": name, "now": "—" if now is None else now, "previous": previous}
    diff = round(now - before, 1)
    diff = int(diff) if float(diff).is_integer() else diff
    if diff == 0:
        return _("%(name)s: %(now)s, the same as %(previous)s.") % {"name": name, "now": now, "previous": previous}
    pct = f" ({diff / before:+.0%})" if before else ""
    text = _("%(name)s: %(now)s, up %(diff)s%(pct)s on %(previous)s (%(before)s).") if diff > 0 else _(
        "%(name)s: %(now)s, down %(diff)s%(pct)s on %(previous)s (%(before)s).")
    return text % {"name": name, "now": now, "diff": abs(diff), "pct": pct, "previous": previous, "before": before}


def series_total(series: Series):
    """Counts add up; hours and percentages average over the buckets that have data."""
    values = [v for v in series.values if v is not None]
    if series.unit == COUNT:
        return sum(values)
    return round(sum(values) / len(values), 1) if values else None


class DashboardPanel(Component):
    key = ""
    title = ""
    permission = ""
    chart = "bar"
    order = 50
    over_time = True  # the labels are the period's buckets (the category axis is time)
    template_name = "home/dashboard/panel.html"

    def __init__(self, request, period: Period, *, detailed: bool = True):
        self.request = request
        self.period = period
        # False when only the series are wanted (for the previous period's totals): a panel may then
        # leave out its links and headline figures.
        self.detailed = detailed

    @classmethod
    def visible_to(cls, user) -> bool:
        return user.is_active and (user.is_superuser or user.has_perm(cls.permission))

    def get_data(self) -> PanelData:
        raise NotImplementedError

    def compare(self, data: PanelData) -> str:
        """One sentence on the first series against the same panel over the previous period."""
        if data.comparison or not data.series:
            return data.comparison
        first = data.series[0]
        return change_text(first.name, series_total(first), self.previous_totals().get(first.name, 0), self.period.key)

    def previous_totals(self) -> dict:
        """{series name: total} over the previous period, counted as this period is (no cache: figures
        stay exact after every write; the panels read indexed or per-day counts, so this is cheap)."""
        before = type(self)(self.request, self.period.previous(), detailed=False)
        return {s.name: series_total(s) for s in before.get_data().series}

    def links(self, viewname: str, field_name: str, **params) -> list | None:
        """The address of the rows behind each bucket: the listing ``viewname`` filtered by ``params``
        and by the bucket's range of ``field_name``."""
        if not self.detailed:
            return None
        base = list_url(viewname, **params)
        base += "&" if "?" in base else "?"
        return [f"{base}{field_name}__gte={start}&{field_name}__lt={end}" for start, end in self.period.range_query]

    def first_column(self):
        return self.period.unit_label if self.over_time else _("Item")

    def table(self, data: PanelData):
        columns = data.columns or [self.first_column(), *[s.name for s in data.series]]
        rows = data.rows or [
            [label, *[_cell(s.values[i] if i < len(s.values) else None, s.links, i) for s in data.series]]
            for i, label in enumerate(data.labels)
        ]
        return [str(c) for c in columns], rows

    def chart_spec(self, data: PanelData) -> dict:
        """What static/home/js/dashboard.js needs to draw the chart (given as JSON, never as script)."""
        units = list(dict.fromkeys(s.unit for s in data.series))
        assert len(units) <= 2, f"{self.key}: at most two units (two axes) per chart"
        return {
            "title": str(self.title), "labels": [str(label) for label in data.labels], "chart": self.chart,
            "units": [{"unit": u, "name": self._axis_name(data, u)} for u in units],
            "series": [{"name": str(s.name), "values": s.values, "unit": s.unit, "links": s.links or [],
                        "chart": s.chart or self.chart} for s in data.series],
            "empty": str(_("no data")),
        }

    @staticmethod
    def _axis_name(data, unit):
        """The series' name when it is alone on its axis; else the unit (none for counts: the legend says)."""
        names = [str(s.name) for s in data.series if s.unit == unit]
        return names[0] if len(names) == 1 else str(UNIT_NAMES[unit])

    def get_context_data(self, parent_context=None):
        data = self.get_data()
        columns, rows = self.table(data)
        return {
            "panel": self, "data": data, "spec": self.chart_spec(data), "summary_line": self.compare(data),
            "table_head": format_html_join("", '<th scope="col">{}</th>', ((c,) for c in columns)),
            "table_body": table_body_html(rows),
            "chart_id": f"chart-{self.key}", "spec_id": f"chart-{self.key}-data", "LANGUAGE_CODE": get_language(),
        }

    def csv_rows(self):
        """The table as plain values under a header naming every column."""
        data = self.get_data()
        columns, rows = self.table(data)
        return [columns, *[[c.value if isinstance(c, Cell) else c for c in row] for row in rows]]


UNIT_NAMES = {COUNT: "", HOURS: gettext_lazy("Hours"), PERCENT: gettext_lazy("%")}


@dataclass
class Cell:
    value: object
    link: str = ""

    def __str__(self):
        return "—" if self.value is None else str(self.value)


def table_body_html(rows) -> str:
    """The table's rows: the first cell heads its row; a cell with a link opens the rows behind it.
    (Built here rather than in the template: a year's table has hundreds of cells.)"""
    html = []
    for row in rows:
        cells = [f'<th scope="row">{escape(row[0])}</th>'] if row else []
        for cell in row[1:]:
            if isinstance(cell, Cell) and cell.link:
                cells.append(f'<td><a href="{escape(cell.link)}">{escape(cell)}</a></td>')
            else:
                cells.append(f"<td>{escape(cell)}</td>")
        html.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def _cell(value, links, i):
    return Cell(value, links[i] if links and i < len(links) and links[i] else "")


class PeriodPanel(Component):
    """The period selector shown above the dashboard panels, and the chart script."""

    order = 0

    def __init__(self, period: Period):
        self.period = period

    def render_html(self, parent_context=None):
        return render_to_string("home/dashboard/period.html", {"period": self.period, "periods": PERIODS.items()})
