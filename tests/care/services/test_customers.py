import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from care.models import Call, CustomerAccount, Device
from care.services import CareError
from care.services.customers import contact_add, customer_create
from care.services.devices import device_activate, device_register
from tests.care.calls_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def test_company_customer_with_contacts_and_key_account(teams, manager):
    customer = customer_create(organisation_name="华安科技有限公司", contact_name="王伟", mobile="138 0013 8001",
                               email="wang.wei@huaan.example.com", team=teams["east"], is_key_account=True,
                               specialist=manager, direct_line="021-5080 8888", mailbox="ka@example.com")
    contact_add(customer=customer, name="李娜", mobile="13800138002")
    assert customer.is_key_account and customer.specialist == manager
    assert [p.name for p in customer.organisation.people.order_by("pk")] == ["王伟", "李娜"]
    assert customer.organisation.people.get(name="王伟").mobile == "+8613800138001"
    # The same company typed differently is the same customer.
    assert customer_create(organisation_name="华安科技有限公司 ", email="other@huaan.example.com").pk == customer.pk
    with pytest.raises(CareError):
        contact_add(customer=customer, name="坏号码", mobile="12345")


def test_private_customer():
    customer = customer_create(contact_name="陈静", email="chen.jing@example.com")
    assert customer.kind == CustomerAccount.Kind.PERSON and customer.name == "陈静"


def test_device_activation_sets_warranty_and_welcome_call(teams, make_customer, product_line):
    customer = make_customer(team=teams["east"])
    device = device_register(customer=customer, product_line=product_line, model="SG", serial="SN-A")
    assert device.activated_on is None and not Call.objects.exists()
    device = device_activate(device_id=device.pk)
    assert device.activated_on == timezone.localdate()
    assert device.warranty_until.year == device.activated_on.year + 1
    assert Call.objects.filter(purpose="welcome").count() == 1
    with pytest.raises(CareError):
        device_activate(device_id=device.pk)
    with pytest.raises(CareError):
        device_register(customer=customer, product_line=product_line, model="SG", serial="SN-A")


def test_devices_import_from_csv_reports_rejected_rows(tmp_path, teams, make_customer, product_line):
    make_customer("华安科技有限公司", team=teams["east"])
    device_register(customer=CustomerAccount.objects.get(), product_line=product_line, model="Old", serial="DUP-1")
    csv_file = tmp_path / "devices.csv"
    csv_file.write_text(
        "\ufeffcustomer,product_line,model,serial,activated_on,warranty_until,service_station\n"
        "华安科技有限公司,firewall,SG-6000,NEW-1,2026-01-15,2027-01-15,上海浦东服务站\n"
        "华安科技有限公司,firewall,SG-6000,NEW-2,,,\n"
        "不存在的公司,firewall,SG-6000,BAD-1,,,\n"
        "华安科技有限公司,nosuchline,SG-6000,BAD-2,,,\n"
        "华安科技有限公司,firewall,SG-6000,DUP-1,,,\n"
        "华安科技有限公司,firewall,SG-6000,BAD-3,15.01.2026,,\n"
        "华安科技有限公司,firewall,SG-6000,BAD-4,2026-02-01,2025-01-01,\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("care_import_devices", str(csv_file), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["imported"] == 2
    assert [(r["line"], r["serial"]) for r in report["rejected"]] == [
        (4, "BAD-1"), (5, "BAD-2"), (6, "DUP-1"), (7, "BAD-3"), (8, "BAD-4")]
    assert "不存在的公司" in report["rejected"][0]["reason"]
    assert set(Device.objects.values_list("serial", flat=True)) == {"DUP-1", "NEW-1", "NEW-2"}
    assert Device.objects.get(serial="NEW-1").service_station == "上海浦东服务站"


def test_manager_registers_an_activated_device_in_the_admin(client, teams, make_customer, product_line, manager):
    from django.urls import reverse

    customer = make_customer(team=teams["east"])
    client.force_login(manager)
    for name in ("care_customers:add", "care_devices:add", "care_teams:add", "wagtailsnippets_care_callscript:add"):
        assert client.get(reverse(name)).status_code == 200, name
    response = client.post(reverse("care_devices:add"), {
        "customer": customer.pk, "product_line": product_line.pk, "model": "SG-6000", "serial": "ADM-1",
        "service_station": "", "activated_on": timezone.localdate().isoformat(), "warranty_until": "",
    })
    assert response.status_code == 302
    device = Device.objects.get(serial="ADM-1")
    assert device.warranty_until and Call.objects.filter(customer=customer, purpose="welcome").count() == 1
