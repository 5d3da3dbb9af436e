"""Editors translate issues; the issue listing tells the copies apart; autosaved drafts never block a slug."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Locale

from home.models import ProductLine
from home.roles import EDITORS
from newsletter.models import IssuePage
from newsletter.services.issues import issue_drafts_abandoned_delete
from tests.newsletter.journal_data import issue_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, journal):
    user = get_user_model().objects.create_user(username="editor", password="x-pass-12345", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    client.user = user
    return client


def _form(**kwargs):
    return issue_form_data(product_line_id=ProductLine.objects.get(slug="pc").pk,
                           image_id=get_image_model().objects.first().pk, **kwargs)


def _add_url(journal):
    return f"/admin/pages/add/newsletter/issuepage/{journal['index'].pk}/"


def test_editor_translates_an_issue_and_the_listing_links_both(editor_client, journal):
    editor_client.post(_add_url(journal), _form(slug="2027-01", number=43, date="2027-01-01"))
    issue = IssuePage.objects.get(slug="2027-01", locale__language_code="zh-hans")
    url = reverse("simple_translation:submit_page_translation", args=[issue.pk])
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(url, {"locales": [Locale.objects.get(language_code="en").pk]})
    english = IssuePage.objects.get(translation_key=issue.translation_key, locale__language_code="en")
    assert response.url == reverse("wagtailadmin_pages:edit", args=[english.pk])
    assert english.get_parent().specific == journal["index_en"]

    listing = editor_client.get(reverse("journal_issues:index")).content.decode()
    edit_en = reverse("wagtailadmin_pages:edit", args=[english.pk])
    edit_zh = reverse("wagtailadmin_pages:edit", args=[issue.pk])
    assert f'<a href="{edit_en}" lang="en">English</a>' in listing
    assert f'<a href="{edit_zh}" lang="zh-hans">简体中文</a>' in listing
    assert "2027年1月" in listing  # the month, in the editor's language
    assert "未发送" in listing  # delivery state: not sent
    assert "草稿" in listing  # draft


def test_autosaved_draft_never_blocks_the_slug(editor_client, journal):
    # The autosave creates a draft as soon as the form is touched; the editor walks away.
    editor_client.post(_add_url(journal), _form(slug="2027-02", title="Half typed"), HTTP_ACCEPT="application/json")
    assert IssuePage.objects.filter(slug="2027-02").count() == 1
    # The next attempt with the same slug succeeds and leaves one issue.
    response = editor_client.post(_add_url(journal), _form(slug="2027-02", title="February"))
    assert response.status_code == 302, response.content.decode()[:500]
    assert list(IssuePage.objects.filter(slug="2027-02").values_list("title", flat=True)) == ["February"]


def test_stale_abandoned_drafts_are_swept_saved_and_translated_ones_kept(editor_client, journal):
    editor_client.post(_add_url(journal), _form(slug="2027-03", title="Forgotten"), HTTP_ACCEPT="application/json")
    editor_client.post(_add_url(journal), _form(slug="2027-04", title="Kept"))
    kept = IssuePage.objects.get(slug="2027-04")
    editor_client.post(reverse("simple_translation:submit_page_translation", args=[kept.pk]),
                       {"locales": [Locale.objects.get(language_code="en").pk]})
    assert issue_drafts_abandoned_delete() == 0  # not stale yet
    IssuePage.objects.filter(slug__in=["2027-03", "2027-04"]).update(
        latest_revision_created_at=timezone.now() - timedelta(hours=2))
    assert issue_drafts_abandoned_delete() == 1
    assert set(IssuePage.objects.filter(slug__startswith="2027-0").values_list("slug", "locale__language_code")) == {
        ("2027-04", "zh-hans"), ("2027-04", "en")}
