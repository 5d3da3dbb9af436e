"""Care staff of one team never see, reach, choose or post another team's rows: per model, the listing,
every URL naming a row (inspect, history, usage, edit, delete, the call screen), and the forms."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from care.models import Call, Device, SatisfactionRating
from care.services.devices import device_register
from care.services.satisfaction import rating_record
from tests.care.calls_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(teams, make_customer, product_line):
    """One customer per team, each with a device (so a welcome call) and a rating."""
    rows = {}
    for key, name, serial in (("east", "华东客户有限公司", "SN-EAST-1"), ("south", "华南客户有限公司", "SN-SOUTH-1")):
        customer = make_customer(name, team=teams[key])
        device = device_register(customer=customer, product_line=product_line, model="SG-6000", serial=serial,
                                 activated_on=timezone.localdate())
        call = Call.objects.get(customer=customer)
        rating = rating_record(customer=customer, score=2 if key == "south" else 5,
                               source=SatisfactionRating.Source.CALL, call=call, comment=f"{key}-rating-comment")
        rows[key] = {"customer": customer, "device": Device.objects.get(pk=device.pk), "call": call, "rating": rating}
    return rows


def _refused(response) -> bool:
    """404 (Django's locale middleware first redirects a 404 under /admin/ to /zh-hans/admin/..., which is a
    404 too), or Wagtail's answer to PermissionDenied: back to the dashboard with a message."""
    return response.status_code == 404 or (response.redirect_chain and response.redirect_chain[-1][0] == "/admin/")


def _object_urls(namespace, pk):
    urls = []
    for view in ("inspect", "history", "usage", "edit", "delete"):
        try:
            urls.append(reverse(f"{namespace}:{view}", args=[pk]))
        except NoReverseMatch:
            pass
    return urls


@pytest.mark.parametrize("namespace,key,marker", [
    ("care_calls", "call", "华南客户有限公司"),
    ("care_customers", "customer", "华南客户有限公司"),
    ("care_devices", "device", "SN-SOUTH-1"),
    ("care_ratings", "rating", "华南客户有限公司"),
])
def test_another_teams_row_is_neither_listed_nor_reachable(client, world, staff_east, namespace, key, marker):
    client.force_login(staff_east)
    own, other = world["east"][key], world["south"][key]
    listing = client.get(reverse(f"{namespace}:index")).content.decode()
    assert marker not in listing
    assert marker.replace("华南", "华东").replace("SOUTH", "EAST") in listing  # the own team's row is there
    searched = client.get(reverse(f"{namespace}:index"), {"q": marker}).content.decode()
    assert marker not in searched.split("</header>")[-1] or 'value="' + marker in searched
    urls = _object_urls(namespace, other.pk)
    assert any("/history/" in url for url in urls)
    for url in urls:
        response = client.get(url, follow=True)
        assert _refused(response), url
        assert marker not in response.content.decode(), url
    # The own team's row opens where the role allows it.
    if namespace in ("care_calls", "care_customers", "care_ratings"):
        assert client.get(reverse(f"{namespace}:inspect", args=[own.pk])).status_code == 200
    if namespace == "care_devices":  # staff add devices, so they see a device's history
        assert client.get(reverse(f"{namespace}:history", args=[own.pk])).status_code == 200


def test_the_call_screen_and_inbound_call_of_another_team_are_refused(client, world, staff_east):
    client.force_login(staff_east)
    other = world["south"]
    assert _refused(client.get(reverse("care_call_work", args=[other["call"].pk]), follow=True))
    assert _refused(client.post(reverse("care_call_work", args=[other["call"].pk]),
                                {"action": "outcome", "disposition": "completed"}, follow=True))
    assert _refused(client.post(reverse("care_customers:inbound", args=[other["customer"].pk]), follow=True))
    other["call"].refresh_from_db()
    assert other["call"].state == Call.State.OPEN
    assert not Call.objects.filter(customer=other["customer"], purpose="inbound").exists()


def test_the_device_form_offers_and_accepts_only_the_own_teams_customers(client, world, staff_east, product_line):
    client.force_login(staff_east)
    url = reverse("care_devices:add")
    form_html = client.get(url).content.decode()
    assert "华东客户有限公司" in form_html and "华南客户有限公司" not in form_html
    data = {"product_line": product_line.pk, "model": "SG-7000", "serial": "SN-POSTED", "service_station": "",
            "activated_on": "", "warranty_until": ""}
    response = client.post(url, {**data, "customer": world["south"]["customer"].pk})
    assert response.status_code == 200  # the form again, with an error
    assert not Device.objects.filter(serial="SN-POSTED").exists()
    response = client.post(url, {**data, "customer": world["east"]["customer"].pk})
    assert response.status_code == 302
    assert Device.objects.get(serial="SN-POSTED").customer == world["east"]["customer"]


def test_the_queue_figures_count_only_the_own_teams_ratings(client, world, staff_east, manager):
    client.force_login(staff_east)
    html = client.get(reverse("care_queue:index")).content.decode()
    assert 'data-figure="csat">100%' in html  # only the east team's 5; the south team's 2 is not counted
    client.force_login(manager)
    assert 'data-figure="csat">50%' in client.get(reverse("care_queue:index")).content.decode()


def test_a_manager_sees_every_team(client, world, manager):
    client.force_login(manager)
    for namespace, marker in (("care_calls", "华南客户有限公司"), ("care_devices", "SN-SOUTH-1"),
                              ("care_ratings", "华南客户有限公司")):
        assert marker in client.get(reverse(f"{namespace}:index")).content.decode()
    assert client.get(reverse("care_devices:history", args=[world["south"]["device"].pk])).status_code == 200
