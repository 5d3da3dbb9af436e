"""The editors' listing of section answers names each section by its issue and heading in the
editor's language (never by its internal id), and its filters read in that language too."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.users.models import UserProfile

from home.roles import EDITORS

pytestmark = pytest.mark.django_db


def _editor(client, language):
    user = get_user_model().objects.create_user("bianji", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    client.force_login(user)


def _heading(issue, block_id):
    value = next(c for c in issue.body.raw_data if c["id"] == block_id)["value"]
    return value["heading"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_answers_are_listed_by_issue_and_section_heading(client, journal, language):
    issue = journal["issue"]  # answered on the Chinese issue; its English translation keeps the section ids
    helpful = next(child for child in issue.body if child.block_type == "helpful")
    client.post(f"/zh-hans/journal/answer/{issue.pk}/{helpful.id}/", {"choice": "yes"})
    shown = journal["issue_en"] if language == "en" else issue
    assert shown.translation_key == issue.translation_key

    _editor(client, language)
    url = reverse("journal_answers:index")
    html = client.get(url).content.decode()
    rows = re.findall(r"<tbody>.*?</tbody>", html, re.S)[0]
    assert shown.title in rows and _heading(shown, helpful.id) in rows
    assert helpful.id not in rows and helpful.id[:8] not in rows

    # The dashboard's link: filtered by section and date; the active filters say so in the editor's language.
    html = client.get(url, {"issue": issue.pk, "block_id": helpful.id,
                            "created_at__gte": "2020-01-01 00:00:00"}).content.decode()
    assert "1 answer" in html or "1 个" in html  # the filters apply
    chips = " ".join(re.findall(r"<li class=\"w-pill\">.*?</li>", html, re.S))
    if language == "zh-hans":
        assert "回答时间 起" in chips and "is greater than" not in html
        assert "栏目" in chips
    else:
        assert "Answered from" in chips
    section_chip = next(chip for chip in re.findall(r'<b class="w-ml-1">(.*?)</b>', chips, re.S)
                        if _heading(shown, helpful.id) in chip)
    assert shown.title in section_chip and helpful.id not in section_chip
    assert shown.title in re.findall(r'<b class="w-ml-1">(.*?)</b>', chips, re.S)  # the issue's own pill
