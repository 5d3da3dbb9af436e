"""A customer asks for their data on a public page: confirmed by email first, delivered only through a
signed, expiring link. Consents are withdrawn from a signed link as easily as they were given."""

import io
import json
import re
import time
import zipfile
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from home.models import Consent, OutboxMessage, RightsRequest
from home.selectors import consent_current
from home.services.consent import consent_manage_url, consent_record
from home.services.people import person_match_or_create
from home.services.rights import ARCHIVE_SALT
from home.tasks import rights_request_export_task

pytestmark = pytest.mark.django_db
EMAIL = "li.lei@customer.example.cn"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def link_in(message, pattern):
    match = re.search(r"https://journal\.example\.com(/[^\s\"<]*" + pattern + r"[^\s\"<]*)", message.text)
    assert match, message.text
    return match.group(1)


@pytest.fixture
def li_lei(db):
    person = person_match_or_create(name="李雷", email=EMAIL, mobile="13800138000", language="en")
    consent_record(person=person, purpose=Consent.Purpose.JOURNAL, granted=True, source="journal subscribe form",
                   text="I want the monthly e-journal.", text_version="2026-01")
    return person


def submit(client, email=EMAIL, kind="access"):
    return client.post("/en/privacy/request/", {"email": email, "kind": kind, "details": ""})


def test_the_request_page_is_labelled_and_in_both_languages(client):
    en = client.get("/en/privacy/request/").content.decode()
    assert '<label for="id_email">Your email address</label>' in en
    assert "<legend>What would you like us to do?</legend>" in en
    zh = client.get("/zh-hans/privacy/request/").content.decode()
    assert 'lang="zh-Hans"' in zh and "您的个人信息" in zh


def test_nothing_is_exported_before_the_email_is_confirmed_then_a_signed_link_delivers_it(client, li_lei,
                                                                                     django_capture_on_commit_callbacks):
    response = submit(client)
    assert response.status_code == 302 and response["Location"] == "/en/privacy/request/sent/"
    request = RightsRequest.objects.get(email=EMAIL)
    assert request.state == RightsRequest.State.UNCONFIRMED and not request.archive
    confirm_mail = OutboxMessage.objects.get(kind="rights_confirm", to_email=EMAIL)
    confirm_path = link_in(confirm_mail, "/privacy/confirm/")
    assert confirm_path == f"/en/privacy/confirm/{request.token}/"

    # Following the link (as a mail scanner would) changes nothing; the button does.
    page = client.get(confirm_path)
    assert page.status_code == 200 and "Confirm my request" in page.content.decode()
    request.refresh_from_db()
    assert request.state == RightsRequest.State.UNCONFIRMED
    with django_capture_on_commit_callbacks() as callbacks:
        done = client.post(confirm_path)
    assert "your request is confirmed" in done.content.decode()
    assert len(callbacks) == 1  # the export task is enqueued after commit
    request.refresh_from_db()
    assert request.state == RightsRequest.State.OPEN and request.confirmed_at

    rights_request_export_task(request.pk)  # what the worker runs
    rights_request_export_task(request.pk)  # twice: still one archive, one email
    request.refresh_from_db()
    assert request.state == RightsRequest.State.COMPLETED and request.archive
    archive_mail = OutboxMessage.objects.get(kind="rights_archive", to_email=EMAIL)
    download = link_in(archive_mail, "/privacy/download/")
    assert request.archive.name not in archive_mail.text  # the file is named by no one but the signed link

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        data = json.loads(archive.read("data.json"))
        people = data["records"]["home.Person"]["rows"]
        assert people[0]["name"] == "李雷" and people[0]["mobile"] == "+8613800138000"
        ledger = data["records"]["home.Consent"]["rows"]
        assert ledger[0]["text"] == "I want the monthly e-journal." and ledger[0]["source"] == "journal subscribe form"
        consents_csv = archive.read("home-Consent.csv").decode("utf-8-sig")
        assert "text version" in consents_csv.splitlines()[0] and "2026-01" in consents_csv


def test_forged_guessed_or_expired_links_give_nothing(client, li_lei):
    submit(client)
    request = RightsRequest.objects.get(email=EMAIL)
    client.post(f"/en/privacy/confirm/{request.token}/")
    rights_request_export_task(request.pk)

    assert client.get(f"/en/privacy/download/{request.token}/").status_code == 410  # unsigned token
    assert client.get(f"/en/privacy/download/{request.token}:1abc:forged/").status_code == 410

    class OldSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 8 * 24 * 3600)

    expired = OldSigner(salt=ARCHIVE_SALT).sign(request.token)
    response = client.get(f"/en/privacy/download/{expired}/")
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert client.get("/en/privacy/confirm/not-a-token/").status_code == 404


def test_a_confirmation_link_expires_after_48_hours(client, li_lei):
    submit(client)
    request = RightsRequest.objects.get(email=EMAIL)
    RightsRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - timedelta(hours=49))
    response = client.post(f"/en/privacy/confirm/{request.token}/")
    assert response.status_code == 400 and "expired" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RightsRequest.State.UNCONFIRMED


def test_an_erasure_request_waits_for_the_care_team_after_confirmation(client, li_lei):
    submit(client, kind="erasure")
    request = RightsRequest.objects.get(email=EMAIL)
    response = client.post(f"/en/privacy/confirm/{request.token}/")
    assert "within 15 working days" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RightsRequest.State.OPEN and not request.archive
    li_lei.refresh_from_db()
    assert li_lei.email == EMAIL  # nothing erased without a care manager


def test_the_form_cannot_flood_an_address(client):
    for _ in range(5):
        assert submit(client, email="victim@example.com").status_code == 302
    assert OutboxMessage.objects.filter(to_email="victim@example.com").count() == 3
    assert submit(client, email="victim@example.com").status_code == 429  # the address's rate limit
    assert client.post("/en/privacy/request/", {"email": "not an email", "kind": "access"}).status_code == 429


def test_a_consent_is_withdrawn_from_a_signed_link(client, li_lei):
    url = consent_manage_url(person=li_lei)
    path = url.replace("https://journal.example.com", "")
    assert path.startswith("/en/privacy/consent/")
    page = client.get(path).content.decode()
    assert "e-journal subscription" in page and "Withdraw consent" in page
    response = client.post(path, {"purpose": Consent.Purpose.JOURNAL})
    assert response.status_code == 200 and "Withdrawn: e-journal subscription" in response.content.decode()
    assert not consent_current(person=li_lei, purpose=Consent.Purpose.JOURNAL)
    latest = Consent.objects.filter(person=li_lei).first()
    assert latest.granted is False and latest.source == "consent page"
    assert client.get(path.replace("/consent/", "/consent/x")).status_code == 404
    assert client.get(f"/en/privacy/consent/{li_lei.pk}/").status_code == 404  # unsigned id
