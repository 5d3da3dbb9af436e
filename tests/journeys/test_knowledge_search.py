"""Journey (zh-hans, Chromium): a customer searches 钓鱼 from the header, opens the knowledge article and
answers "helpful"; on the complaint form the subject 固件升级 失败 brings up the firmware articles; the
customer sends the form anyway, gets the reference by email (real worker and SMTP server) and follows
the link in it; the suggestion is recorded as not having prevented the complaint."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from newsletter.models import KnowledgeDeflection, KnowledgeFeedback
from tests.conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/issue19")


def test_customer_finds_an_article_and_the_complaint_form_suggests_firmware_articles(
    page, live_server, demo_content, smtp_server, celery_worker, settings
):
    settings.CARE_QC_SAMPLE_RATE = 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    started = timezone.now()

    # Search from the header box.
    page.goto(live_server.url + "/zh-hans/")
    page.get_by_role("searchbox", name="搜索本站").fill("钓鱼")
    page.get_by_role("searchbox", name="搜索本站").press("Enter")
    page.wait_for_url(re.compile(r"/zh-hans/search/\?q="))
    assert page.title().startswith("搜索：钓鱼")
    knowledge = page.locator("section.search-group", has=page.get_by_role("heading", name="知识文章"))
    assert knowledge.locator("mark", has_text="钓鱼").count() >= 1
    issues = page.locator("section.search-group", has=page.get_by_role("heading", name="电子期刊各期"))
    assert "企业邮箱防钓鱼指南" in issues.inner_text()
    page.screenshot(path=str(SHOTS / "search-results.png"), full_page=True)

    # Open the article and answer "helpful".
    knowledge.get_by_role("link", name="如何识别钓鱼邮件？").click()
    page.wait_for_url(re.compile(r"/zh-hans/knowledge/phishing-mail/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "如何识别钓鱼邮件？"
    assert page.get_by_role("link", name="企业邮箱防钓鱼指南").is_visible()  # the related issue
    page.screenshot(path=str(SHOTS / "article.png"), full_page=True)
    page.get_by_role("button", name="有帮助").click()
    page.wait_for_load_state()
    assert "感谢您的回答" in page.locator("main").inner_text()
    answers = KnowledgeFeedback.objects.filter(created_at__gte=started)
    assert list(answers.values_list("page__slug", "helpful")) == [("phishing-mail", True)]

    # The complaint form suggests firmware articles for the typed subject.
    page.get_by_role("link", name="意见与投诉").first.click()
    page.wait_for_url(re.compile(r"/zh-hans/care/complaints/new/$"))
    page.select_option("#id_category", "network")
    page.select_option("#id_product_line", label="安全网关")
    page.fill("#id_summary", "固件升级 失败")
    suggestions = page.get_by_role("region", name="这些文章也许已经能解答您的问题")
    suggestions.get_by_role("link", name="安全网关固件升级失败怎么办？").wait_for()
    assert "安全网关固件 5.2 升级说明" in suggestions.inner_text()
    assert "钓鱼" not in suggestions.inner_text()
    page.screenshot(path=str(SHOTS / "complaint-suggestions.png"), full_page=True)

    # The customer sends the form anyway: recorded, and the reference comes by email.
    page.fill("#id_description", "按说明重新上传固件后仍然失败。")
    page.fill("#id_name", "赵磊")
    page.fill("#id_email", "zhao.lei@example.com")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/zh-hans/care/complaints/thanks/$"))
    deflection = KnowledgeDeflection.objects.get(created_at__gte=started)
    assert deflection.query == "固件升级 失败" and deflection.product_line.slug == "firewall"
    wait_until(lambda: KnowledgeDeflection.objects.filter(pk=deflection.pk, submitted=True).exists(),
               timeout=15, message="the form's beacon recorded the submission")
    mail = smtp_server.wait_for(1, timeout=90)[0]
    assert mail["to"] == ["zhao.lei@example.com"]
    body = mail["message"].get_body(("plain",)).get_content()
    status_url = re.search(r"https?://\S+/care/complaints/status/\S+/", body).group(0)
    page.goto(live_server.url + status_url[status_url.index("/zh-hans/"):])
    assert "固件升级 失败" in page.locator("main").inner_text()
