"""The public subscribe form: double opt-in with an expiring link, consent recorded, rate limits,
and nothing that tells a visitor whether an address is subscribed."""

import re

import pytest
from django.core import signing
from django.core.cache import cache

from home.models import Consent, OutboxMessage
from newsletter.models import Subscriber
from newsletter.services import subscribers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _subscribe(client, email="wang.fang@example.com", **extra):
    data = {"email": email, "name": "王芳", "company": "蓝海科技", "language": "zh-hans", "consent": "on", **extra}
    return client.post("/zh-hans/journal/subscribe/", data)


def _confirm_link(message):
    return re.search(r"https://journal\.example\.com(/zh-hans/journal/confirm/[^\s\"<]+/)", message.text).group(1)


def test_subscribe_confirm_and_consent(client):
    form = client.get("/zh-hans/journal/subscribe/")
    assert form.status_code == 200 and 'for="id_email"' in form.content.decode()
    response = _subscribe(client)
    assert response.status_code == 302
    subscriber = Subscriber.objects.get(person__email="wang.fang@example.com")
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.person.organisation.name == "蓝海科技"
    mail = OutboxMessage.objects.get(kind="journal_confirm")
    assert mail.to_email == "wang.fang@example.com"
    link = _confirm_link(mail)
    # A link scanner's GET confirms nothing.
    assert client.get(link).status_code == 200
    assert Subscriber.objects.get(pk=subscriber.pk).status == Subscriber.Status.PENDING
    done = client.post(link)
    assert done.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE and subscriber.confirmed_at
    consent = Consent.objects.get(person=subscriber.person)
    assert consent.granted and consent.purpose == Consent.Purpose.JOURNAL
    assert "subscribe form" in consent.source and consent.text == subscribers.consent_text("zh-hans")


def test_confirmation_link_expires(client, settings):
    _subscribe(client)
    link = _confirm_link(OutboxMessage.objects.get(kind="journal_confirm"))
    settings.JOURNAL_CONFIRM_MAX_AGE = -1
    response = client.post(link)
    assert response.status_code == 400
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_tampered_link_is_refused(client):
    _subscribe(client)
    token = signing.TimestampSigner(salt="newsletter.confirm").sign("999")
    assert client.post(f"/zh-hans/journal/confirm/{token}x/").status_code == 400


def test_form_does_not_tell_whether_an_address_is_subscribed(client):
    Subscriber.objects.all().delete()
    first = _subscribe(client)
    Subscriber.objects.update(status=Subscriber.Status.ACTIVE)
    second = _subscribe(client)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert OutboxMessage.objects.filter(kind="journal_confirm").count() == 1  # no mail to an active reader


def test_one_address_gets_at_most_three_confirmation_mails_a_day(client):
    for i in range(6):
        _subscribe(client, REMOTE_ADDR=f"10.0.0.{i}")
    assert OutboxMessage.objects.filter(kind="journal_confirm").count() == 3


def test_one_client_is_limited(client):
    for i in range(10):
        assert _subscribe(client, email=f"r{i}@example.com").status_code == 302
    response = _subscribe(client, email="r99@example.com")
    assert response.status_code == 429
    assert not Subscriber.objects.filter(person__email="r99@example.com").exists()


def test_invalid_email_and_missing_consent_are_explained(client):
    response = client.post("/en/journal/subscribe/", {"email": "not-an-email", "language": "en"})
    body = response.content.decode()
    assert response.status_code == 200 and "errorlist" in body
    assert not Subscriber.objects.exists()


def test_an_address_that_no_mail_server_could_take_is_refused_at_subscribe_and_import(journal):
    from newsletter.forms import SubscribeForm
    from newsletter.services import NewsletterError
    from newsletter.services.imports import subscribers_import
    from newsletter.services.subscribers import subscriber_subscribe

    form = SubscribeForm(data={"email": "reader@\u2603.example", "language": "zh-hans", "consent": "on"})
    assert not form.is_valid() and "email" in form.errors
    with pytest.raises(NewsletterError):
        subscriber_subscribe(email="reader@\u2603.example")
    report = subscribers_import(stream="email\nreader@\u2603.example\nreader@例子.中国\n".encode(), source="test")
    assert report.created == 1 and len(report.rejected) == 1 and "IDNA" in report.rejected[0][2]
