"""Chinese-aware search on the database backends (SQLite here; PostgreSQL when DATABASE_URL points at it):
two-character words inside longer Chinese titles and bodies are found, English and product codes too,
a title match ranks above a body match, and the admin's page search uses the same index."""

import pytest
from wagtail.models import Page

from home.models import StandardPage

pytestmark = pytest.mark.django_db


def _page(parent, title, body=""):
    page = StandardPage(title=title, body=body)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def pages(home_pages):
    home = home_pages["zh-hans"]
    return {
        "phishing": _page(home, "企业邮箱防钓鱼指南", "<p>识别 phishing 邮件的五个方法。</p>"),
        "backup": _page(home, "每周检查一次", "<p>服务器数据备份与恢复的步骤。</p>"),
        "firmware": _page(home, "SG-100 防火墙固件升级到 5.3", "<p>升级前先导出配置，VPN 隧道会中断。</p>"),
        "firmware_body": _page(home, "升级注意事项", "<p>所有设备的固件都应及时更新。</p>"),
        "unrelated": _page(home, "培训报名须知", "<p>请提前十分钟到场。</p>"),
    }


def _titles(query, **kwargs):
    return [p.title for p in Page.objects.live().specific().search(query, **kwargs)]


@pytest.mark.parametrize(("query", "expected"), [
    ("钓鱼", "企业邮箱防钓鱼指南"),
    ("邮箱防钓鱼指南", "企业邮箱防钓鱼指南"),
    ("企业邮箱", "企业邮箱防钓鱼指南"),
    ("phishing", "企业邮箱防钓鱼指南"),
    ("备份", "每周检查一次"),
    ("数据备份", "每周检查一次"),
    ("SG-100", "SG-100 防火墙固件升级到 5.3"),
    ("VPN", "SG-100 防火墙固件升级到 5.3"),
    ("vpn 隧道", "SG-100 防火墙固件升级到 5.3"),
    ("5.3", "SG-100 防火墙固件升级到 5.3"),
])
def test_words_inside_longer_chinese_text_and_codes_are_found(pages, query, expected):
    titles = _titles(query)
    assert expected in titles
    assert "培训报名须知" not in titles


def test_a_word_not_in_any_page_finds_nothing(pages):
    assert _titles("打印机") == []


def test_title_match_ranks_above_body_match(pages):
    titles = _titles("固件")
    assert titles[:2] == ["SG-100 防火墙固件升级到 5.3", "升级注意事项"]


def test_all_words_of_a_query_must_match(pages):
    assert _titles("固件 钓鱼") == []
    assert _titles("固件 钓鱼", operator="or")[:1] != []


def test_operator_characters_in_a_query_are_words(pages):
    assert "企业邮箱防钓鱼指南" in _titles('"钓鱼" (phishing')


def test_admin_page_search_uses_the_same_index(pages, admin_client):
    response = admin_client.get("/admin/pages/search/", {"q": "钓鱼"})
    assert response.status_code == 200
    assert "企业邮箱防钓鱼指南" in response.content.decode()
    assert "培训报名须知" not in response.content.decode()


def test_a_search_is_one_ranked_full_text_query_with_limit(pages):
    """The database ranks and limits (bm25 on SQLite, ts_rank on the GIN-indexed document on PostgreSQL);
    the objects are then fetched by key: two queries, whatever the number of rows searched."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        titles = [p.title for p in Page.objects.live().search("固件")[:2]]
    assert titles == ["SG-100 防火墙固件升级到 5.3", "升级注意事项"]
    assert len(queries.captured_queries) == 2
    ranked = queries.captured_queries[0]["sql"]
    assert "LIMIT 2" in ranked
    assert "bm25(" in ranked if connection.vendor == "sqlite" else "search_document" in ranked
