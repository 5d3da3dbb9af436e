"""Journey (zh-hans): a new care manager signs in, sets up TOTP from the key shown on the page, saves
the backup codes, signs out, signs in again with a backup code; a superuser resets that manager's
second factor."""

import re
from base64 import b32decode
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from home.roles import CARE_MANAGERS, sync_roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/18")
PASSWORD = "Journey-pass-2026"


def code_from_secret(secret: str) -> str:
    return f"{totp(b32decode(secret)):06d}"


def device_code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def make_staff(username, **extra):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, is_staff=True,
                                                email=f"{username}@example.com", **extra)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "zh-hans"
    profile.save()
    return user


def sign_in(page, base, username):
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_care_manager_sets_up_totp_uses_a_backup_code_and_is_reset_by_a_superuser(
        page, browser, live_server, home_pages, settings):
    settings.OTP_REQUIRED_GROUPS = [CARE_MANAGERS]
    settings.OTP_REQUIRED_FOR_SUPERUSERS = True
    SHOTS.mkdir(parents=True, exist_ok=True)
    sync_roles()
    manager = make_staff("lin.manager")
    manager.groups.add(Group.objects.get(name=CARE_MANAGERS))
    root = make_staff("root", is_superuser=True)
    root_device = TOTPDevice.objects.create(user=root, name="phone", confirmed=True)
    base = live_server.url
    broken = []
    page.on("response", lambda r: broken.append(r.url) if r.status >= 400 else None)

    # 1. The new care manager signs in and is sent to set up a second factor.
    sign_in(page, base, "lin.manager")
    page.wait_for_url(re.compile(r"/admin/two-factor/setup/"))
    assert "设置双重身份验证" in page.locator("h1").inner_text()
    page.wait_for_load_state("networkidle")
    assert page.locator("form").count() == 2  # the code form and sign out, nothing injected
    page.screenshot(path=str(SHOTS / "setup.png"), full_page=True)
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.fill("input[name=token]", code_from_secret(secret))
    page.click("form[action='/admin/two-factor/setup/'] button[type=submit]")

    # 2. The backup codes are shown once; the manager saves them and goes on.
    page.wait_for_url(re.compile(r"/admin/two-factor/backup-codes/"))
    codes = [c.strip() for c in page.locator("[data-testid=backup-codes] code").all_inner_texts()]
    assert len(codes) == 10
    assert "保存您的备用码" in page.locator("h1").inner_text()
    page.screenshot(path=str(SHOTS / "backup_codes.png"), full_page=True)
    page.check("input[name=saved]")
    page.click("form[action='/admin/two-factor/backup-codes/'] button[type=submit]")
    page.wait_for_url(base + "/admin/")
    assert "已设置双重身份验证" in page.content() or "双重身份验证" in page.content()

    # 3. Sign out through the account menu.
    page.locator(".sidebar-footer__account").click()
    page.get_by_role("button", name=re.compile("注销|登出|退出")).click()
    page.wait_for_url(re.compile(r"/admin/login/"))

    # 4. Sign in again with a backup code instead of the app.
    sign_in(page, base, "lin.manager")
    page.wait_for_url(re.compile(r"/admin/two-factor/verify/"))
    page.fill("input[name=token]", codes[3].upper())
    page.screenshot(path=str(SHOTS / "verify_backup.png"), full_page=True)
    page.click("form[action='/admin/two-factor/verify/'] button[type=submit]")
    page.wait_for_url(base + "/admin/")
    assert "备用码" in page.content()  # "you signed in with a backup code; 9 are left"
    page.screenshot(path=str(SHOTS / "signed_in_with_backup.png"), full_page=True)

    # 5. A superuser signs in (with their own second factor) and resets the manager's.
    other = browser.new_context(locale="zh-CN").new_page()
    sign_in(other, base, "root")
    other.wait_for_url(re.compile(r"/admin/two-factor/verify/"))
    other.fill("input[name=token]", device_code(root_device))
    other.click("form[action='/admin/two-factor/verify/'] button[type=submit]")
    other.wait_for_url(base + "/admin/")
    other.get_by_role("link", name="员工第二重验证").click()
    other.wait_for_url(re.compile(r"/admin/two-factor/staff/"))
    row = other.locator("tr[data-username='lin.manager']")
    other.screenshot(path=str(SHOTS / "staff_second_factors.png"), full_page=True)
    row.get_by_role("button", name="重置第二重验证").click()
    other.wait_for_url(re.compile(r"/admin/two-factor/staff/"))
    assert "lin.manager 的第二重验证已重置" in other.content()
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert ModelLogEntry.objects.filter(action="home.two_factor_reset", object_id=str(manager.pk),
                                        user=root).exists()
    assert not [url for url in broken if "/admin/sprite" in url or "jsi18n" in url], broken
