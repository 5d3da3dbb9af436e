import pytest
from django.urls import reverse
from django.utils import timezone

from care import selectors
from care.models import Call
from care.services.customers import contact_add, device_register
from home.models import AccessLog

from .calls_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(teams, make_customer, product_line):
    customer = make_customer(team=teams["east"], mobile="13800138001")
    contact_add(customer=customer, name="李娜", mobile="13800138002", email="li.na@example.com")
    device_register(customer=customer, product_line=product_line, model="SG-6000", serial="SN-200",
                    activated_on=timezone.localdate())
    return Call.objects.get(customer=customer)


def test_call_screen_shows_whole_numbers_and_logs_the_access(client, call, staff_east):
    client.force_login(staff_east)
    response = client.get(reverse("care_call_work", args=[call.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "+8613800138001" in html and "+8613800138002" in html
    assert "SG-6000" in html and "SN-200" in html
    logged = AccessLog.objects.filter(user=staff_east)
    assert {entry.person.name for entry in logged} == {"王伟", "李娜"}
    assert all(entry.path == reverse("care_call_work", args=[call.pk]) for entry in logged)


def test_lists_mask_phone_numbers(client, call, staff_east, manager):
    for user in (staff_east, manager):
        client.force_login(user)
        for url in (reverse("care_calls:index"), reverse("care_queue:index"), reverse("care_customers:index")):
            html = client.get(url).content.decode()
            assert "13800138001" not in html, url
        assert "•••• 8001" in client.get(reverse("care_calls:index")).content.decode()
    assert not AccessLog.objects.exists()


def test_queue_shows_my_calls_due_today(client, call, staff_east):
    Call.objects.filter(pk=call.pk).update(due_at=timezone.now() - timezone.timedelta(hours=1))
    client.force_login(staff_east)
    html = client.get(reverse("care_queue:index")).content.decode()
    assert reverse("care_call_work", args=[call.pk]) in html
    assert "•••• 8001" in html and "+8613800138001" not in html
    assert call.assignee == staff_east


def test_other_apps_read_through_adapters_that_tolerate_absence(call, monkeypatch):
    import importlib
    import types

    real_import = importlib.import_module

    def fake_import(name, *args):
        if name == "training.selectors":
            module = types.ModuleType(name)
            module.signups_for_person = lambda person_id: [f"signup of {person_id}"]
            return module
        if name in ("training.certificate_selectors", "newsletter.selectors"):
            raise ImportError(name)
        return real_import(name, *args)

    monkeypatch.setattr(importlib, "import_module", fake_import)
    person_id = call.contact_id
    assert selectors.people_training_signups([person_id]) == [f"signup of {person_id}"]
    assert selectors.customer_valid_certificates(call.customer, [person_id]) == []
    assert selectors.people_journal_replies([person_id]) == []


def test_call_screen_shows_journal_replies_and_certificates_from_their_apps(client, call, staff_east, monkeypatch):
    import importlib
    import types

    real_import = importlib.import_module
    fake_training = types.ModuleType("training.certificate_selectors")
    fake_training.certificates_valid_for_organisation = lambda organisation_id: ["HCNA-0042 王伟"]
    fake_news = types.ModuleType("newsletter.selectors")
    fake_news.replies_of_person = lambda person_id: [f"回复 {person_id}: 很有帮助"] if person_id == call.contact_id else []
    modules = {"training.certificate_selectors": fake_training, "newsletter.selectors": fake_news}
    monkeypatch.setattr(importlib, "import_module", lambda name, *a: modules.get(name) or real_import(name, *a))
    client.force_login(staff_east)
    html = client.get(reverse("care_call_work", args=[call.pk])).content.decode()
    assert "HCNA-0042 王伟" in html and f"回复 {call.contact_id}: 很有帮助" in html


def test_call_screen_renders_when_other_apps_fail(client, call, staff_east, monkeypatch):
    import importlib
    import types

    def broken(**kwargs):
        raise RuntimeError("boom")

    real_import = importlib.import_module
    fake = types.ModuleType("newsletter.selectors")
    fake.replies_of_person = broken
    monkeypatch.setattr(importlib, "import_module",
                        lambda name, *a: fake if name == "newsletter.selectors" else real_import(name, *a))
    client.force_login(staff_east)
    response = client.get(reverse("care_call_work", args=[call.pk]))
    assert response.status_code == 200 and "SG-6000" in response.content.decode()
