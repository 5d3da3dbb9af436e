"""A care staff member works a call in the admin in Chromium."""

import pytest
from django.utils import timezone

from care.models import Call, CallAttempt, CallPurpose
from care.services.devices import device_register
from care.services.scheduling import add_working_hours, outside_quiet_hours
from home.models import OutboxMessage
from tests.care.services.test_scripts import _script
from tests.conftest import wait_until

from .calls_fixtures import *  # noqa: F403

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _log_no_answer(page):
    page.select_option("form.care-outcome select[name=disposition]", "no_answer")
    page.click("form.care-outcome button[type=submit]")
    page.wait_for_load_state()


def test_staff_member_works_a_branching_call_and_retries(page, live_server, teams, make_customer, product_line,
                                                          staff_east, smtp_server, celery_worker):
    _script(CallPurpose.WELCOME)
    customer = make_customer(team=teams["east"], email="wang.wei@huaan.example.com", mobile="13800138001")
    device_register(customer=customer, product_line=product_line, model="SG-6000", serial="SN-B1",
                    activated_on=timezone.localdate())
    call = Call.objects.get(customer=customer)
    Call.objects.filter(pk=call.pk).update(due_at=timezone.now())

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "xiaoming")
    page.fill("input[name=password]", "pw-xiaomingxiaoming")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

    page.goto(live_server.url + "/admin/care_queue/")
    page.click(f"a[href='/admin/care/calls/{call.pk}/work/']")
    assert "•••• 8001" in page.locator("[data-phone]").first.inner_text()
    page.click("[data-reveal]")
    page.wait_for_load_state()
    assert page.locator("[data-phone]").first.inner_text().strip() == "+8613800138001"

    # Walk the script: greeting, delivered yes, installed NO -> branch to step 9 (book installation), then 4.
    assert page.get_attribute("form.care-step", "data-current-step") == "1"
    page.click("form.care-step button[type=submit]")
    page.check("form.care-step input[value=yes]")
    page.click("form.care-step button[type=submit]")
    assert page.get_attribute("form.care-step", "data-current-step") == "3"
    page.check("form.care-step input[value=no]")
    page.click("form.care-step button[type=submit]")
    assert page.get_attribute("form.care-step", "data-current-step") == "9"
    assert "预约上门安装" in page.inner_text("form.care-step")
    page.check("form.care-step input[value=done]")
    page.click("form.care-step button[type=submit]")
    assert page.get_attribute("form.care-step", "data-current-step") == "4"
    assert page.locator(".care-answers li").count() == 4
    call.refresh_from_db()
    assert call.answers["path"] == [1, 2, 3, 9]
    assert call.answers["steps"]["3"]["a"] == "no" and call.answers["steps"]["9"]["a"] == "done"

    # The customer hangs up: no answer. The retry is due 4 working hours later.
    _log_no_answer(page)
    attempt = CallAttempt.objects.get(call=call)
    call.refresh_from_db()
    expected = outside_quiet_hours(add_working_hours(attempt.created_at, 4))
    assert call.due_at == expected and call.state == "open"
    shown = timezone.localtime(expected).strftime("%Y-%m-%d %H:%M")
    assert page.inner_text("[data-call-due]").strip() == shown
    assert page.inner_text("[data-call-attempts]").strip() == "1"
    assert shown in page.inner_text(".messages")

    # Trying again at once is refused: the next try is not due yet.
    _log_no_answer(page)
    assert page.inner_text("[data-call-attempts]").strip() == "1"
    assert shown in page.inner_text(".messages") and "之前" in page.inner_text(".messages")

    # Two more failed tries, each at its time: the call closes and the customer is emailed.
    Call.objects.filter(pk=call.pk).update(due_at=timezone.now())  # four working hours later
    _log_no_answer(page)
    assert page.inner_text("[data-call-attempts]").strip() == "2"
    assert not OutboxMessage.objects.filter(kind="care.call_unreached").exists()
    Call.objects.filter(pk=call.pk).update(due_at=timezone.now())
    _log_no_answer(page)
    assert page.get_attribute("[data-call-state]", "data-call-state") == "closed"
    assert page.locator("form.care-outcome").count() == 0
    received = smtp_server.wait_for(1, timeout=90)
    assert received[0]["to"] == ["wang.wei@huaan.example.com"]
    body = received[0]["message"].get_body(preferencelist=("plain",)).get_content()
    assert "王伟" in body
    wait_until(lambda: OutboxMessage.objects.get(kind="care.call_unreached").state == OutboxMessage.State.SENT,
               message=f"the email to be sent; worker log:\n{celery_worker.output()}")
