"""Sign-in lockout, the second factor (TOTP) and idle session expiry for staff accounts."""

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from home.roles import CARE_MANAGERS, CARE_STAFF
from home.security import IDLE_KEY

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def otp_required(settings):
    from config.settings import base

    settings.OTP_REQUIRED_GROUPS = base.OTP_REQUIRED_GROUPS  # the production value
    return settings


def make_user(username, role=None):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def login(client, username, password=PASSWORD):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"},
                       HTTP_ACCEPT_LANGUAGE="en")


def code_for(device, offset=0):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):0{device.digits}d}"


def test_base_settings_require_a_second_factor_for_care_managers():
    from config.settings import base

    assert CARE_MANAGERS in base.OTP_REQUIRED_GROUPS
    assert "home.middleware.TwoFactorMiddleware" in base.MIDDLEWARE
    assert base.MIDDLEWARE.index("home.middleware.TwoFactorMiddleware") > base.MIDDLEWARE.index(
        "django_otp.middleware.OTPMiddleware")


def test_ten_failed_sign_ins_lock_that_account_from_that_address_for_a_while(client):
    make_user("alice", CARE_STAFF)
    for _ in range(10):
        response = login(client, "alice", "wrong password")
        assert "_auth_user_id" not in client.session
    response = login(client, "alice")  # the right password, but locked: the form says why
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins" in response.content.decode()
    zh = client.post("/admin/login/", {"username": "alice", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "登录失败次数过多" in zh.content.decode()
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 10  # refused tries don't count
    # Other accounts are not locked by alice's failures.
    make_user("bob", CARE_STAFF)
    assert login(client, "bob")["Location"] == "/admin/"
    client.logout()
    # Fifteen minutes later the lock is over, and a success clears the count.
    AccessAttempt.objects.filter(username="alice").update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = login(client, "alice")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert not AccessAttempt.objects.filter(username="alice").exists()


def test_ten_wrong_passwords_from_one_address_do_not_lock_a_correct_sign_in_from_another():
    make_user("admin", CARE_STAFF)
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(10):
        login(attacker, "admin", "guess")
    assert "Too many failed sign-ins" in login(attacker, "admin").content.decode()
    owner = Client(REMOTE_ADDR="198.51.100.7")
    response = login(owner, "admin")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_used(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    make_user("erin", CARE_STAFF)
    # One client behind the proxy fails ten times, forging a left-most X-Forwarded-For each time.
    for n in range(10):
        attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.9")
        login(attacker, "erin", "guess")
    attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9")
    assert "Too many failed sign-ins" in login(attacker, "erin").content.decode()
    # Another client behind the same proxy signs in.
    owner = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert login(owner, "erin").status_code == 302
    # A header sent straight to the site (not through the proxy) is ignored.
    direct = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert "Too many failed sign-ins" in login(direct, "erin").content.decode()


def test_nine_failures_do_not_lock(client):
    make_user("carol", CARE_STAFF)
    for _ in range(9):
        login(client, "carol", "nope")
    assert login(client, "carol").status_code == 302


def test_a_care_manager_without_a_second_factor_must_set_one_up(client, otp_required):
    make_user("mia", CARE_MANAGERS)
    assert login(client, "mia").status_code == 302
    for path in ("/admin/", "/admin/privacy/search/", "/admin/outbox/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/two-factor/setup/")
    page = client.get("/admin/two-factor/setup/?next=/admin/outbox/")
    html = page.content.decode()
    assert page.status_code == 200 and '<img src="/admin/two-factor/qr.svg"' in html
    assert "<script>" not in html.split("<body", 1)[1].replace("<script src=", "")  # no inline script
    qr = client.get("/admin/two-factor/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content and b"<script" not in qr.content
    device = TOTPDevice.objects.get(user__username="mia", confirmed=False)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', html).group(1)
    assert secret  # the key to type by hand

    wrong = client.post("/admin/two-factor/setup/", {"token": "000000" if code_for(device) != "000000" else "111111",
                                                       "next": "/admin/outbox/"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    time.sleep(1.1)  # django-otp throttles: after a wrong code the next try waits 1 s, then 2 s, 4 s...
    device.refresh_from_db()
    done = client.post("/admin/two-factor/setup/", {"token": code_for(device), "next": "/admin/outbox/"})
    assert done.status_code == 302 and done["Location"].startswith("/admin/two-factor/backup-codes/")
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    codes = client.get(done["Location"])
    assert len(re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes.content.decode())) == 10
    onward = client.post("/admin/two-factor/backup-codes/", {"saved": "1", "next": "/admin/outbox/"})
    assert onward["Location"] == "/admin/outbox/"
    assert client.get("/admin/two-factor/backup-codes/")["Location"] == "/admin/two-factor/setup/"  # shown once
    assert client.get("/admin/outbox/").status_code == 200


def test_with_a_device_and_a_correct_code_they_get_in(client, otp_required):
    user = make_user("max", CARE_MANAGERS)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    login(client, "max")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/two-factor/verify/")
    bad = client.post("/admin/two-factor/verify/", {"token": "12345x", "next": "/admin/"})
    assert bad.status_code == 200 and client.get("/admin/").status_code == 302
    time.sleep(1.1)  # a wrong code (it could have been a backup code) throttles the devices for a second
    device.refresh_from_db()
    good = client.post("/admin/two-factor/verify/", {"token": code_for(device), "next": "/admin/"})
    assert good.status_code == 302 and good["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_second_factor_is_optional_for_other_staff_but_enforced_once_set_up(client, otp_required):
    user = make_user("sam", CARE_STAFF)
    login(client, "sam")
    assert client.get("/admin/").status_code == 200  # no device, not required
    client.logout()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    login(client, "sam")
    assert client.get("/admin/")["Location"].startswith("/admin/two-factor/verify/")


def test_verify_refuses_a_next_address_on_another_site(client, otp_required):
    user = make_user("nia", CARE_MANAGERS)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    login(client, "nia")
    response = client.post("/admin/two-factor/verify/", {"token": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


def test_an_idle_session_expires(client, settings):
    settings.SESSION_IDLE_SECONDS = 600
    make_user("ida", CARE_STAFF)
    login(client, "ida")
    assert client.get("/admin/").status_code == 200
    session = client.session
    session[IDLE_KEY] = int(time.time()) - 601
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert "_auth_user_id" not in client.session
