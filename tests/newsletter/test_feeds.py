"""The feeds: one per language, titles in that language, true enclosures, every address at BASE_URL."""

import os
import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize("language, title_part, month", [
    ("zh-hans", "（第 {number} 期，{year}年{month}月）", None), ("en", " (No. {number}, {month_name} {year})", "%B"),
])
def test_feed_per_language_with_translated_titles_and_true_enclosures(client, journal, language, title_part, month):
    issue = journal["issue"] if language == "zh-hans" else journal["issue_en"]
    root = ET.fromstring(client.get(f"/{language}/journal/feed/", HTTP_HOST="other-host:8101").content)
    channel = root.find("channel")
    assert channel.find("link").text == f"https://journal.example.com/{language}/journal/"
    assert channel.find(f"{ATOM}link").get("href") == f"https://journal.example.com/{language}/journal/feed/"
    item = channel.findall("item")[0]
    expected = issue.title + title_part.format(number=issue.issue_number, year=issue.issue_date.year,
                                               month=issue.issue_date.month,
                                               month_name=issue.issue_date.strftime(month or "%m"))
    assert item.find("title").text == expected
    assert item.find("link").text == "https://journal.example.com" + issue.url

    enclosure = item.find("enclosure")
    rendition = issue.cover_image.get_rendition("width-1200")
    assert enclosure.get("url") == "https://journal.example.com" + rendition.url
    assert int(enclosure.get("length")) == os.path.getsize(rendition.file.path) > 0
    extension = rendition.file.name.rsplit(".", 1)[1].lower()
    assert enclosure.get("type") == {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
                                     "webp": "image/webp", "gif": "image/gif"}[extension]
