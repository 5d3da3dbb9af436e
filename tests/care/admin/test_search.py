"""Finding a customer from whatever a caller gives, and no admin listing failing on any search text."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from care.models import Device, SatisfactionRating
from care.selectors import customers_find
from care.services.customers import customer_save
from care.services.devices import device_register
from home.roles import EDITORS, TRAINING_COORDINATORS
from training.services.certificates import certificate_create

from ..calls_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(teams, make_customer, product_line):
    east = make_customer("东部精密仪器有限公司", team=teams["east"], contact="王伟", mobile="13800138001",
                         email="wang.wei@east.example.com")
    east.direct_line = "(010) 8888-1234"
    customer_save(customer=east)
    device_register(customer=east, product_line=product_line, model="SG-200", serial="SG2-0042-A",
                    activated_on=timezone.localdate())  # and so a welcome call
    south = make_customer("南部物流有限公司", team=teams["south"], contact="李娜", mobile="13900139002")
    return {"east": east, "south": south}


@pytest.mark.parametrize("text", [
    "138 0013 8001", "+86 138-0013-8001", "008613800138001", "13800138001", "010 88881234", "88881234",
    "王伟", "东部精密", "WANG.WEI@east.example.com", "sg2-0042-a",
])
def test_a_caller_is_found_from_any_identifier(customers, manager, text):
    assert list(customers_find(manager, text)) == [customers["east"]]


def test_a_caller_is_found_from_a_certificate_number(customers, manager, home_pages):
    from tests.training import certificate_helpers as h

    holder = customers["east"].organisation.people.get()
    certificate = certificate_create(person=holder, course=h.course(home_pages), class_date=timezone.localdate())
    assert list(customers_find(manager, certificate.number.lower())) == [customers["east"]]


def test_staff_find_only_their_teams_customers(customers, staff_east, staff_south):
    assert list(customers_find(staff_east, "有限公司")) == [customers["east"]]
    assert list(customers_find(staff_south, "138 0013 8001")) == []
    assert list(customers_find(staff_east, "")) == []


def test_the_customers_listing_and_the_calls_listing_search_phone_numbers(client, customers, staff_east):
    client.force_login(staff_east)
    page = client.get(reverse("care_customers:index"), {"q": "+86 138 0013 8001"}).content.decode()
    assert "东部精密仪器有限公司" in page and "南部物流" not in page
    page = client.get(reverse("care_calls:index"), {"q": "138-0013-8001"}).content.decode()
    assert "东部精密仪器有限公司" in page
    page = client.get(reverse("care_calls:index"), {"q": "139 0013 9002"}).content.decode()
    assert "南部物流" not in page


def _admin_listings():
    """Every admin listing (URL named ``<namespace>:index`` or ``...:list`` with no arguments)."""
    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (pattern.namespace or namespace)
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name in ("index", "list") and namespace:
                name = f"{namespace}:{pattern.name}"
                try:
                    path = reverse(name)
                except Exception:  # needs arguments: not a top-level listing
                    continue
                if path.startswith("/admin/") and path not in found:
                    found.append(path)

    walk(get_resolver().url_patterns, "")
    return found + [reverse("wagtailadmin_pages:search")]


SEARCHES = ["王伟", "138 0013 8001", "<script>alert(1)</script>"]


def test_every_admin_listing_answers_every_search_for_every_role(client, customers, make_user, staff_east, manager):
    listings = _admin_listings()
    assert reverse("care_customers:index") in listings and reverse("care_calls:index") in listings
    assert len(listings) > 15
    users = [staff_east, manager, make_user("bianji", EDITORS), make_user("peixun", TRAINING_COORDINATORS),
             make_user("root", is_superuser=True)]
    Device.objects.create(customer=customers["south"], product_line=Device.objects.get().product_line,
                          model="SG-100", serial="SOUTH-SERIAL-9")
    SatisfactionRating.objects.create(customer=customers["south"], score=2, source="survey", comment="南部物流的评价")
    for user in users:
        client.force_login(user)
        for path in listings:
            for text in SEARCHES:
                response = client.get(path, {"q": text})
                assert response.status_code in (200, 302, 403), (user.username, path, text, response.status_code)
                body = response.content.decode()
                assert "<script>alert(1)</script>" not in body, (user.username, path)
                if user == staff_east:
                    assert "南部物流" not in body and "SOUTH-SERIAL-9" not in body, path
