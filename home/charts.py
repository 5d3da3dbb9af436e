"""Charts drawn on the server as SVG: no script, no network, readable in both languages.

Each chart carries a <title> and <desc> (its text alternative) and is shown next to a table of the
numbers behind it (see templates/home/dashboard/panel.html).
"""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

# Colour-blind-safe palette (Okabe-Ito), each at least 3:1 against white for graphical objects.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8a6d00", "#56647b"]


def _nice_max(value):
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fmt(value):
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _frame(chart_id, title, desc, width, height, body, series_names):
    legend = "".join(
        f'<g transform="translate({10 + i * 150},{height - 14})"><rect width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
        f'<text x="18" y="11" font-size="12" fill="#1f2933">{escape(name)}</text></g>'
        for i, name in enumerate(series_names)
    )
    return mark_safe(  # noqa: S308 - every interpolated text is escaped above or below
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" class="chart">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        f"{body}{legend}</svg>"
    )


def describe(labels, series):
    """A sentence per series: the text alternative of a chart."""
    parts = []
    for name, values in series:
        pairs = ", ".join(f"{label}: {_fmt(value)}" for label, value in zip(labels, values, strict=False))
        parts.append(f"{name}: {pairs}" if pairs else str(name))
    return "; ".join(parts)


@dataclass
class _Plot:
    """The plot area inside a chart's frame, and the value at its top."""

    left: float
    top: float
    width: float
    height: float
    peak: float

    def y(self, value):
        return self.top + self.height - self.height * value / self.peak


def _chart(chart_id, title, labels, series, width, height, draw):
    """The frame, value axis and gridlines every chart shares; ``draw(body, labels, plot)`` adds the data."""
    labels = [str(label) for label in labels]
    top, bottom, left, right = 16, 56, 44, 8
    plot = _Plot(left=left, top=top, width=width - left - right, height=height - top - bottom,
                 peak=_nice_max(max([v for _n, values in series for v in values] or [0])))
    body = [f'<line x1="{left}" y1="{top + plot.height}" x2="{width - right}" y2="{top + plot.height}" stroke="#52606d"/>']
    for tick in range(5):
        value = plot.peak * tick / 4
        y = top + plot.height - plot.height * tick / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e4e7eb"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#3e4c59">{_fmt(value)}</text>')
    draw(body, labels, plot)
    return _frame(chart_id, title, describe(labels, series), width, height, "".join(body), [str(n) for n, _v in series])


def _x_label(body, labels, i, x, plot):
    """The label under position ``i`` of the category axis (about a dozen at most, when there are many)."""
    if len(labels) <= 16 or i % max(len(labels) // 12, 1) == 0:
        body.append(
            f'<text x="{x:.1f}" y="{plot.top + plot.height + 16}" font-size="11" text-anchor="middle" '
            f'fill="#3e4c59">{escape(labels[i][:14])}</text>'
        )


def bar_chart(chart_id, title, labels, series, *, width=640, height=260):
    """Grouped bars: ``series`` is a list of (name, values), one value per label."""

    def draw(body, labels, plot):
        if not labels:
            return
        group_w = plot.width / len(labels)
        bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
        for i, label in enumerate(labels):
            x0 = plot.left + i * group_w + group_w * 0.1
            for j, (name, values) in enumerate(series):
                value = values[i] if i < len(values) else 0
                h = plot.height * value / plot.peak
                body.append(
                    f'<rect class="bar" x="{x0 + j * bar_w:.1f}" y="{plot.top + plot.height - h:.1f}" width="{bar_w:.1f}" '
                    f'height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(name)} · {escape(label)}: '
                    f"{_fmt(value)}</title></rect>"
                )
            _x_label(body, labels, i, x0 + group_w * 0.4, plot)

    return _chart(chart_id, title, labels, series, width, height, draw)


def line_chart(chart_id, title, labels, series, *, width=640, height=260):
    """Lines over time: ``series`` is a list of (name, values), one value per label."""

    def draw(body, labels, plot):
        step = plot.width / max(len(labels) - 1, 1)
        for j, (_name, values) in enumerate(series):
            points = " ".join(f"{plot.left + i * step:.1f},{plot.y(v):.1f}" for i, v in enumerate(values[: len(labels)]))
            body.append(
                f'<polyline class="line" points="{points}" fill="none" stroke="{PALETTE[j % len(PALETTE)]}" '
                f'stroke-width="2.5"/>'
            )
        for i in range(len(labels)):
            _x_label(body, labels, i, plot.left + i * step, plot)

    return _chart(chart_id, title, labels, series, width, height, draw)
