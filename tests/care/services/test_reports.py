"""Reports of care.

The weekly complaint report: counts by category, product line and state, time to resolve, overdue;
in the admin and emailed to care managers each Monday.

Key accounts: a monthly service report per key account, as PDF, emailed to its contact once.
"""

import base64
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import Complaint, CustomerAccount, KeyAccountReport, SatisfactionRating, WorkOrder
from care.services import CareError
from care.services.complaints import complaint_resolve
from care.services.reports import (
    complaint_weekly_figures,
    complaint_weekly_report_send,
    key_account_report_generate,
    key_account_reports_generate,
)
from care.services.workorders import complaint_escalate
from care.tasks import complaint_weekly_report_task, key_account_reports_generate_task
from home.models import OutboxMessage
from home.roles import CARE_MANAGERS, CARE_STAFF
from home.services.people import organisation_get_or_create
from tests.care.complaint_helpers import at, checklist_done, complaint, product_line, staff_user, support_group
from tests.care.test_pdf import pdftotext

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
    checklist_done(a, staff)
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


# Key-account reports -----------------------------------------------------------------------------


@pytest.fixture
def key_account(settings):
    settings.CARE_QC_SAMPLE_RATE = 0
    staff = staff_user("wang", CARE_STAFF)
    org = organisation_get_or_create(name="中信银行", is_key_account=True)
    account = CustomerAccount.objects.create(kind="company", organisation=org, specialist=staff,
                                             direct_line="010-8888 0001", mailbox="citic@care.example.com")
    first = complaint(staff, name="黄建国", email="huang@example.com", organisation_name="中信银行",
                      received_at=at(2026, 10, 8, 10), summary="专线中断", notify=False)
    complaint(staff, name="黄建国", email="huang@example.com", organisation_name="中信银行",
              received_at=at(2026, 9, 30, 10), summary="上月的问题", notify=False)
    checklist_done(first, staff)
    complaint_resolve(complaint_id=first.pk, acting_user=staff, resolution="更换光模块")
    SatisfactionRating.objects.create(score=5, source="call", customer=account)
    SatisfactionRating.objects.create(score=3, source="call", customer=account)
    return org


def test_monthly_report_pdf_is_generated_once_and_emailed_to_the_contact(key_account):
    month = timezone.localdate().replace(day=1)
    # the complaint of 8 October was resolved "now"; report on October for the complaints received
    report = key_account_report_generate(organisation_id=key_account.pk, month=date(2026, 10, 1))
    assert report.sent_to == "huang@example.com"
    figures = report.figures
    assert figures["complaints"]["received"] == 1
    assert [c["summary"] for c in figures["complaints"]["items"]] == ["专线中断"]
    text = pdftotext(bytes(report.pdf))
    assert "中信银行" in text and "专线中断" in text
    mail = OutboxMessage.objects.get(kind="care.key_account_report")
    assert mail.to_email == "huang@example.com" and "中信银行" in mail.subject
    assert base64.b64decode(mail.attachments[0]["content_b64"]).startswith(b"%PDF")

    again = key_account_report_generate(organisation_id=key_account.pk, month=date(2026, 10, 1))
    assert again.pk == report.pk
    assert OutboxMessage.objects.filter(kind="care.key_account_report").count() == 1

    current = key_account_report_generate(organisation_id=key_account.pk, month=month)
    assert current.figures["satisfaction"] == {"ratings": 2, "average": 4.0, "csat": 50}
    assert current.figures["complaints"]["resolved"] == 1


def test_the_periodic_job_reports_on_last_month_for_every_key_account(key_account):
    organisation_get_or_create(name="普通客户")
    key_account_reports_generate_task()
    key_account_reports_generate_task()
    last_month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    assert list(KeyAccountReport.objects.values_list("organisation__name", "month")) == [("中信银行", last_month)]


def test_only_key_accounts_get_a_report():
    org = organisation_get_or_create(name="普通客户")
    with pytest.raises(CareError):
        key_account_report_generate(organisation_id=org.pk, month=date(2026, 10, 1))
    assert key_account_reports_generate(month=date(2026, 10, 1)) == []


def test_green_channel_shown_on_the_complaint_and_reports_listed_for_managers(key_account, client, settings):
    settings.OTP_REQUIRED_GROUPS = []
    from care.models import Complaint

    report = key_account_report_generate(organisation_id=key_account.pk, month=date(2026, 10, 1))
    staff = staff_user("li", CARE_STAFF)
    client.force_login(staff)
    item = Complaint.objects.get(summary="专线中断")
    page = client.get(f"/admin/care/complaints/inspect/{item.pk}/").content.decode()
    assert "010-8888 0001" in page and "citic@care.example.com" in page
    assert client.get(f"/admin/care/key-account-reports/{report.pk}/pdf/").status_code in (302, 403)
    client.force_login(staff_user("boss", CARE_MANAGERS))
    assert "中信银行" in client.get("/admin/care/key-account-reports/").content.decode()
    pdf = client.get(f"/admin/care/key-account-reports/{report.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_key_account_report_on_demand_by_command_and_by_button(key_account, client, settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("care_key_account_report", "中信银行", "2026-10", stdout=out)
    report = KeyAccountReport.objects.get(organisation=key_account, month=date(2026, 10, 1))
    assert "2026-10" in out.getvalue() and f"#{report.pk}" in out.getvalue()
    call_command("care_key_account_report", str(key_account.pk), "2026-10", stdout=StringIO())
    assert KeyAccountReport.objects.filter(organisation=key_account).count() == 1  # once per month
    with pytest.raises(CommandError):
        call_command("care_key_account_report", "中信银行", "October", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("care_key_account_report", "没有这家公司", "2026-10", stdout=StringIO())

    settings.OTP_REQUIRED_GROUPS = []
    customer = CustomerAccount.objects.get(organisation=key_account)
    manager = staff_user("zhao", CARE_MANAGERS)
    client.force_login(manager)
    page = client.get(reverse("care_customers:inspect", args=[customer.pk])).content.decode()
    assert "data-key-account-report" in page
    response = client.post(reverse("care_reports:generate", args=[key_account.pk]), {"month": "2026-09"})
    september = KeyAccountReport.objects.get(organisation=key_account, month=date(2026, 9, 1))
    assert response["Location"] == reverse("care_reports:pdf", args=[september.pk])
    client.force_login(staff_user("wang2", CARE_STAFF))
    refused = client.post(reverse("care_reports:generate", args=[key_account.pk]), {"month": "2026-08"})
    assert refused.status_code in (302, 403) and refused.get("Location") != reverse("care_reports:pdf", args=[1])
    assert not KeyAccountReport.objects.filter(month=date(2026, 8, 1)).exists()
