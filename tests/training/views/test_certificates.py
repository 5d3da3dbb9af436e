"""The public verification page: valid, expired, revoked and unknown numbers; masking; no listing;
rate limit; revocation seen at once; the QR address."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.utils import timezone

from training.services.certificates import certificate_create, certificate_revoke
from training.views import certificates as certificate_views

from .. import certificate_helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(home_pages):
    return h.course(home_pages)


def issue(course, *, name="张伟", days_ago=10):
    day = timezone.localdate() - timedelta(days=days_ago)
    return certificate_create(person=h.person(name=name), course=course, class_date=day, issued_on=day)


def verify(client, number, lang="zh-hans", **extra):
    return client.get(f"/{lang}/certificates/verify/", {"number": number}, **extra)


def test_valid_certificate(client, course):
    certificate = issue(course)
    response = verify(client, certificate.number)
    html = response.content.decode()
    assert response.status_code == 200
    assert "有效证书" in html  # "Valid certificate"
    assert "张*" in html and "张伟" not in html
    assert "安全网关认证工程师" in html and certificate.number in html
    assert certificate.expires_on.strftime("%Y-%m-%d") in html
    assert response["Cache-Control"] == "no-store"
    english = verify(client, certificate.number, lang="en").content.decode()
    assert "Valid certificate" in english and "Certified security gateway engineer" in english


def test_expired_certificate(client, course):
    lapsed = issue(course, name="李娜", days_ago=(timezone.localdate() - (timezone.localdate() - relativedelta(months=24))).days + 1)
    assert lapsed.expires_on == timezone.localdate() - timedelta(days=1)
    html = verify(client, lapsed.number, lang="en").content.decode()
    assert "Expired certificate" in html and "Valid certificate" not in html
    assert f"expired on {lapsed.expires_on:%Y-%m-%d}" in html
    assert "L*" not in html and "李*" in html


def test_revocation_shows_at_once(client, course):
    certificate = issue(course)
    assert "Valid certificate" in verify(client, certificate.number, lang="en").content.decode()
    certificate_revoke(certificate_id=certificate.pk, reason="考核作弊 cheating", acting_user=None)
    html = verify(client, certificate.number, lang="en").content.decode()
    assert "Revoked certificate" in html and "Valid certificate" not in html
    assert "cheating" not in html  # the reason stays internal
    assert "已撤销" in verify(client, certificate.number).content.decode()


@pytest.mark.parametrize("number", ["C2026ABCDEFGHJK", "C2026", "C", "%", "' OR 1=1 --", "c2026*"])
def test_made_up_numbers_show_nothing(client, course, number):
    real = issue(course)
    response = verify(client, number, lang="en")
    html = response.content.decode()
    assert response.status_code in (400, 404)
    assert real.number not in html and "张" not in html
    if response.status_code == 404:
        assert "No certificate found" in html


def test_number_typed_loosely_is_found(client, course):
    certificate = issue(course)
    loose = f" {certificate.number[:5].lower()}-{certificate.number[5:10].lower()} {certificate.number[10:]} "
    assert verify(client, loose).status_code == 200


def test_qr_address_without_language_leads_to_the_result(client, course):
    certificate = issue(course)
    response = client.get(f"/certificates/verify/{certificate.number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == f"/en/certificates/verify/{certificate.number}/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Valid certificate" in page.content.decode()


def test_empty_form_lists_nothing(client, course):
    issue(course)
    response = client.get("/en/certificates/verify/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="number"' in html and "<label" in html
    assert "C20" not in html.split('id="number-help"')[0].split("<main")[1].replace('maxlength', '')


def test_lookups_are_rate_limited_per_client(client, course, monkeypatch):
    monkeypatch.setattr(certificate_views, "VERIFY_LIMIT", 5)
    certificate = issue(course)
    for n in range(5):
        assert verify(client, f"C2026AAAAAAAA{n:02d}").status_code == 404
    assert verify(client, certificate.number).status_code == 429
    # another address is not affected
    assert verify(client, certificate.number, REMOTE_ADDR="10.0.0.9").status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_partner_checks_a_certificate_in_chromium(page, live_server, home_pages):
    course = h.course(home_pages)
    certificate = issue(course)
    page.goto(live_server.url + "/zh-hans/certificates/verify/")
    page.get_by_label("证书编号").fill(certificate.number.lower())
    page.get_by_role("button", name="验证").click()
    assert page.get_by_role("heading", name="有效证书").is_visible()
    assert page.get_by_role("cell", name="张*").is_visible()
    page.goto(live_server.url + "/zh-hans/certificates/verify/C2026AAAAAAAAAA/")
    assert page.get_by_role("heading", name="未找到证书").is_visible()
