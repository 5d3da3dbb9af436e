"""The public complaint form: bilingual, validated, rate limited; the private status page."""

import re

import pytest

from care.models import Complaint
from care.services.complaints import complaint_start
from home.models import OutboxMessage
from home.roles import CARE_STAFF
from tests.care.complaint_helpers import complaint, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()

FORM = {
    "kind": "complaint", "category": "network", "product_line": "", "summary": "宽带每天断线",
    "description": "下午三点左右<script>alert(1)</script>断线", "name": "林小红", "email": "lin@example.com",
    "mobile": "138 0013 8000", "organisation": "", "website": "",
}


def test_form_is_labelled_in_both_languages(client):
    zh = client.get("/zh-hans/care/complaints/new/").content.decode()
    en = client.get("/en/care/complaints/new/").content.decode()
    assert '<label for="id_summary">' in zh and '<label for="id_email">' in zh
    assert "Your message" in en and 'lang="en"' in en
    assert "<script" not in zh.split("</head>")[1].replace('src="', "")  # no inline script


def test_filing_shows_and_emails_the_reference(client):
    response = client.post("/zh-hans/care/complaints/new/", FORM)
    assert response.status_code == 302 and response["Location"] == "/zh-hans/care/complaints/thanks/"
    item = Complaint.objects.get()
    assert item.person.mobile == "+8613800138000" and "<script" not in item.description
    thanks = client.get("/zh-hans/care/complaints/thanks/").content.decode()
    assert item.reference in thanks
    mail = OutboxMessage.objects.get(kind="care.complaint_received")
    assert mail.to_email == "lin@example.com" and item.reference in mail.subject


def test_invalid_input_is_shown_and_nothing_stored(client):
    response = client.post("/en/care/complaints/new/", {**FORM, "email": "not-an-email", "mobile": "12"})
    page = response.content.decode()
    assert response.status_code == 200 and "Enter a valid email address." in page
    assert not Complaint.objects.exists()
    bot = client.post("/en/care/complaints/new/", {**FORM, "website": "http://spam.example"})
    assert bot.status_code == 200 and not Complaint.objects.exists()


def test_form_is_rate_limited(client):
    for i in range(5):
        client.post("/zh-hans/care/complaints/new/", {**FORM, "email": f"u{i}@example.com"})
    assert client.post("/zh-hans/care/complaints/new/", {**FORM, "email": "u9@example.com"}).status_code == 429
    assert Complaint.objects.count() == 5


def test_status_page_shows_the_state_and_nothing_of_other_customers(client):
    staff = staff_user("wang", CARE_STAFF)
    mine = complaint(staff, name="林小红", email="lin@example.com", summary="我的问题")
    other = complaint(staff, name="高强", email="gao@example.com", summary="别人的问题")
    complaint_start(complaint_id=mine.pk, acting_user=staff)
    response = client.get(f"/zh-hans/care/complaints/status/{mine.status_token}/")
    page = response.content.decode()
    assert response.status_code == 200 and response["Referrer-Policy"] == "same-origin"
    assert mine.reference in page and "我的问题" in page
    assert "别人的问题" not in page and other.reference not in page and "高强" not in page
    assert "wang" not in page  # no staff names
    assert re.search(r'class="state">[^<]+<', page)
    assert client.get(f"/zh-hans/care/complaints/status/{mine.reference}/").status_code == 404
    assert client.get("/zh-hans/care/complaints/status/x/").status_code == 404
