"""In Chromium: a customer files a complaint on the public form and gets a reference number by email
(through a real worker and SMTP server); care staff escalate and resolve it in the admin; the follow-up
call appears; the customer's status page shows the state and nothing of other customers."""

import re

import pytest
from django.utils import translation

from care.models import Call, Complaint
from home.roles import CARE_STAFF
from tests.care.complaint_helpers import complaint, staff_user, support_group

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _text(message):
    return message.get_body(("plain",)).get_content()


def test_complaint_from_public_form_to_follow_up_call(page, live_server, smtp_server, celery_worker, settings):
    settings.CARE_QC_SAMPLE_RATE = 0
    staff = staff_user("wang", CARE_STAFF)
    staff.set_password("care-staff-password-1")
    staff.save()
    support_group("网络支持组")
    other = complaint(staff, name="高强", email="gao@example.com", summary="别人的投诉内容", notify=False)

    # The customer files it.
    page.goto(live_server.url + "/zh-hans/care/complaints/new/")
    page.fill("#id_summary", "宽带每天下午断线")
    page.select_option("#id_category", "network")
    page.fill("#id_description", "每天下午三点左右断线十分钟。")
    page.fill("#id_name", "林小红")
    page.fill("#id_email", "lin.xiaohong@example.com")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/zh-hans/care/complaints/thanks/$"))
    reference = page.locator(".reference").inner_text().strip()
    item = Complaint.objects.get(reference=reference)

    # ...and gets the reference number by email, with the private status link.
    mail = smtp_server.wait_for(1, timeout=90)[0]
    assert mail["to"] == ["lin.xiaohong@example.com"]
    assert reference in mail["message"]["Subject"]
    body = _text(mail["message"])
    assert reference in body
    status_url = re.search(r"https?://\S+/care/complaints/status/\S+/", body).group(0)
    status_path = status_url[status_url.index("/zh-hans/"):]

    # Staff escalate and resolve it in the admin.
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "wang")
    page.fill("#id_password", "care-staff-password-1")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(live_server.url + f"/admin/care/complaints/inspect/{item.pk}/")
    page.select_option("#id_support_group", label="网络支持组")
    page.locator("form[action$='/do/escalate/'] button[type=submit]").click()
    page.wait_for_selector("[data-work-order]")
    item.refresh_from_db()
    assert item.state == Complaint.State.ESCALATED and item.responsible == staff
    # Work through the complaint's checklist and the work order's, one click per item.
    for area in ("[data-checklist]", "[data-work-order]"):
        unticked = page.locator(f"{area} button[aria-pressed=false]")
        for _item in range(unticked.count()):
            with page.expect_navigation():
                unticked.first.click()
    assert page.locator("button[aria-pressed=false]").count() == 0
    page.fill("#id_resolution", "更换了光猫，线路恢复稳定")
    page.locator("form[action$='/do/resolve/'] button[type=submit]").click()
    with translation.override("zh-hans"):
        page.locator("[data-state]", has_text=str(Complaint.State.RESOLVED.label)).wait_for()
    item.refresh_from_db()
    assert item.state == Complaint.State.RESOLVED

    # The follow-up call appears, on the complaint and in the calls.
    call = Call.objects.get(complaint=item)
    assert call.purpose == "complaint_followup"
    page.goto(live_server.url + f"/admin/care/complaints/inspect/{item.pk}/")
    with translation.override("zh-hans"):
        followup_label = str(Call._meta.get_field("purpose").choices and dict(Call._meta.get_field("purpose").choices)["complaint_followup"])
    assert followup_label in page.locator("[data-calls]").inner_text()

    # The customer's status page (in a fresh browser context) shows the state, nothing of others.
    customer = page.context.browser.new_context(locale="zh-CN")
    tab = customer.new_page()
    tab.goto(live_server.url + status_path)
    with translation.override("zh-hans"):
        resolved_label = str(Complaint.State.RESOLVED.label)
    assert tab.locator(".state").inner_text().strip() == resolved_label
    content = tab.content()
    assert reference in content and "更换了光猫" in content
    assert other.reference not in content and "别人的投诉内容" not in content and "高强" not in content
    assert "wang" not in tab.locator("main").inner_text()
    customer.close()
