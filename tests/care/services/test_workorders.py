"""Work orders: due time by severity in working hours, paused while waiting for the customer,
overdue ones flagged once and their managers told."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from care.models import WorkOrder
from care.services.scheduling import add_working_hours, working_time_between
from care.services.workorders import (
    complaint_escalate,
    complaint_resume,
    complaint_wait_for_customer,
    due_at_for,
    workorders_flag_overdue,
)
from care.tasks import workorders_flag_overdue_task
from home.models import OutboxMessage
from home.roles import CARE_MANAGERS, CARE_STAFF
from tests.care.complaint_helpers import at, complaint, staff_user, support_group

pytestmark = pytest.mark.django_db


def test_due_time_counts_working_hours_only():
    friday_4pm = at(2026, 11, 20, 16)
    # high = 8 working hours: 2 on Friday, 6 on Monday -> Monday 15:00
    assert due_at_for("high", friday_4pm) == at(2026, 11, 23, 15)
    # critical = 4 working hours, received on Saturday -> Monday 13:00
    assert due_at_for("critical", at(2026, 11, 21, 11)) == at(2026, 11, 23, 13)
    assert due_at_for("high", friday_4pm) < due_at_for("medium", friday_4pm) < due_at_for("low", friday_4pm)


def test_working_time_between_skips_nights_and_weekends():
    assert working_time_between(at(2026, 11, 20, 17), at(2026, 11, 23, 10)) == timedelta(hours=2)
    assert working_time_between(at(2026, 11, 21, 9), at(2026, 11, 22, 18)) == timedelta(0)
    start = at(2026, 11, 18, 11, 30)
    assert working_time_between(start, add_working_hours(start, 13)) == timedelta(hours=13)


def test_escalation_uses_the_complaint_follow_up_script_as_checklist():
    from care.models import CallScript

    staff = staff_user("wang", CARE_STAFF)
    CallScript.objects.create(
        name="投诉回访", purpose="complaint_followup", language="zh-hans", live=True,
        steps=[("checklist", {"item": "核实客户所在地网络", "branches": []}),
               ("checklist", {"item": "查询使用记录", "branches": []})],
    )
    item = complaint(staff, severity="critical")
    before = timezone.now()
    order = complaint_escalate(complaint_id=item.pk, acting_user=staff, support_group=support_group())
    assert [c["text"] for c in order.checklist] == ["核实客户所在地网络", "查询使用记录"]
    assert order.sla_hours == 4
    assert order.due_at >= add_working_hours(before, 4) - timedelta(seconds=5)


def test_waiting_for_the_customer_pauses_the_clock():
    staff = staff_user("wang", CARE_STAFF)
    item = complaint(staff, severity="high")
    order = complaint_escalate(complaint_id=item.pk, acting_user=staff, support_group=support_group())
    original_due = at(2026, 11, 23, 15)
    paused_at = at(2026, 11, 20, 16)
    complaint_wait_for_customer(complaint_id=item.pk, acting_user=staff)
    # Pretend the pause began Friday 16:00 with a due time of Monday 15:00; the customer answers now.
    WorkOrder.objects.filter(pk=order.pk).update(due_at=original_due, paused_at=paused_at)
    assert workorders_flag_overdue(now=at(2027, 1, 1)) == []  # paused orders are never overdue
    before = timezone.now()
    complaint_resume(complaint_id=item.pk, acting_user=staff)
    after = timezone.now()
    order.refresh_from_db()
    assert order.paused_at is None

    def moved_by_pause_until(moment):
        return add_working_hours(original_due, working_time_between(paused_at, moment).total_seconds() / 3600)

    # The due time moves by the working time the order was paused, counted up to the resume.
    assert moved_by_pause_until(before) <= order.due_at <= moved_by_pause_until(after)
    assert order.due_at > original_due


def test_overdue_work_orders_are_flagged_once_and_managers_told():
    staff = staff_user("wang", CARE_STAFF)
    manager = staff_user("boss", CARE_MANAGERS, email="boss@example.com")
    group_manager = staff_user("lead", CARE_STAFF, email="lead@example.com")
    group = support_group()
    item = complaint(staff, severity="critical")
    order = complaint_escalate(complaint_id=item.pk, acting_user=staff, support_group=group)
    assert workorders_flag_overdue(now=order.due_at - timedelta(minutes=1)) == []

    assert workorders_flag_overdue(now=order.due_at + timedelta(minutes=1)) == [order.pk]
    mails = OutboxMessage.objects.filter(kind="care.workorder_overdue")
    assert [m.to_email for m in mails] == [manager.email]  # no group managers: the care managers
    assert item.reference in mails[0].subject
    assert workorders_flag_overdue(now=order.due_at + timedelta(hours=1)) == []
    assert OutboxMessage.objects.filter(kind="care.workorder_overdue").count() == 1
    assert ModelLogEntry.objects.for_instance(item).filter(action="care.workorder_overdue").count() == 1

    group.managers.add(group_manager)
    other = complaint(staff, severity="critical", name="周敏", email="zhou.min@example.com")
    order2 = complaint_escalate(complaint_id=other.pk, acting_user=staff, support_group=group)
    WorkOrder.objects.filter(pk=order2.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    workorders_flag_overdue_task()  # the periodic task
    workorders_flag_overdue_task()
    assert list(OutboxMessage.objects.filter(kind="care.workorder_overdue", key__contains=f":{order2.pk}:")
                .values_list("to_email", flat=True)) == ["lead@example.com"]
    order2.refresh_from_db()
    assert order2.overdue_notified_at is not None


def test_beat_schedule_runs_the_jobs():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"care.tasks.workorders_flag_overdue_task", "care.tasks.complaint_weekly_report_task",
            "care.tasks.key_account_reports_generate_task"} <= tasks
