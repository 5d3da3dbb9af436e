"""Which dashboard charts of the demo content have no shape; shared by the role dashboards' test and
``bench/demo_dates.py`` (which asks it for many days)."""

from django.contrib.auth import get_user_model
from django.test import RequestFactory

from home.dashboard import period_get
from home.registry import dashboard_panels

PERIODS = ("week", "month", "quarter", "year")


def flat_charts() -> list:
    """(panel, period, series values) of every chart without a shape: over time, fewer than three buckets
    with counts or all of them equal; otherwise fewer than two bars. Seen as ``admin`` (the care staff's
    own calls as ``carestaff``)."""
    users = get_user_model().objects
    flat = []
    for cls in dashboard_panels.items():
        request = RequestFactory().get("/admin/")
        request.user = users.get(username="carestaff" if cls.key == "care-my-calls" else "admin")
        for period in PERIODS:
            data = cls(request, period_get(period)).get_data()
            values = [v for s in data.series for v in s.values if v]
            counts = [sum(s.values[i] or 0 for s in data.series if s.unit == "count") for i in range(len(data.labels))]
            shaped = (sum(1 for n in counts if n) >= 3 and len(set(counts)) > 1) if cls.over_time else len(values) >= 2
            if not shaped:
                flat.append((cls.key, period, [s.values for s in data.series]))
    return flat
