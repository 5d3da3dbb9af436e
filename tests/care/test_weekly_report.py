"""The weekly complaint report: counts by category, product line and state, time to resolve, overdue;
in the admin and emailed to care managers each Monday."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from care.models import Complaint, WorkOrder
from care.services.complaints import complaint_escalate, complaint_resolve
from care.services.reports import complaint_weekly_figures, complaint_weekly_report_send
from care.tasks import complaint_weekly_report_task
from home.models import OutboxMessage
from home.roles import CARE_MANAGERS, CARE_STAFF
from tests.care.complaint_helpers import at, complaint, product_line, staff_user, support_group

pytestmark = pytest.mark.django_db

WEEK = date(2026, 11, 16)  # a Monday


@pytest.fixture
def week(settings):
    settings.CARE_QC_SAMPLE_RATE = 0
    staff = staff_user("wang", CARE_STAFF)
    line = product_line()
    a = complaint(staff, received_at=at(2026, 11, 16, 9), category="network", product_line=line, notify=False)
    complaint(staff, received_at=at(2026, 11, 18, 9), category="network", name="b", email="b@example.com", notify=False)
    c = complaint(staff, received_at=at(2026, 11, 22, 23), category="billing", kind="suggestion", name="c",
                  email="c@example.com", notify=False)
    complaint(staff, received_at=at(2026, 11, 23, 0, 30), name="next", email="n@example.com", notify=False)
    complaint_resolve(complaint_id=a.pk, acting_user=staff, resolution="ok")
    Complaint.objects.filter(pk=a.pk).update(resolved_at=at(2026, 11, 17, 15))  # 30 hours after receipt
    order = complaint_escalate(complaint_id=c.pk, acting_user=staff, support_group=support_group())
    WorkOrder.objects.filter(pk=order.pk).update(due_at=timezone.now() - timedelta(hours=1))
    return staff


def test_weekly_figures(week):
    figures = complaint_weekly_figures(week_start=WEEK)
    assert figures["received"] == 3 and figures["complaints"] == 2 and figures["suggestions"] == 1
    assert figures["by_category"][0]["count"] == 2
    assert {row["count"] for row in figures["by_product_line"]} == {1, 2}
    assert sum(row["count"] for row in figures["by_state"]) == 3
    assert figures["resolved"] == 1 and figures["resolve_hours_average"] == 30.0
    assert [row["summary"] for row in figures["overdue"]] == ["网关频繁掉线"]


def test_report_in_the_admin_for_managers_only(week, client, settings):
    settings.OTP_REQUIRED_GROUPS = []
    client.force_login(staff_user("boss", CARE_MANAGERS))
    page = client.get(f"/admin/care/complaint-report/?week={WEEK.isoformat()}").content.decode()
    assert "2026-11-16" in page and "2026-11-22" in page and "安全网关" in page
    client.force_login(week)
    assert client.get("/admin/care/complaint-report/").status_code in (302, 403)


def test_emailed_to_each_care_manager_once_per_week(week):
    staff_user("boss", CARE_MANAGERS, email="boss@example.com")
    staff_user("boss2", CARE_MANAGERS, email="boss2@example.com")
    assert complaint_weekly_report_send(week_start=WEEK) == 2
    complaint_weekly_report_send(week_start=WEEK)
    mails = OutboxMessage.objects.filter(kind="care.complaint_weekly_report").order_by("to_email")
    assert [m.to_email for m in mails] == ["boss2@example.com", "boss@example.com"]
    assert "2026-11-16" in mails[0].subject and "安全网关" in mails[0].text
    complaint_weekly_report_task()  # the Monday job: last week's report
    complaint_weekly_report_task()
    today = timezone.localdate()
    last_week = today - timedelta(days=today.weekday() + 7)
    keys = set(OutboxMessage.objects.filter(kind="care.complaint_weekly_report").values_list("key", flat=True))
    assert len([k for k in keys if k.startswith(f"care-weekly-report:{last_week.isoformat()}:")]) == 2
