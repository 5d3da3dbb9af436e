"""Journey: the `editor` (role user, zh-hans admin) composes an issue with every section type in the
StreamField UI, previews it as email, translates it to English, edits and publishes both, sees both
feeds list it, sends it; a reader receives it on the loopback SMTP server (real worker), follows the
links of the mail and unsubscribes with one click."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect
from wagtail.users.models import UserProfile

from home.roles import EDITORS
from newsletter.models import IssuePage, Subscriber
from tests.conftest import wait_until
from tests.newsletter.delivery_helpers import make_subscribers

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/i16")
PASSWORD = "correct-horse-editor-9"


def _add_block(page, label):
    """Add a block at the end; wait for it (each block brings an add button), or the next one can land before it."""
    add = page.locator("button.c-sf-add-button:not([data-streamfield-list-add])")
    before = add.count()
    add.last.click()
    page.get_by_role("option", name=label, exact=True).click()
    expect(add).not_to_have_count(before)


def _type_rich(page, field_id, text):
    editor = page.locator(f"#{field_id}").locator("xpath=..").locator("[contenteditable=true]")
    editor.click()
    page.keyboard.type(text)


def _choose_first(page, chooser_id):
    page.locator(f"#{chooser_id}-chooser [data-chooser-action-choose]").click()
    page.locator(".modal [data-chooser-modal-choice]").first.click()
    page.locator(".modal").wait_for(state="hidden")


def _email_frame(page, text):
    """The sandboxed frame of the email inside the preview panel, once it shows ``text``."""
    page.wait_for_timeout(250)  # lets Playwright take in frames attached meanwhile
    for frame in page.frames:
        if frame.url == "about:srcdoc" and frame.parent_frame and frame.parent_frame.parent_frame:
            try:
                if frame.get_by_text(text).count():
                    return frame
            except Exception:  # a frame the panel has just replaced
                continue
    return None


def _publish(page):
    publish = page.locator("button[name='action-publish']")
    if not publish.is_visible():
        page.locator("footer .w-dropdown__toggle").first.click()
    publish.click()


def test_editor_composes_translates_publishes_and_sends_and_a_reader_unsubscribes(
        page, live_server, journal, smtp_server, celery_worker):
    SHOTS.mkdir(parents=True, exist_ok=True)
    editor = get_user_model().objects.create_user("editor", "editor@example.com", PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "zh-hans"
    profile.save()
    reader = make_subscribers(1)[0]

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

    # Compose: every section type through the StreamField UI.
    page.goto(live_server.url + f"/admin/pages/add/newsletter/issuepage/{journal['index'].pk}/")
    page.fill("#id_title", "二〇二七年一月刊")
    page.fill("#id_issue_number", "50")
    page.fill("#id_issue_date", "2027-01-01")
    page.fill("#id_preheader", "本期要点：新品与技术通告")
    _add_block(page, "文章")
    page.fill("#body-0-value-heading", "文章标题")
    _type_rich(page, "body-0-value-body", "文章正文。")
    _add_block(page, "产品知识")
    page.fill("#body-1-value-heading", "知识标题")
    _choose_first(page, "body-1-value-product_line")
    _type_rich(page, "body-1-value-body", "知识正文。")
    page.fill("#body-1-value-tip", "一个小贴士")
    _add_block(page, "技术通告")
    page.fill("#body-2-value-heading", "技术标题")
    _choose_first(page, "body-2-value-product_line")
    page.fill("#body-2-value-applies_to", "SG-1")
    _type_rich(page, "body-2-value-body", "通告正文。")
    _add_block(page, "公司新闻")
    page.fill("#body-3-value-heading", "新闻标题")
    page.fill("#body-3-value-date", "2027-01-05")
    _type_rich(page, "body-3-value-body", "新闻正文。")
    _add_block(page, "图片与说明")
    page.fill("#body-4-value-heading", "图片标题")
    _choose_first(page, "body-4-value-image")
    page.fill("#body-4-value-alt", "结果图表")
    page.fill("#body-4-value-caption", "图片说明文字")
    _add_block(page, "行动按钮")
    page.fill("#body-5-value-heading", "行动标题")
    page.fill("#body-5-value-button_label", "立即报名")
    page.fill("#body-5-value-url", "https://example.com/go")
    _add_block(page, "是否有帮助？")
    _add_block(page, "小调查")
    page.fill("#body-7-value-heading", "您最常用哪条产品线？")
    page.fill("#body-7-value-options-0-value", "商用电脑")
    page.locator("[data-contentpath=options] [data-streamfield-list-add]").last.click()
    page.fill("#body-7-value-options-1-value", "服务器")
    _add_block(page, "给编辑部回信")
    page.fill("#body-8-value-heading", "写信给我们")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/edit/")
    # "... 已创建" (created), or "... 已被更新" (updated) when the autosave had already made the draft.
    page.locator(".messages").get_by_text(re.compile("已创建|已被更新")).wait_for(timeout=30000)
    issue = IssuePage.objects.get(title="二〇二七年一月刊")
    assert [child.block_type for child in issue.get_latest_revision_as_object().body] == [
        "article", "product_knowledge", "technical_note", "company_news", "image", "call_to_action", "helpful",
        "poll", "reply_prompt"]
    assert IssuePage.objects.filter(slug=issue.slug).count() == 1  # the autosave left no second draft

    # Preview as email in the preview panel: the email's own styles apply (not the site's policy).
    page.goto(live_server.url + f"/admin/pages/{issue.pk}/edit/")
    page.click("button[data-side-panel-toggle='preview']")
    # As an editor would, wait for the web preview to show before switching modes: Wagtail drops a mode
    # change made while the panel's first update is still in flight.
    page.frame_locator("#w-preview-iframe").get_by_text("文章标题").first.wait_for(timeout=60000)
    page.select_option("#id_preview_mode", "email")
    try:
        email_frame = wait_until(lambda: _email_frame(page, "文章标题"), timeout=60, message="the email preview")
    finally:
        page.screenshot(path=str(SHOTS / "journey-preview.png"))
    # The email's inline styles apply (under the public policy the button was blue on blue).
    colour = email_frame.locator("a", has_text="立即报名").evaluate("a => getComputedStyle(a).color")
    assert colour == "rgb(255, 255, 255)", colour
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "journey-preview.png"))

    # Publish the Chinese issue, then translate it to English.
    _publish(page)
    page.wait_for_url(f"**/admin/pages/{journal['index'].pk}/**")
    page.goto(live_server.url + f"/admin/pages/{issue.pk}/edit/")
    page.locator("header .w-dropdown__toggle").first.click()
    page.locator("header").get_by_role("link", name="翻译").click()
    page.get_by_label("English").check()
    page.locator("main form input[type=submit]").click()
    page.wait_for_url("**/edit/")
    english = IssuePage.objects.get(translation_key=issue.translation_key, locale__language_code="en")
    page.fill("#id_title", "January 2027 issue")
    page.fill("#id_preheader", "In this issue: new products and a technical note")
    page.fill("#body-0-value-heading", "Article heading")
    _publish(page)
    page.wait_for_url(f"**/admin/pages/{journal['index_en'].pk}/**")
    english.refresh_from_db()
    assert english.live and english.title == "January 2027 issue"

    # The listing tells the copies apart and links them.
    page.goto(live_server.url + "/admin/journal_issues/")
    row = page.locator("tr", has_text="二〇二七年一月刊")
    assert "50" in row.inner_text() and "2027年1月" in row.inner_text() and "未发送" in row.inner_text()
    assert row.locator("a[lang=en]").get_attribute("href") == f"/admin/pages/{english.pk}/edit/"
    page.screenshot(path=str(SHOTS / "journey-listing.png"), full_page=True)

    # Both feeds list it, titled in their language.
    for language, title in [("zh-hans", "二〇二七年一月刊（第 50 期，2027年1月）"),
                            ("en", "January 2027 issue (No. 50, January 2027)")]:
        feed = ET.fromstring(page.request.get(live_server.url + f"/{language}/journal/feed/").body())
        assert feed.find("./channel/item/title").text == title

    # Send it; the reader receives it through the real worker and the loopback SMTP server.
    page.goto(live_server.url + f"/admin/journal/send/{issue.pk}/")
    page.get_by_role("button", name="发送期刊").click()
    page.wait_for_url("**/progress/")
    received = smtp_server.wait_for(1, timeout=120)
    message = received[0]["message"]
    assert received[0]["to"] == [reader.person.email]
    assert "二〇二七年一月刊" in message["Subject"]
    html = message.get_body(("html",)).get_content()
    links = sorted(set(re.findall(r'href="(https?://[^"]+)"', html)))
    assert links and all(link.startswith(settings.BASE_URL) for link in links), links
    for link in links:
        if link.startswith(settings.BASE_URL):
            response = page.request.get(live_server.url + link[len(settings.BASE_URL):], max_redirects=0)
            assert response.status < 400, link
    unsubscribe = next(link for link in links if "/journal/unsubscribe/" in link)
    page.goto(live_server.url + unsubscribe[len(settings.BASE_URL):])
    page.locator("main form button[type=submit]").click()
    wait_until(lambda: Subscriber.objects.get(pk=reader.pk).status == Subscriber.Status.UNSUBSCRIBED,
               message="unsubscribed")
