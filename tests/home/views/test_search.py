"""The public search page: Chinese words found in issues, knowledge articles and courses, grouped by
kind with highlighted snippets; filter by product line; pages; suggestions when nothing is found."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(demo_content):
    return demo_content


def test_header_box_leads_to_grouped_highlighted_results(site, client):
    home = client.get("/zh-hans/").content.decode()
    assert 'role="search"' in home and 'name="q"' in home
    html = client.get("/zh-hans/search/", {"q": "钓鱼"}).content.decode()
    assert "<title>搜索：钓鱼" in html
    assert html.index("知识文章") < html.index("电子期刊各期")
    assert "如何识别<mark>钓鱼</mark>邮件？" in html
    assert "企业邮箱防<mark>钓鱼</mark>指南" in html


def test_english_page_and_product_codes(site, client):
    html = client.get("/en/search/", {"q": "SG-200"}).content.decode()
    assert 'lang="en"' in html
    assert "Security gateway firmware 5.2" in html
    assert "<mark>SG-200</mark>" in html


def test_filter_by_product_line(site, client):
    html = client.get("/zh-hans/search/", {"q": "固件", "product_line": "firewall"}).content.decode()
    assert "安全网关<mark>固件</mark>升级失败怎么办？" in html
    html = client.get("/zh-hans/search/", {"q": "固件", "product_line": "mail"}).content.decode()
    assert "升级失败怎么办？" not in html


def test_nothing_found_suggests_the_product_lines_articles_and_the_hotline(site, client):
    html = client.get("/zh-hans/search/", {"q": "打印机卡纸", "product_line": "hosting"}).content.decode()
    assert "没有找到" in html
    assert "如何从备份恢复云主机？" in html
    assert "400-800-8888" in html


def test_results_are_paginated(site, client, monkeypatch):
    from home.views import search

    monkeypatch.setattr(search, "PER_PAGE", 2)
    first = client.get("/zh-hans/search/", {"q": "升级"}).content.decode()
    second = client.get("/zh-hans/search/", {"q": "升级", "page": 2}).content.decode()
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert "第 2 页" in second


def test_courses_are_found(site, client):
    from training.models import CoursePage

    course = CoursePage.objects.live().filter(locale__language_code="zh-hans").first()
    html = client.get("/zh-hans/search/", {"q": course.title}).content.decode()
    assert "课程" in html and course.url in html
