import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.images import get_image_model
from wagtail.test.utils import WagtailPageTestCase

from home.models import HomePage, ProductLine
from home.roles import CARE_STAFF, EDITORS
from newsletter.models import IssuePage, JournalIndexPage
from tests.newsletter.journal_data import SECTION_HEADINGS, issue_form_data


@pytest.fixture
def journal_cls(request, journal):
    request.cls.journal = journal


@pytest.mark.usefixtures("journal_cls")
class TestJournalPages(WagtailPageTestCase):
    def test_archive_page(self):
        index = self.journal["index"]
        self.assertCanCreateAt(HomePage, JournalIndexPage)
        self.assertCanNotCreateAt(JournalIndexPage, JournalIndexPage)
        self.assertPageIsRenderable(index)
        self.assertPageIsPreviewable(index)

    def test_issue_page_can_be_created_with_every_section(self):
        index = self.journal["index"]
        image = get_image_model().objects.first()
        line = ProductLine.objects.get(slug="pc")
        self.login()
        self.assertCanCreate(index, IssuePage, issue_form_data(product_line_id=line.pk, image_id=image.pk))
        issue = IssuePage.objects.get(slug="2027-01")
        assert issue.live
        assert [child.block_type for child in issue.body] == list(SECTION_HEADINGS)
        assert issue.product_line_slugs == " pc "
        self.assertCanNotCreateAt(HomePage, IssuePage)

    def _post_data(self, issue, **changes):
        image = get_image_model().objects.first()
        line = ProductLine.objects.get(slug="pc")
        data = issue_form_data(product_line_id=line.pk, image_id=image.pk, title=issue.title, slug=issue.slug,
                               number=issue.issue_number, date=issue.issue_date.isoformat())
        return {**data, **changes}

    def test_issue_page_renders_and_previews_as_web_and_email(self):
        issue = self.journal["issue"]
        self.assertPageIsRenderable(issue)
        self.assertPageIsPreviewable(issue, mode="", post_data=self._post_data(issue))
        self.assertPageIsPreviewable(issue, mode="email", post_data=self._post_data(issue))

    def test_email_preview_shows_the_email(self):
        issue = self.journal["issue_en"]
        user = self.create_superuser("previewer")
        self.client.force_login(user)
        url = f"/admin/pages/{issue.pk}/edit/preview/"
        data = self._post_data(issue, title="Draft title only in preview")
        assert self.client.post(url + "?mode=email", data=data).json()["is_valid"]
        body = self.client.get(url, {"mode": "email"}).content.decode()
        assert "Draft title only in preview" in body
        assert "<mjml" not in body and "{{" not in body
        assert "Unsubscribe" in body and "Email preferences" in body
        assert "The January preheader" in body
        for heading in SECTION_HEADINGS.values():
            assert heading in body
        assert IssuePage.objects.get(pk=issue.pk).title != "Draft title only in preview"


pytestmark = pytest.mark.django_db


def test_archive_lists_newest_first_and_filters(client, journal):
    response = client.get("/en/journal/")
    html = response.content.decode()
    titles = [i.title for i in sorted((i for i in journal["issues"] if i.locale.language_code == "en"),
                                      key=lambda i: i.issue_date, reverse=True)]
    assert html.index(titles[0]) < html.index(titles[1])
    mail_only = client.get("/en/journal/", {"product_line": "mail"}).content.decode()
    assert titles[0] in mail_only and titles[1] not in mail_only
    firewall_only = client.get("/en/journal/", {"product_line": "firewall"}).content.decode()
    assert titles[1] in firewall_only and titles[0] not in firewall_only
    assert "No issues match" in client.get("/en/journal/", {"year": "2019"}).content.decode()
    assert titles[0] in client.get("/en/journal/", {"year": "2026"}).content.decode()


def test_archive_is_paginated(client, journal):
    JournalIndexPage.per_page = 1
    try:
        first = client.get("/en/journal/").content.decode()
        second = client.get("/en/journal/", {"page": 2}).content.decode()
    finally:
        JournalIndexPage.per_page = 12
    assert journal["issue_en"].title in first and journal["issue_en"].title not in second
    assert "Older issues" in first and "Newer issues" in second


def test_archive_in_chinese(client, journal):
    html = client.get("/zh-hans/journal/").content.decode()
    assert journal["issue"].title in html
    assert journal["issue_en"].title not in html


def test_feed_lists_issues_of_the_language_newest_first(client, journal):
    response = client.get("/en/journal/feed/")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    items = root.findall("./channel/item")
    assert items[0].find("title").text.startswith(journal["issue_en"].title)
    assert items[0].find("link").text == "https://journal.example.com" + journal["issue_en"].url
    assert len(items) == 2
    zh = ET.fromstring(client.get("/zh-hans/journal/feed/").content)
    assert zh.findall("./channel/item")[0].find("title").text.startswith(journal["issue"].title)


def test_issue_page_shares_well(client, journal):
    issue = journal["issue_en"]
    html = client.get(issue.url).content.decode()
    assert f'<meta property="og:title" content="{issue.title}">' in html
    assert f'<meta property="og:description" content="{issue.preheader}">' in html
    og_image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert og_image.startswith("https://journal.example.com/media/images/")
    for heading in [child.value["heading"] for child in issue.body]:
        assert heading in html
    # every section links to its translation through the language links
    assert journal["issue"].url in html


def _staff(role, username):
    user = get_user_model().objects.create_user(username, password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_editor_can_create_an_issue_and_care_staff_cannot(journal):
    index = journal["index"]
    image = get_image_model().objects.first()
    line = ProductLine.objects.get(slug="mail")
    data = issue_form_data(product_line_id=line.pk, image_id=image.pk)
    add_url = f"/admin/pages/add/newsletter/issuepage/{index.pk}/"

    care = Client()
    care.force_login(_staff(CARE_STAFF, "carer"))
    assert care.get(add_url).status_code in (302, 403)
    care.post(add_url, {**data, "action-publish": "action-publish"})
    assert not IssuePage.objects.filter(slug="2027-01").exists()

    editor = Client()
    editor.force_login(_staff(EDITORS, "ed"))
    assert editor.get(add_url).status_code == 200
    response = editor.post(add_url, {**data, "action-publish": "action-publish"})
    assert response.status_code == 302
    issue = IssuePage.objects.get(slug="2027-01")
    assert issue.live and issue.owner.username == "ed"


def test_editor_is_warned_about_email_problems(journal):
    index = journal["index"]
    image = get_image_model().objects.first()
    line = ProductLine.objects.get(slug="mail")
    data = issue_form_data(product_line_id=line.pk, image_id=image.pk, alt="")
    editor = Client()
    editor.force_login(_staff(EDITORS, "ed"))
    response = editor.post(f"/admin/pages/add/newsletter/issuepage/{index.pk}/", data, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("替代文字" in m for m in messages), messages  # the admin speaks Chinese by default
    assert not any("KB" in m for m in messages)


def test_email_problems_name_relative_links_and_size(journal, monkeypatch):
    import newsletter.emails as emails

    issue = journal["issue_en"]
    assert emails.issue_email_problems(issue) == []
    body = issue.body.raw_data
    body[0]["value"]["body"] = '<p>See <a href="www.example.com/x">this</a> and <a href="/en/journal/">that</a>.</p>'
    issue.body = body
    problems = emails.issue_email_problems(issue)
    assert len(problems) == 1 and "www.example.com/x" in problems[0] and "/en/journal/" not in problems[0]
    monkeypatch.setattr(emails, "EMAIL_SIZE_LIMIT", 1000)
    assert any("KB" in p for p in emails.issue_email_problems(issue))
