"""Journey (Chromium, zh-hans): a care manager signs in with a password and an authenticator code,
creates last year's year-end gift campaign, pages through the letters exactly as they will be sent
(sees who is left out and why), launches it; the letters arrive on the loopback SMTP server (real
worker); a customer follows the emailed link in a fresh browser and confirms an address; a caller
with no email gets their address entered by the manager (first with a wrong mobile: a clear error);
a third customer does nothing. The courier CSV downloaded from the admin holds exactly the two
confirmed gifts, each saying who confirmed it.
"""

import csv
import io
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.users.models import UserProfile

from care.models import GiftCampaign, GiftRecipient
from care.services.complaints import complaint_create, complaint_resolve
from home.roles import CARE_MANAGERS, CARE_STAFF
from tests.care.complaint_helpers import at, checklist_done, complaint, letter_template, staff_user
from tests.conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/wt/shots/i15a")
PASSWORD = "correct-horse-manager-15"


def _text(message):
    return message.get_body(("plain",)).get_content()


def _feedback(year):
    """Last year's feedback: three customers resolved with a change recorded, one complaint still open."""
    staff = staff_user("wang", CARE_STAFF)
    zhang = complaint(staff, name="张伟", email="zhang.wei@example.com", received_at=at(year, 3, 5), notify=False)
    emily = complaint(staff, name="Emily Chen", email="emily@example.com", language="en", kind="suggestion",
                      summary="Add an English manual", received_at=at(year, 11, 2), notify=False)
    li = complaint_create(acting_user=staff, channel="phone", kind="complaint", category="network", severity="medium",
                          summary="安装师傅迟到", description="约好上午九点，十一点才到。", name="李娜",
                          mobile="139 0013 9002", received_at=at(year, 7, 8), notify=False)
    for item, change in ((zhang, "升级了网关固件"), (emily, "An English manual is online"), (li, "安装预约改为两小时时段")):
        checklist_done(item, staff)
        complaint_resolve(complaint_id=item.pk, acting_user=staff, resolution=change, notify=False)
    return complaint(staff, name="钱强", email="qian.qiang@example.com", summary="发票开错", received_at=at(year, 5, 5),
                     notify=False)


def _manager():
    manager = get_user_model().objects.create_user("caremanager", "caremanager@example.com", PASSWORD, is_staff=True)
    manager.groups.add(Group.objects.get(name=CARE_MANAGERS))
    profile = UserProfile.get_for_user(manager)
    profile.preferred_language = "zh-hans"
    profile.save()
    return manager, TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)


def _sign_in(page, base, device):
    page.goto(base + "/admin/login/")
    page.fill("#id_username", "caremanager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/two-factor/verify/**")
    page.fill("input[name=token]", f"{totp(device.bin_key, device.step, device.t0, device.digits):0{device.digits}d}")
    with page.expect_response(lambda r: "two-factor/verify" in r.url and r.request.method == "POST") as answer:
        page.get_by_role("button", name="验证").first.click()
    assert answer.value.status == 302
    # (The verify page may send the browser on to the admin's icon sprite; go on from the dashboard.)
    page.goto(base + "/admin/")


