from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from home.dashboard import DashboardPanel, PanelData, bucket_counts, change_text, period_get
from home.models import OutboxMessage
from home.registry import dashboard_panels

pytestmark = pytest.mark.django_db


class OutboxPanel(DashboardPanel):
    key = "test-outbox"
    title = "Emails per day"
    permission = "home.view_outboxmessage"

    def get_data(self):
        counts = bucket_counts(OutboxMessage.objects.all(), "created_at", self.period, group_by="state")
        series = [(state, counts.get(state, [0] * len(self.period.buckets))) for state in ("queued", "sent")]
        return PanelData(labels=self.period.labels, series=series)


@pytest.fixture
def panel():
    dashboard_panels.register(OutboxPanel.key, OutboxPanel)
    yield OutboxPanel
    dashboard_panels._items.pop(OutboxPanel.key)


def _messages(n):
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(to_email=f"r{i}@example.com", subject="s", text="t", kind="k", state="sent") for i in range(n)]
    )


def test_periods_have_the_right_buckets():
    now = timezone.make_aware(datetime(2026, 11, 23, 10, 0))
    assert len(period_get("week", now).buckets) == 7
    assert len(period_get("month", now).buckets) == 30
    assert len(period_get("quarter", now).buckets) == 13
    year = period_get("year", now)
    assert year.labels[0] == "2025-12" and year.labels[-1] == "2026-11"
    assert period_get("nonsense", now).key == "month"


def test_bucket_counts_per_day_and_group():
    _messages(3)
    old = OutboxMessage.objects.create(to_email="x@example.com", subject="s", text="t", kind="k", state="queued")
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    counts = bucket_counts(OutboxMessage.objects.all(), "created_at", period_get("week"), group_by="state")
    assert counts["sent"][-1] == 3
    assert counts["queued"][-3] == 1 and sum(counts["queued"]) == 1


def test_panel_shows_chart_table_and_csv_to_permitted_users(client, admin_user, panel):
    _messages(4)
    client.force_login(admin_user)
    html = client.get("/admin/?period=week", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<script id="chart-test-outbox-data" type="application/json">' in html  # data, not script
    assert 'id="panel-test-outbox-heading">Emails per day</h2>' in html
    assert "<td>4</td>" in html  # the table behind the chart
    assert "queued: 0, the same as the previous week." in html  # the first series against the week before
    csv = client.get("/admin/dashboard/test-outbox.csv?period=week&lang=en")
    assert csv.status_code == 200
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Day,queued,sent"
    assert lines[-1].endswith(",0,4")


def test_previous_period_has_the_same_length():
    now = timezone.make_aware(datetime(2026, 11, 23, 10, 0))
    for key in ("week", "month", "quarter", "year"):
        period = period_get(key, now)
        before = period.previous()
        assert len(before.buckets) == len(period.buckets)
        assert timedelta(0) < period.start - before.ranges[-1][1] <= timedelta(microseconds=1)  # ends as this starts


def test_change_is_stated_with_its_direction():
    with translation.override("zh-hans"):
        assert change_text("通话", 12, 10, "week") == "通话：12，比上一周（10）增加 2 (+20%)。"
    with translation.override("en"):
        assert change_text("Calls", 12, 10, "week") == "Calls: 12, up 2 (+20%) on the previous week (10)."
        assert change_text("Calls", 5, 10, "month") == "Calls: 5, down 5 (-50%) on the previous 30 days (10)."
        assert change_text("Calls", 3, 3, "year") == "Calls: 3, the same as the previous year."


def test_panel_hidden_without_permission(client, panel):
    user = get_user_model().objects.create_user(username="ed", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    assert "chart-test-outbox" not in client.get("/admin/").content.decode()
    denied = client.get("/admin/dashboard/test-outbox.csv")
    assert denied.status_code in (302, 403)
    assert denied.get("Content-Type", "").startswith("text/html")


def test_panel_query_count_does_not_grow_with_data(rf, admin_user, panel):
    def queries():
        cache.clear()  # the previous period's figures are cached: count them too
        request = rf.get("/admin/")
        request.user = admin_user
        with CaptureQueriesContext(connection) as ctx:
            OutboxPanel(request, period_get("month")).get_context_data()
        return len(ctx.captured_queries)

    _messages(5)
    small = queries()
    _messages(500)
    assert queries() == small
