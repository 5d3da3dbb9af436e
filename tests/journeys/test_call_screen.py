"""Journey (issue 15, the call screen) in Chromium, in zh-hans, from sign-in.

Care staff open a six-monthly callback due today from the call queue, reveal the contact's mobile (the
reveal is logged once), walk the script using Back once to change an answer, see the answers in Chinese
with one step number each, and log the outcome with a rating; the call is closed on time.
"""

import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from care.models import Call, CallPurpose, CareTeam, SatisfactionRating
from care.services.calls import call_schedule
from care.services.customers import customer_create
from care.services.devices import device_register
from home.models import AccessLog, ProductLine
from home.roles import CARE_STAFF
from tests.care.complaint_helpers import staff_user
from tests.care.services.test_scripts import _script

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/work/wt/shots/i15c"


def _answers(page):
    return [" ".join(text.split()) for text in page.locator(".care-answers li").all_inner_texts()]


def test_care_staff_work_a_due_callback_through_the_script_with_back(page, live_server, settings):
    settings.OTP_REQUIRED_GROUPS = []
    staff = staff_user("wang", CARE_STAFF)
    staff.set_password("care-staff-password-1")
    staff.save()
    team = CareTeam.objects.create(name="华东组")
    team.members.add(staff)
    _script(CallPurpose.SIX_MONTHLY)
    customer = customer_create(organisation_name="东部精密仪器有限公司", contact_name="王伟", mobile="13800138001",
                               email="wang.wei@east.example.com", team=team)
    line, _created = ProductLine.objects.get_or_create(
        slug="firewall", defaults={"name_zh_hans": "安全网关", "name_en": "Security gateways"})
    device_register(customer=customer, product_line=line, model="SG-6000", serial="SN-J15",
                    activated_on=timezone.localdate() - relativedelta(months=6, days=1))
    call_schedule()
    call = Call.objects.get(customer=customer, purpose=CallPurpose.SIX_MONTHLY)
    # Due an hour ago, deadline later this week: a callback due today (not yet late).
    Call.objects.filter(pk=call.pk).update(due_at=timezone.now() - timedelta(hours=1),
                                           deadline=timezone.localdate() + timedelta(days=3))

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "wang")
    page.fill("#id_password", "care-staff-password-1")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    # The call queue: the callback is among my calls due today; open it.
    page.get_by_role("button", name="客户关怀").click()
    page.get_by_role("link", name="呼叫队列").click()
    page.wait_for_url(re.compile(r"/admin/care_queue/$"))
    due = page.locator("section[aria-labelledby=mine-due]")
    assert "半年回访" in due.inner_text()
    page.screenshot(path=f"{SHOTS}/queue.png", full_page=True)
    due.get_by_role("link", name="东部精密仪器有限公司").click()
    page.wait_for_url(re.compile(rf"/admin/care/calls/{call.pk}/work/$"))
    assert "13800138001" not in page.content() and "•••• 8001" in page.content()

    # Reveal the number: shown, and logged once with who and when.
    page.locator("[data-reveal]").first.click()
    page.wait_for_url(re.compile(r"/work/#customer$"))
    assert "+8613800138001" in page.locator("section[aria-labelledby=customer]").inner_text()
    [entry] = AccessLog.objects.all()
    assert entry.user == staff and entry.person.name == "王伟" and entry.created_at

    # The script: said the greeting; "is the device running well?" — no: the script jumps to step 5.
    step = page.locator("form.care-step")
    assert step.get_attribute("data-current-step") == "1"
    step.get_by_role("button", name="已说明，下一步").click()
    page.wait_for_selector("form.care-step[data-current-step='2']")
    page.get_by_label("否").check()
    page.get_by_role("button", name="记录回答").click()
    page.wait_for_selector("form.care-step[data-current-step='5']")
    assert _answers(page)[1] == "第 2 步 · 设备目前运行正常吗？ — 否"
    page.screenshot(path=f"{SHOTS}/script_before_back.png", full_page=True)

    # Back once: step 2 again with "no" chosen; the caller meant yes.
    page.get_by_role("link", name="上一步").click()
    page.wait_for_selector("form.care-step[data-current-step='2']")
    assert page.get_by_label("否").is_checked()
    page.screenshot(path=f"{SHOTS}/script_back.png", full_page=True)
    page.get_by_label("是").check()
    page.get_by_role("button", name="记录回答").click()
    page.wait_for_selector("form.care-step[data-current-step='3']")
    page.get_by_label("每周").check()
    page.get_by_role("button", name="记录回答").click()
    page.wait_for_selector("form.care-step[data-current-step='4']")
    page.locator("form.care-step input[name=answer][value='5']").check()
    page.get_by_role("button", name="记录回答").click()
    page.wait_for_selector("[data-script-finished]")

    answers = _answers(page)
    assert answers == [
        "第 1 步 · 您好，我是客户关怀中心的工作人员，今天给您做半年例行回访。 — 已告知",
        "第 2 步 · 设备目前运行正常吗？ — 是",
        "第 3 步 · 您使用设备的频率？ — 每周",
        "第 4 步 · 您对我们的产品和服务满意吗？（1-5 分） — 5 分（满分 5 分）",
    ]
    assert not any(re.match(r"^\d+\.\s", a) for a in answers)  # one number per step, no list number before it
    assert "— ok" not in page.content() and "— yes" not in page.content()
    page.screenshot(path=f"{SHOTS}/script_done.png", full_page=True)

    # Log the outcome with the customer's rating.
    page.select_option("#id_disposition", "completed")
    page.select_option("#id_rating", "5")
    page.fill("#id_note", "设备运行正常，每周使用。")
    page.get_by_role("button", name="记录结果").click()
    page.wait_for_selector("[data-call-state=closed]")
    assert "通话已关闭" in page.locator(".messages").inner_text()
    page.screenshot(path=f"{SHOTS}/call_closed.png", full_page=True)
    call.refresh_from_db()
    assert call.state == Call.State.CLOSED and call.disposition == "completed" and call.days_late == 0
    assert call.answers["path"] == [1, 2, 3, 4]
    assert SatisfactionRating.objects.get(call=call).score == 5
    assert AccessLog.objects.count() == 1  # the call screen's later views logged no more reveals
