"""The second factor in the admin: assets pass, non-page requests are refused, backup codes, resets."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from home.admin.two_factor import backup_codes_create
from home.roles import CARE_MANAGERS, CARE_STAFF, sync_roles

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def otp_required(settings):
    from config.settings import base

    settings.OTP_REQUIRED_GROUPS = base.OTP_REQUIRED_GROUPS
    settings.OTP_REQUIRED_FOR_SUPERUSERS = True
    sync_roles()


def make_user(username, role=None, **extra):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, is_staff=True, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def login(client, username):
    client.post("/admin/login/", {"username": username, "password": PASSWORD})


def code_for(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def test_the_sprite_and_translations_load_during_setup_and_other_requests_are_refused(client):
    make_user("mia", CARE_MANAGERS)
    login(client, "mia")
    sprite = client.get("/admin/sprite/?h=0123abcd", HTTP_ACCEPT="*/*")  # what the admin's script fetches
    assert sprite.status_code == 200 and b"<svg" in sprite.content
    assert client.get("/admin/jsi18n/", HTTP_ACCEPT="*/*").status_code == 200
    fetch = client.get("/admin/outbox/", HTTP_ACCEPT="application/json")
    assert fetch.status_code == 403
    post = client.post("/admin/privacy/search/act/", {"action": "export"}, HTTP_ACCEPT="text/html")
    assert post.status_code == 403
    page = client.get("/admin/outbox/", HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert page.status_code == 302 and page["Location"].startswith("/admin/two-factor/setup/")


def test_superusers_must_set_up_a_second_factor(client):
    make_user("root", is_superuser=True)
    login(client, "root")
    assert client.get("/admin/")["Location"].startswith("/admin/two-factor/setup/")


def test_signing_in_with_a_backup_code_works_once(client):
    user = make_user("max", CARE_MANAGERS)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    codes = backup_codes_create(user=user)
    login(client, "max")
    response = client.post("/admin/two-factor/verify/", {"token": codes[0].upper(), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9
    assert ModelLogEntry.objects.filter(action="home.two_factor_backup_used").exists(), list(ModelLogEntry.objects.values_list("action", "content_type__model"))
    client.post("/admin/logout/")
    login(client, "max")
    again = client.post("/admin/two-factor/verify/", {"token": codes[0], "next": "/admin/"})
    assert again.status_code == 200 and client.get("/admin/").status_code == 302


def test_a_care_manager_resets_a_colleagues_second_factor_and_it_is_logged(client):
    manager = make_user("boss", CARE_MANAGERS)
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    colleague = make_user("lee", CARE_STAFF)
    TOTPDevice.objects.create(user=colleague, name="phone", confirmed=True)
    backup_codes_create(user=colleague)
    root = make_user("root", is_superuser=True)
    TOTPDevice.objects.create(user=root, name="phone", confirmed=True)
    login(client, "boss")
    client.post("/admin/two-factor/verify/", {"token": code_for(device), "next": "/admin/"})
    listing = client.get("/admin/two-factor/staff/").content.decode()
    assert 'data-username="lee"' in listing
    refused = client.post(f"/admin/two-factor/staff/{root.pk}/reset/")  # not a superuser's
    assert refused["Location"] == "/admin/" and TOTPDevice.objects.filter(user=root).exists()
    response = client.post(f"/admin/two-factor/staff/{colleague.pk}/reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    assert not StaticToken.objects.filter(device__user=colleague).exists()
    entry = ModelLogEntry.objects.get(action="home.two_factor_reset")
    assert entry.user_id == manager.pk and entry.object_id == str(colleague.pk)


def test_other_staff_cannot_reset(client):
    make_user("sam", CARE_STAFF)
    other = make_user("lee", CARE_STAFF)
    TOTPDevice.objects.create(user=other, name="phone", confirmed=True)
    login(client, "sam")
    assert client.get("/admin/two-factor/staff/")["Location"] == "/admin/"  # Wagtail's "no permission"
    assert client.post(f"/admin/two-factor/staff/{other.pk}/reset/")["Location"] == "/admin/"
    assert TOTPDevice.objects.filter(user=other).exists()
