"""Journey (zh-hans, Chromium, from sign-in): care staff on the call screen search the knowledge base
for 钓鱼 and email the article to the caller in one step; the email arrives on the loopback SMTP server
(real worker), the link in it opens the article, and the customer's timeline shows the send."""

import re
from pathlib import Path

import pytest

from care.models import ArticleLinkSent, CareTeam
from care.services.customers import customer_create
from home.roles import CARE_STAFF
from tests.care.complaint_helpers import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/wt/shots/i19")


def test_care_staff_email_a_knowledge_article_from_the_call_screen(
    page, live_server, demo_content, smtp_server, celery_worker, settings
):
    settings.CARE_QC_SAMPLE_RATE = 0
    settings.BASE_URL = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff = staff_user("liming", CARE_STAFF)
    staff.first_name = "李明"
    staff.set_password("care-staff-password-1")
    staff.save()
    team = CareTeam.objects.create(name="华北组")
    team.members.add(staff)
    customer = customer_create(organisation_name="北方电子有限公司", contact_name="周敏", mobile="13712345678",
                               email="zhou.min@north.example.com", team=team)

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "liming")
    page.fill("#id_password", "care-staff-password-1")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    # The caller phones in: from the customer page, log the call; the call screen opens.
    page.goto(live_server.url + f"/admin/care_customers/inspect/{customer.pk}/")
    page.locator("[data-log-inbound]").click()
    page.wait_for_url(re.compile(r"/admin/care/calls/\d+/work/$"))

    # Search the knowledge base on the call screen.
    box = page.get_by_role("region", name="知识库")
    box.get_by_label("搜索文章").fill("钓鱼")
    box.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r"article_q="))
    box = page.get_by_role("region", name="知识库")
    row = box.locator("tr", has=page.get_by_role("link", name="如何识别钓鱼邮件？"))
    assert "周敏 <zhou.min@north.example.com>" in row.locator("select").inner_text()
    assert "安全网关固件升级失败怎么办？" not in box.inner_text()
    page.screenshot(path=str(SHOTS / "call-screen-knowledge-search.png"), full_page=True)

    # One step: email the link.
    row.get_by_role("button", name="发送链接").click()
    sent_message = page.locator(".messages").get_by_text("已将《如何识别钓鱼邮件？》发送到 zhou.min@north.example.com。")
    sent_message.wait_for(state="visible")
    page.wait_for_timeout(1000)  # the admin's messages slide in
    page.screenshot(path=str(SHOTS / "call-screen-sent-message.png"))
    sent = ArticleLinkSent.objects.get(customer=customer)
    assert sent.sent_by == staff and sent.call.customer == customer

    # The timeline shows who sent which article.
    timeline = page.locator("ol.timeline li[data-kind=article]")
    assert "已发送的文章 · 如何识别钓鱼邮件？ · 发给 周敏，发送人 李明" in timeline.first.inner_text()
    page.locator("ol.timeline").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "call-screen-article-sent.png"), full_page=True)

    # The email arrives; its link opens the article in Chinese.
    mail = smtp_server.wait_for(1, timeout=120)[0]
    assert mail["to"] == ["zhou.min@north.example.com"]
    assert mail["message"]["subject"].strip() == "您咨询的文章：如何识别钓鱼邮件？"
    text = mail["message"].get_body(("plain",)).get_content()
    links = re.findall(r"https?://\S+", text)
    assert links == [live_server.url + "/zh-hans/knowledge/phishing-mail/"]
    html = mail["message"].get_body(("html",)).get_content()
    assert f'href="{links[0]}"' in html
    customer_tab = page.context.browser.new_context(locale="zh-CN").new_page()
    customer_tab.goto(links[0])
    assert customer_tab.get_by_role("heading", level=1).inner_text() == "如何识别钓鱼邮件？"
    customer_tab.screenshot(path=str(SHOTS / "article-from-email.png"), full_page=True)
    customer_tab.context.close()

    # And the customer page's timeline shows it too.
    page.goto(live_server.url + f"/admin/care_customers/inspect/{customer.pk}/?kind=article")
    assert "如何识别钓鱼邮件？" in page.locator("[data-timeline]").inner_text()
