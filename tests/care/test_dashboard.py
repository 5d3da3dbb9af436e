"""The care dashboards count from per-day counts kept by the services that write calls and complaints:
after each write their figures equal the raw counts, and a full recount changes nothing."""

import threading
from datetime import datetime, time, timedelta

import pytest
from django.db import connections
from django.db.models import Avg, DurationField, ExpressionWrapper, F
from django.test import RequestFactory
from django.utils import timezone, translation

from care.dashboard import ComplaintsPanel, MyCallsPanel, ResolutionPanel
from care.models import Call, Complaint, DayCount
from care.services.calls import call_create, call_log_outcome
from care.services.complaints import complaint_resolve, complaint_update
from care.services.daycounts import day_counts_rebuild
from home.dashboard import bucket_counts, period_get
from tests.care.calls_fixtures import *  # noqa: F403
from tests.care.complaint_helpers import complaint, product_line

pytestmark = pytest.mark.django_db


def _panel(panel_class, user, period):
    request = RequestFactory().get("/admin/")
    request.user = user
    return panel_class(request, period_get(period)).get_data()


def _kept():
    return sorted(DayCount.objects.values_list("day", "measure", "assignee", "team", "kind", "category",
                                               "product_line", "n", "hours"))


def _figures_equal_raw_counts(staff, manager):
    completed = Call.objects.filter(state=Call.State.CLOSED, disposition=Call.Disposition.COMPLETED)
    complaints = Complaint.objects.filter(kind=Complaint.Kind.COMPLAINT)
    today = timezone.localdate()
    monday = timezone.make_aware(datetime.combine(today - timedelta(days=today.weekday()), time.min))
    with translation.override("en"):
        figures = {f.label: f.value for f in _panel(MyCallsPanel, staff, "week").summary}
    assert figures["completed this week"] == completed.filter(assignee=staff, closed_at__gte=monday).count()
    assert figures["overdue"] == Call.objects.filter(assignee=staff, state=Call.State.OPEN, deadline__lt=today).count()
    for period in ("week", "month", "quarter", "year"):
        p = period_get(period)
        assert _panel(MyCallsPanel, staff, period).series[0].values == bucket_counts(
            completed.filter(assignee=staff), "closed_at", p)
        raw = bucket_counts(complaints, "received_at", p, group_by="category")
        shown = {s.name: s.values for s in _panel(ComplaintsPanel, manager, period).series if any(s.values)}
        assert shown == {str(Complaint.Category(c).label): v for c, v in raw.items() if any(v)}, period
        resolved = _panel(ResolutionPanel, manager, period).series
        assert resolved[0].values == bucket_counts(Complaint.objects.filter(resolved_at__isnull=False),
                                                   "resolved_at", p)
        for i, (start, end) in enumerate(p.ranges):
            took = Complaint.objects.filter(resolved_at__gte=start, resolved_at__lt=end).aggregate(
                h=Avg(ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField())))["h"]
            assert resolved[1].values[i] == (None if took is None else round(took.total_seconds() / 3600, 1))


def test_dashboard_figures_equal_raw_counts_after_each_write(teams, staff_east, manager, make_customer):
    customer = make_customer(team=teams["east"])
    now = timezone.now()
    calls = [call_create(customer=customer, purpose="six_monthly", period_key=f"p{i}", due_at=now - timedelta(days=i))[0]
             for i in range(4)]
    assert all(c.assignee == staff_east for c in calls)
    line = product_line()
    received = [complaint(manager, received_at=now - timedelta(days=d, hours=2), category=cat, product_line=line,
                          notify=False)
                for d, cat in ((0, "network"), (3, "network"), (40, "product"), (200, "billing"))]
    _figures_equal_raw_counts(staff_east, manager)

    call_log_outcome(call_id=calls[0].pk, disposition="completed", acting_user=staff_east)
    call_log_outcome(call_id=calls[1].pk, disposition="completed", acting_user=staff_east)
    call_log_outcome(call_id=calls[2].pk, disposition="refused", acting_user=staff_east)  # closed, not completed
    complaint_update(complaint_id=received[1].pk, acting_user=manager, category="product")
    complaint_update(complaint_id=received[2].pk, acting_user=manager, kind=Complaint.Kind.SUGGESTION)
    complaint_resolve(complaint_id=received[3].pk, acting_user=manager, resolution="更换了网关",
                      skip_reason="客户已确认", notify=False)
    _figures_equal_raw_counts(staff_east, manager)
    assert _panel(MyCallsPanel, staff_east, "week").series[0].values[-1] == 2  # both completed today
    assert sum(sum(s.values) for s in _panel(ComplaintsPanel, manager, "year").series) == 3  # one is now a suggestion

    kept = _kept()
    day_counts_rebuild()  # what the nightly recount finds is what the services kept
    assert _kept() == kept and kept


def test_rebuild_counts_rows_written_around_the_services(teams, staff_east, manager, make_customer):
    customer = make_customer(team=teams["east"])
    call = call_create(customer=customer, purpose="six_monthly", period_key="bulk", due_at=timezone.now())[0]
    Call.objects.filter(pk=call.pk).update(state=Call.State.CLOSED, disposition=Call.Disposition.COMPLETED,
                                           closed_at=timezone.now())  # a bulk load, as bench/ does
    assert _panel(MyCallsPanel, staff_east, "week").series[0].values[-1] == 0
    day_counts_rebuild()
    assert _panel(MyCallsPanel, staff_east, "week").series[0].values[-1] == 1
    _figures_equal_raw_counts(staff_east, manager)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_day_leave_one_exact_count(teams, staff_east, make_customer):
    """Each recount of a day waits for the other writers of that day (on PostgreSQL, a lock held to the
    commit): eight calls completed at once leave one row counting eight, as a full recount would."""
    customer = make_customer(team=teams["east"])
    calls = [call_create(customer=customer, purpose="six_monthly", period_key=f"race{i}", due_at=timezone.now())[0]
             for i in range(8)]
    barrier, errors = threading.Barrier(len(calls)), []

    def close(call_id):
        try:
            barrier.wait(timeout=30)
            call_log_outcome(call_id=call_id, disposition="completed", acting_user=staff_east)
        except Exception as exc:  # noqa: BLE001 - any failure fails the test below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close, args=(call.pk,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    today = DayCount.objects.filter(measure=DayCount.Measure.CALLS_COMPLETED, day=timezone.localdate())
    assert list(today.values_list("assignee", "n")) == [(staff_east.pk, 8)]
    kept = _kept()
    day_counts_rebuild()
    assert _kept() == kept
