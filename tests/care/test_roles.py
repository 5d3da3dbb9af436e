import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import Call
from care.services.devices import device_register

from .calls_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(teams, make_customer, product_line):
    east = make_customer("东部公司", team=teams["east"], mobile="13800138011")
    south = make_customer("南部公司", team=teams["south"], mobile="13800138022")
    for customer, serial in ((east, "E-1"), (south, "S-1")):
        device_register(customer=customer, product_line=product_line, model="X", serial=serial,
                        activated_on=timezone.localdate())
    Call.objects.update(due_at=timezone.now() - timezone.timedelta(minutes=5))  # due now, whatever the hour
    return {"east": Call.objects.get(customer=east), "south": Call.objects.get(customer=south)}


def test_care_staff_cannot_read_another_teams_calls(client, calls, staff_east):
    client.force_login(staff_east)
    listing = client.get(reverse("care_calls:index")).content.decode()
    assert "东部公司" in listing and "南部公司" not in listing
    assert client.get(reverse("care_call_work", args=[calls["east"].pk])).status_code == 200
    for response in (
        client.get(reverse("care_call_work", args=[calls["south"].pk])),
        client.get(reverse("care_calls:inspect", args=[calls["south"].pk])),
        client.get(reverse("care_calls:edit", args=[calls["south"].pk])),
        client.post(reverse("care_call_work", args=[calls["south"].pk]), {"action": "outcome", "disposition": "refused"}),
    ):
        assert response.status_code in (302, 403, 404)  # a 404 under /admin/ redirects to the language prefix
        assert "南部公司" not in response.content.decode() and "13800138022" not in response.content.decode()
    assert Call.objects.get(pk=calls["south"].pk).state == "open"
    queue = client.get(reverse("care_queue:index")).content.decode()
    assert "东部公司" in queue and "南部公司" not in queue
    customers = client.get(reverse("care_customers:index")).content.decode()
    assert "东部公司" in customers and "南部公司" not in customers


def test_care_managers_see_every_team(client, calls, manager):
    client.force_login(manager)
    listing = client.get(reverse("care_calls:index")).content.decode()
    assert "东部公司" in listing and "南部公司" in listing
    assert client.get(reverse("care_call_work", args=[calls["south"].pk])).status_code == 200
    assert client.get(reverse("access_log:index")).status_code == 200
    assert client.get(reverse("wagtailsnippets_care_callscript:list")).status_code == 200


def test_care_staff_cannot_read_the_journal_subscriber_list(client, staff_east):
    from django.urls import get_resolver

    assert not staff_east.has_perm("newsletter.view_subscriber")
    client.force_login(staff_east)
    names = [name for name in get_resolver().reverse_dict if isinstance(name, str) and "subscriber" in name
             and name.endswith("index")]
    for name in names:
        try:
            url = reverse(name)
        except Exception:
            continue
        response = client.get(url)
        assert response.status_code in (302, 403), name


def test_care_staff_cannot_edit_scripts_or_see_access_log(client, calls, staff_east):
    client.force_login(staff_east)
    assert client.get(reverse("wagtailsnippets_care_callscript:list")).status_code in (302, 403)
    assert client.get(reverse("access_log:index")).status_code in (302, 403)


def test_editor_cannot_see_customers_phone_numbers(client, calls, editor):
    client.force_login(editor)
    for url in (reverse("care_call_work", args=[calls["east"].pk]), reverse("care_calls:index"),
                reverse("care_customers:index"), reverse("care_queue:index")):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "13800138011" not in response.content.decode()
    admin_home = client.get(reverse("wagtailadmin_home"))
    assert admin_home.status_code == 200 and "13800138011" not in admin_home.content.decode()


def test_nobody_adds_calls_by_hand(client, manager):
    client.force_login(manager)
    assert client.get(reverse("care_calls:add")).status_code in (302, 403)
