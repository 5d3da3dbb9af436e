"""Unsubscribing: RFC 8058 one-click POST without cookies, GET changes nothing, tokens can't be guessed;
the preferences page reached from every email."""

import pytest
from django.test import Client

from home.models import Consent
from newsletter.models import Recipient, Subscriber
from newsletter.services.subscribers import preferences_token, unsubscribe_token
from tests.newsletter.delivery_helpers import make_subscribers

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers(db):
    return make_subscribers(2)


def test_get_only_asks_and_post_without_cookies_unsubscribes_that_reader_only(readers):
    url = f"/zh-hans/journal/unsubscribe/{unsubscribe_token(readers[0].pk)}/"
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    assert page.status_code == 200 and "<form" in page.content.decode()
    assert Subscriber.objects.get(pk=readers[0].pk).status == Subscriber.Status.ACTIVE
    response = browser.post(url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert Subscriber.objects.get(pk=readers[0].pk).status == Subscriber.Status.UNSUBSCRIBED
    assert Subscriber.objects.get(pk=readers[1].pk).status == Subscriber.Status.ACTIVE
    consent = Consent.objects.filter(person=readers[0].person).first()
    assert consent.granted is False and consent.purpose == Consent.Purpose.JOURNAL
    # Twice is harmless.
    assert browser.post(url).status_code == 200
    assert Consent.objects.filter(person=readers[0].person).count() == 1


def test_forged_or_other_readers_tokens_are_refused(readers):
    token = unsubscribe_token(readers[0].pk)
    forged = token.replace(f"{readers[0].pk}.", f"{readers[1].pk}.", 1)
    client = Client()
    assert client.post(f"/zh-hans/journal/unsubscribe/{forged}/").status_code == 404
    assert client.post(f"/zh-hans/journal/unsubscribe/{readers[1].pk}/").status_code == 404
    assert client.get(f"/zh-hans/journal/preferences/{readers[1].pk}/").status_code == 404
    # A preferences token is not an unsubscribe token.
    assert client.post(f"/zh-hans/journal/unsubscribe/{preferences_token(readers[1].pk)}/").status_code == 404
    assert Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).count() == 2


def test_unsubscribe_from_an_issue_is_counted_on_that_issue(journal, readers, django_capture_on_commit_callbacks):
    from newsletter.services import deliveries

    with django_capture_on_commit_callbacks(execute=False):
        delivery = deliveries.delivery_start(issue=journal["issue"])
        deliveries.delivery_build(delivery_id=delivery.pk)
    row = Recipient.objects.get(subscriber=readers[0])
    Client().post(f"/en/journal/unsubscribe/{unsubscribe_token(readers[0].pk, row.rid)}/")
    assert deliveries.delivery_stats(delivery=delivery)["unsubscribed"] == 1


def test_preferences_page_changes_language_and_lines_and_can_unsubscribe(readers, client):
    from home.demo.pages import _product_lines

    _product_lines()
    url = f"/en/journal/preferences/{preferences_token(readers[0].pk)}/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "reader0@example.com" in body and 'for="id_language"' in body
    from home.models import ProductLine

    firewall = ProductLine.objects.get(slug="firewall")
    response = client.post(url, {"language": "en", "product_lines": [firewall.pk]})
    assert "Your preferences are saved." in response.content.decode()
    reader = Subscriber.objects.get(pk=readers[0].pk)
    assert reader.language == "en" and list(reader.product_lines.values_list("slug", flat=True)) == ["firewall"]
    unsubscribe_action = response.content.decode().split('action="/en/journal/unsubscribe/')[1].split('"')[0]
    client.post("/en/journal/unsubscribe/" + unsubscribe_action)
    assert Subscriber.objects.get(pk=readers[0].pk).status == Subscriber.Status.UNSUBSCRIBED
    # ...and come back from the same page.
    client.post(url, {"action": "resubscribe"})
    assert Subscriber.objects.get(pk=readers[0].pk).status == Subscriber.Status.ACTIVE
