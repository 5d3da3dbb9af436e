import json
from datetime import date, timedelta
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.utils import timezone

from care.models import Call, CallPurpose
from care.services.calls import call_schedule
from care.services.devices import device_activate, device_register
from care.services.scheduling import add_working_days, add_working_hours, in_quiet_hours, outside_quiet_hours
from tests.care.calls_fixtures import *  # noqa: F403
from tests.care.calls_fixtures import local

pytestmark = pytest.mark.django_db


def add_months(day: date, months: int) -> date:
    return day + relativedelta(months=months)


def test_working_hours_skip_nights_and_weekends():
    friday_4pm = local(2026, 11, 20, 16, 0)
    assert add_working_hours(friday_4pm, 4) == local(2026, 11, 23, 11, 0)  # Monday 11:00
    assert add_working_hours(local(2026, 11, 23, 7, 30), 4) == local(2026, 11, 23, 13, 0)
    assert add_working_hours(local(2026, 11, 21, 12, 0), 1) == local(2026, 11, 23, 10, 0)  # Saturday
    assert add_working_days(date(2026, 11, 20), 3) == date(2026, 11, 25)


def test_official_holidays_and_make_up_working_days_count(settings):
    # Spring Festival 2026: 15-23 February off; Saturday 14 and Saturday 28 February are working days.
    assert add_working_hours(local(2026, 2, 13, 17, 0), 2) == local(2026, 2, 14, 10, 0)
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)  # National Day
    settings.CARE_HOLIDAYS = ["2026-02-24"]
    settings.CARE_WORKING_DAYS = ["2026-02-22"]
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 22)
    assert add_working_days(date(2026, 2, 22), 1) == date(2026, 2, 25)


def test_complaint_sla_clock_runs_from_creation_over_a_make_up_saturday(teams, make_customer, product_line):
    from care.services.complaint_state import target_hours
    from care.services.complaints import complaint_create

    assert target_hours("product", "medium") == (4, 27)
    item = complaint_create(
        acting_user=None, channel="phone", kind="complaint", category="product", severity="medium",
        summary="设备异响", description="春节前设备异响", name="赵敏", email="zhao.min@example.com",
        received_at=local(2026, 2, 13, 16, 0), notify=False,
    )
    # Friday 16:00 + 4 working hours: two on Friday, two on the make-up Saturday (not after the holiday).
    assert item.first_response_due_at == local(2026, 2, 14, 11, 0)
    # + 27: 2 Friday, 9 Saturday, then the holiday; 9 on the 24th, 7 on the 25th.
    assert item.resolution_due_at == local(2026, 2, 25, 16, 0)
    assert item.work_orders.count() == 0  # the clock needs no escalation


def test_quiet_hours():
    assert in_quiet_hours(local(2026, 11, 23, 22, 0))
    assert in_quiet_hours(local(2026, 11, 23, 7, 59))
    assert not in_quiet_hours(local(2026, 11, 23, 19, 0))
    assert outside_quiet_hours(local(2026, 11, 23, 22, 30)) == local(2026, 11, 24, 8, 0)
    assert outside_quiet_hours(local(2026, 11, 24, 6, 0)) == local(2026, 11, 24, 8, 0)


def test_device_activated_today_gives_exactly_one_welcome_call(teams, make_customer, product_line, staff_east):
    customer = make_customer(team=teams["east"])
    device = device_register(customer=customer, product_line=product_line, model="SG-6000", serial="SN-1")
    device_activate(device_id=device.pk)
    first = call_schedule()
    second = call_schedule()
    assert first == [] and second == []  # activation already created it; the rules add nothing
    calls = Call.objects.filter(customer=customer, purpose=CallPurpose.WELCOME)
    assert calls.count() == 1
    call = calls.get()
    assert call.assignee == staff_east and call.team == teams["east"]
    today = timezone.localdate()
    assert call.deadline == add_working_days(today, 3)
    assert call.contact.name == "王伟"


def test_scheduler_creates_missing_welcome_call_once(teams, make_customer, product_line):
    customer = make_customer(team=teams["south"])
    # A device imported as activated yesterday, whose welcome call was lost.
    device = device_register(customer=customer, product_line=product_line, model="M70", serial="SN-2",
                             activated_on=timezone.localdate() - timedelta(days=1))
    Call.objects.all().delete()
    created = call_schedule()
    assert [c["purpose"] for c in created] == ["welcome"]
    assert created[0]["assignee"] == "xiaohong"
    assert call_schedule() == []
    assert Call.objects.filter(customer=customer).count() == 1
    assert Call.objects.get().device == device


def test_key_account_calls_go_to_the_specialist(teams, make_customer, product_line, manager):
    customer = make_customer("大客户集团", team=teams["east"], key=True, specialist=manager)
    device_register(customer=customer, product_line=product_line, model="X", serial="SN-K",
                    activated_on=timezone.localdate())
    assert Call.objects.get(customer=customer).assignee == manager


