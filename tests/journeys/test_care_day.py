"""A care team's day in Chromium, in zh-hans, from sign-in.

Care staff: an inbound caller gives only their mobile, in another format than stored; staff find
them from the home screen, open the customer page, log the call, open a complaint, work it through
the checklist and resolve it; the satisfaction survey arrives by email (loopback SMTP, real worker),
the customer rates through its link, and the rating and the response rate show on the manager's
dashboard.
"""

import re

import pytest

from care.models import Call, Complaint, SurveyInvitation
from care.services.customers import customer_create
from home.roles import CARE_MANAGERS, CARE_STAFF
from tests.care.complaint_helpers import staff_user
from tests.conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/shots/issue15"


def _sign_in(page, live_server, username, password):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def _text(message):
    return message.get_body(("plain",)).get_content()


def test_care_staff_find_a_caller_resolve_a_complaint_and_the_rating_reaches_the_manager(
    page, live_server, smtp_server, celery_worker, settings
):
    settings.CARE_QC_SAMPLE_RATE = 0
    staff = staff_user("wang", CARE_STAFF)
    staff.set_password("care-staff-password-1")
    staff.save()
    manager = staff_user("zhao", CARE_MANAGERS)
    manager.set_password("care-manager-password-1")
    manager.save()
    from care.models import CareTeam

    team = CareTeam.objects.create(name="华东组")
    team.members.add(staff)
    customer = customer_create(organisation_name="东部精密仪器有限公司", contact_name="王伟", mobile="13800138001",
                               email="wang.wei@east.example.com", team=team)
    customer_create(organisation_name="南部物流有限公司", contact_name="李娜", mobile="13900139002",
                    email="li.na@south.example.com")

    # The caller gives their mobile as "+86 138-0013-8001"; staff search from the home screen.
    _sign_in(page, live_server, "wang", "care-staff-password-1")
    page.fill("#care-customer-q", "+86 138-0013-8001")
    page.locator(".care-customer-search button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/care_customers/\?q="))
    listing = page.locator("main").inner_text()
    assert "东部精密仪器有限公司" in listing and "南部物流" not in listing
    page.get_by_role("link", name="东部精密仪器有限公司").first.click()
    page.wait_for_url(re.compile(rf"/admin/care_customers/inspect/{customer.pk}/$"))
    assert "查找客户" not in page.content()  # we left the home screen
    assert "王伟" in page.locator("[data-contacts]").inner_text()
    assert "13800138001" not in page.content()  # the number is masked
    page.screenshot(path=f"{SHOTS}/customer_page.png", full_page=True)

    # Two clicks: log the inbound call; the call screen opens.
    page.locator("[data-log-inbound]").click()
    page.wait_for_url(re.compile(r"/admin/care/calls/\d+/work/$"))
    call = Call.objects.get(customer=customer, purpose="inbound")
    assert call.assignee == staff and call.state == Call.State.OPEN
    page.screenshot(path=f"{SHOTS}/call_screen.png", full_page=True)

    # Back on the customer page, two clicks open a complaint with the caller's details filled in.
    page.goto(live_server.url + f"/admin/care_customers/inspect/{customer.pk}/")
    page.locator("[data-open-complaint]").click()
    page.wait_for_url(re.compile(r"/admin/care/complaints/new/\?customer="))
    assert page.input_value("#id_customer_name") == "王伟"
    assert page.input_value("#id_email") == "wang.wei@east.example.com"
    page.select_option("#id_category", "product")
    page.fill("#id_summary", "设备运行时异响")
    page.fill("#id_description", "设备每天下午出现异响，持续十分钟。")
    page.locator("main form button[type=submit]:visible").first.click()
    page.wait_for_url(re.compile(r"/admin/care/complaints/inspect/\d+/$"))
    item = Complaint.objects.get(summary="设备运行时异响")
    assert item.person.mobile == "+8613800138001" and item.organisation == customer.organisation
    assert item.resolution_due_at is not None
    assert page.locator("[data-resolution-due]").inner_text().strip()

    # Resolving with the checklist open is refused, in Chinese; nothing is lost.
    page.fill("#id_resolution", "更换了风扇模块")
    with page.expect_navigation():
        page.locator("form[action$='/do/resolve/'] button[type=submit]").click()
    assert "检查清单尚未完成" in page.locator("main").inner_text() or "检查清单尚未完成" in page.content()
    item.refresh_from_db()
    assert item.state == Complaint.State.NEW

    # Work it through the checklist, then resolve.
    unticked = page.locator("[data-checklist] li[data-done='0'] button")
    for _item in range(unticked.count()):
        with page.expect_navigation():
            unticked.first.click()
    assert page.locator("[data-checklist] li[data-done='0']").count() == 0
    page.fill("#id_resolution", "更换了风扇模块，客户确认异响消失")
    with page.expect_navigation():
        page.locator("form[action$='/do/resolve/'] button[type=submit]").click()
    item.refresh_from_db()
    assert item.state == Complaint.State.RESOLVED and not item.checklist_skip_reason
    with_state = page.locator("[data-state]").inner_text().strip()
    assert with_state == "已解决"

    # The survey email arrives through the worker and the loopback SMTP server.
    def survey_mail():
        return [m for m in smtp_server.messages if "/care/survey/" in _text(m["message"])]

    mail = wait_until(survey_mail, timeout=120, message="the survey email")[0]
    assert mail["to"] == ["wang.wei@east.example.com"]
    url = re.search(r"https?://\S+/care/survey/\S+/", _text(mail["message"])).group(0)
    survey_path = url[url.index("/zh-hans/"):] if "/zh-hans/" in url else url[url.index("/care/"):]

    customer_tab = page.context.browser.new_context(locale="zh-CN").new_page()
    customer_tab.goto(live_server.url + survey_path)
    customer_tab.locator("input[name=score][value='5']").check()
    customer_tab.fill("#id_comment", "处理很及时")
    customer_tab.locator("main form button[type=submit]").click()
    customer_tab.wait_for_load_state()
    assert "感谢" in customer_tab.locator("body").inner_text()
    invitation = SurveyInvitation.objects.get(complaint=item)
    assert invitation.rating.score == 5 and invitation.rating.staff_member == staff
    customer_tab.context.close()

    # The manager's dashboard shows the rating and the survey response rate.
    boss = page.context.browser.new_context(locale="zh-CN").new_page()
    _sign_in(boss, live_server, "zhao", "care-manager-password-1")
    dashboard = boss.locator("main").inner_text()
    assert "问卷回复率" in dashboard and "100% (1/1)" in dashboard
    assert "投诉后评分" in dashboard  # the post-complaint ratings chart
    boss.screenshot(path=f"{SHOTS}/manager_dashboard.png", full_page=True)
    boss.context.close()
