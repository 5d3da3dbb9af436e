"""Every view of personal data writes one entry, naming who and what, in the one access log."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from care.models import GiftRecipient
from care.services.customers import customer_create
from home.models import AccessLog, Person
from newsletter.models import Subscriber
from tests.care.complaint_helpers import campaign, complaint
from tests.training.signup_helpers import catalog, course, session
from training.models import Signup

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    client.user = admin
    return client


def _one_entry(client, url, *, person, what):
    before = set(AccessLog.objects.values_list("pk", flat=True))
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, url
    if response.streaming:
        b"".join(response.streaming_content)
    [entry] = AccessLog.objects.exclude(pk__in=before)
    assert entry.user == client.user and entry.person == person and entry.what == what
    assert entry.path in (url, url.split("?")[0])


def test_a_complaint_view_is_logged(admin_client):
    item = complaint(admin_client.user, notify=False)
    _one_entry(admin_client, reverse("care_complaints:inspect", args=[item.pk]), person=item.person,
               what=f"complaint {item.pk} viewed")


def test_the_customer_page_is_logged(admin_client):
    customer = customer_create(organisation_name="华安科技有限公司", contact_name="王伟", email="wang@example.com",
                               mobile="13800130001", team=None, is_key_account=False, specialist=None,
                               language="zh-hans")
    wang = Person.objects.get(email="wang@example.com")
    _one_entry(admin_client, reverse("care_customers:inspect", args=[customer.pk]), person=wang,
               what=f"customer page {customer.pk} viewed")


def test_a_shipping_list_download_is_logged(admin_client):
    gifts = campaign(2026)
    person = Person.objects.create(name="李娜", email="li@example.com")
    GiftRecipient.objects.create(campaign=gifts, person=person, ship_name="李娜", ship_address="北京",
                                 state=GiftRecipient.State.CONFIRMED)
    _one_entry(admin_client, reverse("care_campaigns:export", args=[gifts.pk]), person=None,
               what=f"gift shipping list of campaign {gifts.pk} downloaded")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_subscriber_export_is_logged(admin_client, fmt):
    person = Person.objects.create(name="李娜", email="li@example.com")
    Subscriber.objects.create(person=person, status=Subscriber.Status.ACTIVE, language="zh-hans", source="test")
    listing = reverse("journal_subscribers:index")
    assert admin_client.get(listing).status_code == 200
    assert not AccessLog.objects.exists()  # the listing is not an export
    _one_entry(admin_client, f"{listing}?export={fmt}", person=None,
               what=f"journal subscriber export ({fmt}) downloaded")


def test_the_class_roster_csv_is_logged(admin_client, home_pages):
    person = Person.objects.create(name="李娜", email="li@example.com")
    klass = session(course(catalog(home_pages)), capacity=3)
    Signup.objects.create(session=klass, person=person, language="zh-hans", status=Signup.Status.CONFIRMED)
    _one_entry(admin_client, reverse("training_admin:roster_csv", args=[klass.pk]), person=None,
               what=f"training roster CSV of class {klass.pk}")


def test_the_log_is_listed_once_in_the_menu(admin_client):
    from wagtail.admin.menu import admin_menu

    urls = _menu_urls(admin_menu, admin_client)
    assert urls.count(reverse("access_log:index")) == 1
    assert not any("care_access_log" in url or "access-log" in url for url in urls)


def _menu_urls(menu, client):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = client.user
    found = []

    def walk(items):
        for item in items:
            found.append(getattr(item, "url", ""))
            sub = getattr(item, "menu", None)
            if sub is not None:
                walk(sub.menu_items_for_request(request))

    walk(menu.menu_items_for_request(request))
    return found