def _local(url, base):
    """A link of the email (absolute, on the configured site address) on the live server."""
    parts = urlsplit(url)
    return base + parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_care_manager_previews_launches_and_ships_only_confirmed_gifts(
    page, live_server, smtp_server, celery_worker, settings
):
    from config.settings import base

    settings.OTP_REQUIRED_GROUPS = base.OTP_REQUIRED_GROUPS  # the production value: managers give a code
    settings.CARE_QC_SAMPLE_RATE = 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    year = date.today().year - 1
    still_open = _feedback(year)
    template = letter_template()
    manager, device = _manager()
    url = live_server.url

    page.set_viewport_size({"width": 1280, "height": 1600})  # the admin scrolls inside: show whole screens
    _sign_in(page, url, device)

    # A new campaign from the menu's listing.
    page.goto(url + "/admin/care/campaigns/")
    page.locator("a[href$='/care/campaigns/new/']").first.click()
    page.wait_for_url("**/care/campaigns/new/")
    page.fill("#id_name", f"{year} 年终感谢")
    page.fill("#id_period_start", f"{year}-01-01")
    page.fill("#id_period_end", f"{year}-12-31")
    page.select_option("#id_audience", "both")
    page.fill("#id_gift_description", "定制保温杯")
    page.fill("#id_gift_description_en", "a custom thermos")
    page.fill("#id_budget", "5000")
    page.select_option("#id_letter_template", label=template.name)
    page.locator("main form button[type=submit]:visible").first.click()
    page.wait_for_url(re.compile(r"/admin/care/campaigns/(\?.*)?$"))
    campaign = GiftCampaign.objects.get()
    assert campaign.letter_template == template and campaign.state == GiftCampaign.State.DRAFT

    # The campaign page lists who is selected; the letters are previewed before anything is sent.
    page.goto(url + f"/admin/care/campaigns/inspect/{campaign.pk}/")
    page.locator("[data-preview-link]").click()
    page.wait_for_url(f"**/care/campaigns/{campaign.pk}/preview/")
    summary = page.locator("[data-preview-summary]").inner_text()
    assert "3 封信待发送" in summary and "1 位客户的反馈解决前暂不纳入" in summary, summary
    left_out = page.locator("[data-left-out]").inner_text()
    assert "钱强" in left_out and still_open.reference in left_out and "尚未解决" in left_out
    assert "钱强" not in page.locator("[data-included]").inner_text()

    seen = {}
    for number in range(1, 4):
        assert page.locator("h2#letter-heading").inner_text() == f"第 {number} 封，共 3 封"
        head = page.locator("[data-letter-head]").inner_text()
        body = page.frame_locator("iframe[data-email]").locator("body").inner_text()
        assert "<p>" not in body and "<br>" not in body  # the letter's paragraphs, not escaped markup
        name = next(n for n in ("张伟", "Emily Chen", "李娜") if n in head)
        seen[name] = (page.locator("[data-letter-subject]").inner_text(), body)
        page.screenshot(path=str(SHOTS / f"preview-letter-{number}.png"), full_page=True)
        if number < 3:
            page.locator("[data-next]").click()
            page.wait_for_url(f"**/preview/?letter={number + 1}")
    assert seen["张伟"][0] == "张伟，感谢您的宝贵意见"
    assert "我们已经改进：升级了网关固件。" in seen["张伟"][1] and "定制保温杯" in seen["张伟"][1]
    assert seen["Emily Chen"][0] == "Thank you, Emily Chen"  # her letter in her language
    assert "What we changed: An English manual is online." in seen["Emily Chen"][1]
    assert "没有电子邮箱" in page.locator("[data-included]").inner_text()  # 李娜: letter to print, address by staff
    assert not GiftRecipient.objects.exists()  # previewing stores and sends nothing

    with page.expect_navigation(timeout=90000):
        page.locator("[data-launch] button[type=submit]").click()
    assert page.url.endswith(f"/care/campaigns/inspect/{campaign.pk}/"), page.locator("main").inner_text()[:800]
    assert "已启动" in page.locator(".messages").inner_text()
    recipients = {r.person.name: r for r in GiftRecipient.objects.select_related("person")}
    assert sorted(recipients) == ["Emily Chen", "张伟", "李娜"]

    # The letters arrive by email (worker, outbox, loopback SMTP): two, 李娜 has no email address.
    def letters():
        return [m for m in smtp_server.messages if "/care/gifts/address/" in _text(m["message"])]

    mails = wait_until(lambda: len(letters()) == 2 and letters(), timeout=120, message="the two gift letters")
    by_to = {m["to"][0]: m for m in mails}
    assert sorted(by_to) == ["emily@example.com", "zhang.wei@example.com"]
    assert by_to["zhang.wei@example.com"]["message"]["Subject"] == "张伟，感谢您的宝贵意见"
    text = _text(by_to["zhang.wei@example.com"]["message"])
    assert "我们已经改进：升级了网关固件。" in text
    links = re.findall(r"https?://[^\s<>\"]+", text)
    address_link = next(link for link in links if "/care/gifts/address/" in link)

    # 张伟 follows the link in a fresh browser, confirms an address.
    customer = page.context.browser.new_context(locale="zh-CN").new_page()
    site = urlsplit(django_settings.BASE_URL).netloc
    for link in links:  # every link of the mail on this site answers
        if urlsplit(link).netloc == site:
            assert customer.goto(_local(link, url)).status < 400, link
    customer.goto(_local(address_link, url))
    assert "定制保温杯" in customer.locator("main").inner_text()
    customer.fill("#id_name", "张伟")
    customer.fill("#id_phone", "138 0013 8000")
    customer.fill("#id_address", "上海市浦东新区世纪大道100号")
    customer.fill("#id_postcode", "200120")
    with customer.expect_response(lambda r: r.request.method == "POST") as answer:
        customer.get_by_role("button", name="确认此地址").click()
    assert answer.value.status == 200  # no CSRF refusal: a plain same-origin form post
    assert "您的地址已确认" in customer.locator("main").inner_text()
    customer.screenshot(path=str(SHOTS / "customer-confirmed.png"), full_page=True)
    customer.context.close()

    # 李娜 told us her address on the phone: the manager enters it (a wrong mobile first).
    page.reload()
    li = recipients["李娜"]
    page.locator(f"a[href$='/recipients/{li.pk}/address/']").click()
    page.wait_for_url(f"**/recipients/{li.pk}/address/")
    page.fill("#id_name", "李娜")
    page.fill("#id_phone", "0571 8888 6666")
    page.fill("#id_address", "浙江省杭州市西湖区\n文三路 90 号 3 幢 201 室")
    page.fill("#id_postcode", "31001")
    page.get_by_role("button", name="保存地址").click()
    assert "请输入中国大陆手机号" in page.locator("[data-error=phone]").inner_text()
    assert "6 位数字" in page.locator("[data-error=postcode]").inner_text()
    page.screenshot(path=str(SHOTS / "staff-address-errors.png"), full_page=True)
    li.refresh_from_db()
    assert li.state == GiftRecipient.State.ADDRESS_TO_CONFIRM
    page.fill("#id_phone", "139-0013-9002")
    page.fill("#id_postcode", "310012")
    page.get_by_role("button", name="保存地址").click()
    page.wait_for_url(f"**/care/campaigns/inspect/{campaign.pk}/")
    row = page.locator("[data-recipients] tr", has_text="李娜").inner_text()
    assert "地址已确认" in row and "由客服人员确认" in row
    page.screenshot(path=str(SHOTS / "campaign-after-addresses.png"), full_page=True)

    # The courier list from the admin: exactly the two confirmed gifts; Emily's (no answer yet) is not on it.
    with page.expect_download() as download:
        page.get_by_role("link", name="发货清单（CSV）").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert {r["name"]: (r["confirmed_by"], r["phone"], r["state"]) for r in rows} == {
        "张伟": ("customer", "13800138000", "confirmed"),  # typed "138 0013 8000"
        "李娜": ("staff", "13900139002", "confirmed"),
    }
    assert [r["address"] for r in rows if r["name"] == "李娜"] == ["浙江省杭州市西湖区\n文三路 90 号 3 幢 201 室"]