def test_customer_activated_seven_months_ago_has_six_monthly_call_due(teams, make_customer, product_line):
    today = timezone.localdate()
    activated = add_months(today, -7)
    customer = make_customer(team=teams["east"])
    device_register(customer=customer, product_line=product_line, model="SG", serial="SN-7", activated_on=activated)
    recent = make_customer("新客户", team=teams["east"])
    device_register(customer=recent, product_line=product_line, model="SG", serial="SN-5",
                    activated_on=add_months(today, -5))

    created = call_schedule()
    assert [(c["customer_id"], c["purpose"]) for c in created] == [(customer.pk, "six_monthly")]
    call = Call.objects.get(purpose=CallPurpose.SIX_MONTHLY)
    assert timezone.localtime(call.due_at).date() >= add_months(activated, 6)
    assert timezone.localtime(call.due_at).date() <= add_working_days(add_months(activated, 6), 0)
    assert call.due_at <= timezone.now()  # due now, shows in the queue
    assert call_schedule() == []
    # Half a year later: the first customer's second period, the other's first.
    later = call_schedule(today=add_months(today, 6))
    assert sorted((c["customer_id"], c["period"]) for c in later) == [(customer.pk, "six:2"), (recent.pk, "six:1")]


def test_inactive_customer_gets_no_six_monthly_call(teams, make_customer, product_line):
    customer = make_customer(team=teams["east"])
    customer.active = False
    customer.save()
    device_register(customer=customer, product_line=product_line, model="SG", serial="SN-8",
                    activated_on=add_months(timezone.localdate(), -7))
    assert call_schedule() == []


def test_command_dry_run_reports_and_writes_nothing(teams, make_customer, product_line):
    customer = make_customer(team=teams["east"])
    device_register(customer=customer, product_line=product_line, model="SG", serial="SN-9",
                    activated_on=add_months(timezone.localdate(), -13))
    out = StringIO()
    call_command("care_schedule_calls", "--dry-run", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["dry_run"] is True and report["count"] == 1
    assert report["created"][0]["purpose"] == "six_monthly" and report["created"][0]["period"] == "six:2"
    assert not Call.objects.exists()
    out = StringIO()
    call_command("care_schedule_calls", stdout=out)
    assert "1 call(s) created" in out.getvalue()
    assert Call.objects.count() == 1
    out = StringIO()
    call_command("care_schedule_calls", stdout=out)
    assert "0 call(s) created" in out.getvalue()


def test_complaint_flow_creates_follow_up_and_qc_calls_once(teams, make_customer, product_line):
    from care.models import Complaint
    from care.services.calls import call_create_for_complaint

    customer = make_customer(team=teams["east"])
    person = customer.organisation.people.get()
    complaint = Complaint.objects.create(summary="网络经常中断", description="<p>x</p>", person=person,
                                         organisation=customer.organisation)
    follow_up = call_create_for_complaint(complaint_id=complaint.pk, purpose="complaint_followup")
    again = call_create_for_complaint(complaint_id=complaint.pk, purpose="complaint_followup")
    qc = call_create_for_complaint(complaint_id=complaint.pk, purpose="quality_control")
    assert follow_up.pk == again.pk
    assert follow_up.complaint == complaint and follow_up.contact == person and follow_up.team == teams["east"]
    assert qc.purpose == "quality_control" and qc.pk != follow_up.pk
    assert Call.objects.filter(complaint=complaint).count() == 2


def test_scheduler_is_a_periodic_task(teams, make_customer, product_line, settings):
    from care.tasks import calls_schedule_task

    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "care.tasks.calls_schedule_task"]
    assert len(entries) == 1
    customer = make_customer(team=teams["east"])
    device_register(customer=customer, product_line=product_line, model="SG", serial="SN-T",
                    activated_on=add_months(timezone.localdate(), -7))
    assert calls_schedule_task() == {"created": 1}
    assert calls_schedule_task() == {"created": 0}


def test_demo_content_has_customers_scripts_and_calls(demo_content):
    from care.models import CallScript, CustomerAccount

    assert CallScript.objects.filter(live=True).count() == 8
    assert set(CallScript.objects.values_list("language", flat=True)) == {"zh-hans", "en"}
    assert CustomerAccount.objects.filter(organisation__name="华安科技有限公司", specialist__username="caremanager").exists()
    purposes = set(Call.objects.values_list("purpose", flat=True))
    assert {"welcome", "six_monthly"} <= purposes
    before = Call.objects.count(), CustomerAccount.objects.count()
    from home.demo.load import demo_load

    demo_load()
    assert (Call.objects.count(), CustomerAccount.objects.count()) == before
