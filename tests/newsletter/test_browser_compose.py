"""An editor composes an issue with every section type, previews it as email and publishes it.

The StreamField content (nine block types, with choosers) is posted through the admin's own page
form as a draft; signing in, the preview (web and email modes) and publishing are done in Chromium.
"""

import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.images import get_image_model

from home.models import ProductLine
from newsletter.models import IssuePage
from tests.newsletter.journal_data import SECTION_HEADINGS, issue_form_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_composes_previews_as_email_and_publishes(page, live_server, journal):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "correct-horse-9")
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()

    # The draft with every section type, through the admin's page form.
    admin = Client()
    admin.force_login(user)
    data = issue_form_data(product_line_id=ProductLine.objects.get(slug="pc").pk,
                           image_id=get_image_model().objects.first().pk, title="Browser issue", slug="2027-01",
                           number=43, date="2027-01-01")
    admin.post(f"/admin/pages/add/newsletter/issuepage/{journal['index'].pk}/", data)
    issue = IssuePage.objects.get(slug="2027-01")
    assert not issue.live

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "correct-horse-9")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

    page.goto(live_server.url + f"/admin/pages/{issue.pk}/edit/")
    page.locator("#body-8-value-heading").wait_for()
    for i, heading in enumerate(SECTION_HEADINGS.values()):
        assert page.locator(f"#body-{i}-value-heading").input_value() == heading
    page.fill("#id_preheader", "Preheader typed in the browser")

    # Preview: web first, then the email mode.
    page.click("button[data-side-panel-toggle='preview']")
    frame = page.frame_locator("#w-preview-iframe")
    frame.locator("h1").filter(has_text="Browser issue").wait_for()
    page.select_option("#id_preview_mode", "email")
    # The email sits in a sandboxed frame of the preview (desktop width), as a mail program shows it.
    frame = frame.frame_locator(".desktop iframe")
    # The issue is in Chinese (it sits in the Chinese archive): so is its email.
    frame.get_by_role("link", name="退订").wait_for(timeout=45000)  # the preview reloads on a slow machine
    assert frame.get_by_role("link", name="邮件偏好设置").count() == 1
    assert frame.get_by_text("Preheader typed in the browser").count() >= 1
    assert frame.locator("form").count() == 0  # the email has links, not the web page's forms
    for heading in SECTION_HEADINGS.values():
        assert frame.get_by_text(heading).count() >= 1, heading

    # Publish from the footer's action menu.
    publish = page.locator("button[name='action-publish']")
    if not publish.is_visible():
        page.locator(".w-dropdown-button").get_by_role("button", name="More actions").click()
    publish.click()
    page.wait_for_url(f"**/admin/pages/{journal['index'].pk}/**")
    issue.refresh_from_db()
    assert issue.live and issue.preheader == "Preheader typed in the browser"

    # First in the archive and in the feed.
    page.goto(live_server.url + "/zh-hans/journal/")
    assert page.locator(".issue-item h2").first.inner_text() == "Browser issue"
    feed = page.request.get(live_server.url + "/zh-hans/journal/feed/")
    items = ET.fromstring(feed.body()).findall("./channel/item")
    assert items[0].find("title").text.startswith("Browser issue")
