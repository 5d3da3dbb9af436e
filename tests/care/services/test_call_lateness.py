"""A callback after the deadline no longer moves it: the call stays overdue, records how late it was closed,
the queue counts late calls, and the next six-monthly callback keeps to the plan."""

from datetime import datetime, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from care import selectors
from care.models import Call, CallPurpose
from care.services.calls import call_log_outcome, call_schedule
from care.services.devices import device_register
from care.services.scheduling import add_working_days
from tests.care.calls_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def activated():
    return timezone.localdate() - relativedelta(months=7)


@pytest.fixture
def six_monthly(teams, make_customer, product_line, activated):
    customer = make_customer(team=teams["east"])
    device_register(customer=customer, product_line=product_line, model="SG", serial="SN-L1", activated_on=activated)
    call_schedule()
    return Call.objects.get(customer=customer, purpose=CallPurpose.SIX_MONTHLY)


def _tomorrow_at(hour):
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time(hour)))


def test_a_callback_after_the_deadline_keeps_the_deadline_and_the_call_overdue(six_monthly, staff_east):
    deadline = six_monthly.deadline
    assert deadline < timezone.localdate()  # a month after the anniversary: past its ten working days
    call = call_log_outcome(call_id=six_monthly.pk, disposition="callback", acting_user=staff_east,
                            callback_at=_tomorrow_at(10))
    assert call.deadline == deadline and call.state == Call.State.OPEN and call.days_late is None
    assert call.is_late
    assert call in selectors.calls_overdue(staff_east)
    entry = ModelLogEntry.objects.filter(action="care.call_outcome").get()
    assert entry.data["next_try_after_deadline"] is True

    closed = call_log_outcome(call_id=call.pk, disposition="completed", acting_user=staff_east, now=_tomorrow_at(10))
    expected = (timezone.localdate() + timedelta(days=1) - deadline).days
    assert closed.days_late == expected > 0 and closed.deadline == deadline
    [row] = [r for r in selectors.call_queue_per_team(staff_east) if r["team"].name == "华东组"]
    assert row["closed_late"] == 1 and row["overdue"] == 0


def test_retries_past_the_deadline_keep_it_too(six_monthly, staff_east):
    deadline = six_monthly.deadline
    call = call_log_outcome(call_id=six_monthly.pk, disposition="no_answer", acting_user=staff_east)
    assert call.deadline == deadline and call.due_at > timezone.now()


def test_a_call_closed_by_its_deadline_is_not_late(teams, make_customer, product_line, staff_east):
    customer = make_customer(team=teams["east"])
    device_register(customer=customer, product_line=product_line, model="SG", serial="SN-L2",
                    activated_on=timezone.localdate())
    call = Call.objects.get(customer=customer)
    closed = call_log_outcome(call_id=call.pk, disposition="completed", acting_user=staff_east,
                              now=max(timezone.now(), call.due_at))
    assert closed.days_late == 0 and not closed.is_late
    assert selectors.call_queue_per_team(staff_east)[0]["closed_late"] == 0


def test_the_next_six_monthly_call_is_planned_from_the_anniversary_not_from_the_late_call(
    six_monthly, staff_east, activated
):
    call_log_outcome(call_id=six_monthly.pk, disposition="completed", acting_user=staff_east)
    second_anniversary = activated + relativedelta(months=12)
    call_schedule(today=second_anniversary + timedelta(days=3))
    following = Call.objects.get(customer=six_monthly.customer, purpose=CallPurpose.SIX_MONTHLY, period_key="six:2")
    due = timezone.localtime(following.due_at).date()
    assert second_anniversary <= due <= add_working_days(second_anniversary, 0)
    assert following.deadline == add_working_days(due, 10)


def test_the_call_screen_and_listing_show_lateness(client, six_monthly, staff_east, manager):
    client.force_login(staff_east)
    url = reverse("care_call_work", args=[six_monthly.pk])
    response = client.post(url, {"action": "outcome", "disposition": "callback",
                                 "callback_at": _tomorrow_at(10).strftime("%Y-%m-%dT%H:%M")}, follow=True)
    html = response.content.decode()
    assert "data-call-late" in html and six_monthly.deadline.strftime("%Y-%m-%d") in html
    call_log_outcome(call_id=six_monthly.pk, disposition="completed", acting_user=staff_east, now=_tomorrow_at(11))
    client.force_login(manager)
    inspect_url = reverse("care_calls:inspect", args=[six_monthly.pk])
    assert inspect_url in client.get(reverse("care_calls:index"), {"days_late__gte": "1"}).content.decode()
    assert inspect_url not in client.get(reverse("care_calls:index"), {"days_late__gte": "999"}).content.decode()
