"""Every public and admin response carries the security headers; uploads are never rendered inline."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from wagtail.documents.models import Document

from home.roles import CARE_MANAGERS

pytestmark = pytest.mark.django_db


def assert_headers(response, *, public):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'self'" in csp or "sandbox" in csp, (response.request["PATH_INFO"], csp)
    assert "object-src 'none'" in csp or "default-src 'none'" in csp
    if public:
        script_src = next(part for part in csp.split(";") if part.strip().startswith(("script-src", "default-src")))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert response.headers.get("X-Frame-Options") in {"SAMEORIGIN", "DENY"}
    assert "camera=()" in response.headers.get("Permissions-Policy", "")


PUBLIC_PATHS = [
    "/",  # redirect to a language
    "/zh-hans/",
    "/en/",
    "/zh-hans/privacy/request/",
    "/en/privacy/request/sent/",
    "/en/privacy/download/forged-link/",
    "/zh-hans/no-such-page/",
    "/healthz/",
    "/admin/login/",
]


def test_every_public_response_carries_the_headers(client, home_pages):
    for path in PUBLIC_PATHS:
        response = client.get(path)
        assert response.status_code in {200, 301, 302, 404, 410}, path
        assert_headers(response, public=True)


def test_every_admin_response_carries_the_headers(client, home_pages):
    user = get_user_model().objects.create_user(username="cm", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=CARE_MANAGERS))
    client.force_login(user)
    for path in ["/admin/", "/admin/privacy/search/", "/admin/privacy/search/?email=a%40example.com",
                 "/admin/rights_requests/", "/admin/access_log/", "/admin/outbox/", "/admin/two-factor/setup/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_headers(response, public=False)


def test_hsts_is_sent_over_https_in_production(client, settings, home_pages):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/zh-hans/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("name, body", [
    ("evil.html", b"<html><script>alert(1)</script></html>"),
    ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
])
def test_uploaded_html_and_svg_are_never_served_inline(client, name, body):
    document = Document.objects.create(title=name, file=ContentFile(body, name=name))
    response = client.get(f"/documents/{document.pk}/{name}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
