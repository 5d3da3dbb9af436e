"""The data migration strips bidi and control characters from stored names."""

import importlib

import pytest
from django.apps import apps

from home.models import Organisation, Person

pytestmark = pytest.mark.django_db

clean_names = importlib.import_module("home.migrations.0007_clean_stored_names").clean_names

RLO = "\u202e"


def test_names_lose_bidi_and_control_characters():
    spoofed = Person.objects.create(name=f"王伟{RLO}gnp.exe\u200f\x07 ", email="wang@example.com")
    plain = Person.objects.create(name="李娜", email="li@example.com")
    org = Organisation.objects.create(name=f"华安{RLO}科技\u2066有限公司")

    clean_names(apps, None)

    spoofed.refresh_from_db()
    org.refresh_from_db()
    assert spoofed.name == "王伟gnp.exe"
    assert Person.objects.get(pk=plain.pk).name == "李娜"
    assert org.name == "华安科技有限公司" and org.name_key == "华安科技有限公司"
    assert Organisation.objects.get(name_key="华安科技有限公司") == org  # found again by its clean name


def test_an_organisation_colliding_with_another_keeps_its_number():
    original = Organisation.objects.create(name="ACME")
    spoof = Organisation.objects.create(name=f"AC{RLO}ME")

    clean_names(apps, None)

    spoof.refresh_from_db()
    assert Organisation.objects.get(pk=original.pk).name == "ACME"
    assert spoof.name == f"ACME (#{spoof.pk})" and spoof.name_key == f"acme (#{spoof.pk})"
    spoof.save()  # the key stays unique when the record is saved again


def test_the_admin_list_shows_the_cleaned_name(client, settings):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from care.services.customers import customer_create

    settings.OTP_REQUIRED_GROUPS = []
    customer = customer_create(organisation_name="东部公司", contact_name="王伟", email="wang@example.com",
                               mobile="13800130001", team=None, is_key_account=False, specialist=None,
                               language="zh-hans")
    Organisation.objects.filter(pk=customer.organisation_id).update(name=f"东部{RLO}公司")
    clean_names(apps, None)
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    listing = client.get(reverse("care_customers:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "东部公司" in listing and RLO not in listing
