import pytest
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import rich_text

from home.models import HomePage, StandardPage

pytestmark = pytest.mark.django_db


def test_root_redirects_to_the_browsers_language(client, home_pages):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")["Location"] == "/en/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")["Location"] == "/zh-hans/"


@pytest.mark.parametrize("path, lang, title", [("/zh-hans/", "zh-Hans", "客户关怀与电子期刊"), ("/en/", "en", "Care & Journal")])
def test_home_page_in_each_language(client, home_pages, path, lang, title):
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{title.replace('&', '&amp;')}</h1>" in html
    assert "400-800-8888" in html  # hotline from the site settings
    assert 'href="/en/"' in html and 'href="/zh-hans/"' in html


def test_interface_strings_are_translated(client, home_pages):
    zh = client.get("/zh-hans/").content.decode()
    en = client.get("/en/").content.decode()
    assert "跳到正文" in zh and "Skip to content" in en
    assert "服务热线" in zh and "Service hotline" in en
    # A label's colon as each language writes it ({% colon %}): full width, no space, in Chinese.
    assert '服务热线：<a href="tel:' in zh and 'Service hotline: <a href="tel:' in en


def test_not_found_page_is_translated(client, home_pages):
    response = client.get("/zh-hans/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_security_headers_on_public_and_admin_responses(client, home_pages):
    for path in ["/zh-hans/", "/admin/login/"]:
        response = client.get(path)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Frame-Options"] in {"SAMEORIGIN", "DENY"}
        assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    public_csp = client.get("/zh-hans/")["Content-Security-Policy"]
    assert "script-src 'self';" in public_csp and "unsafe-inline" not in public_csp.split("script-src")[1].split(";")[0]


def test_healthz(client):
    assert client.get("/healthz/").json() == {"status": "ok", "database": "ok", "broker": "ok"}


class TestHomePageTypes(WagtailPageTestCase):
    def test_can_create_and_render(self):
        from home.demo.pages import _home_pages

        pages = _home_pages()
        self.login()
        self.assertCanCreateAt(HomePage, StandardPage)
        self.assertCanCreate(
            pages["zh-hans"], StandardPage, {"title": "关于我们", "slug": "about", "body": rich_text("<p>文本</p>"), "action-publish": "1"}
        )
        # these two log the client out when they finish
        self.assertPageIsRenderable(pages["zh-hans"])
        self.assertPageIsPreviewable(pages["en"])
