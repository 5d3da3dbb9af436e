"""Gift campaign screens: the letter preview before launch, staff-entered delivery addresses, and the
customer's confirmation form (plain POST, Django's CSRF check only)."""

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from care.models import GiftRecipient
from care.services import CareError
from care.services.campaigns import (
    campaign_preview,
    gift_address_confirm,
    gift_campaign_launch,
    gift_recipient_set_state,
    gift_shipping_list_csv,
    recipient_reference,
)
from care.services.complaints import complaint_create, complaint_resolve
from care.services.letters import gift_letter_email
from home.models import Person
from home.roles import CARE_MANAGERS, CARE_STAFF
from tests.care.complaint_helpers import at, campaign, checklist_done, complaint, launch, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    return timezone.localdate().year - 1


@pytest.fixture
def people(year, settings):
    """张伟 (zh) and Emily (en) resolved with a change; 李娜 resolved, no email; 钱强 still open; 王芳 do not contact."""
    settings.CARE_QC_SAMPLE_RATE = 0
    settings.OTP_REQUIRED_GROUPS = []
    staff = staff_user("wang", CARE_STAFF)
    zhang = complaint(staff, name="张伟", email="zhang.wei@example.com", received_at=at(year, 3, 5), notify=False)
    emily = complaint(staff, name="Emily Chen", email="emily@example.com", language="en", kind="suggestion",
                      summary="Add an English manual", received_at=at(year, 11, 2), notify=False)
    li = complaint_create(acting_user=staff, channel="phone", kind="complaint", category="network", severity="medium",
                          summary="安装师傅迟到", description="迟到两小时。", name="李娜", mobile="13900139002",
                          received_at=at(year, 7, 8), notify=False)
    for item, change in ((zhang, "升级了网关固件"), (emily, "An English manual is online"), (li, "预约改为两小时时段")):
        checklist_done(item, staff)
        complaint_resolve(complaint_id=item.pk, acting_user=staff, resolution=change, notify=False)
    qian = complaint(staff, name="钱强", email="qian.qiang@example.com", summary="发票开错", received_at=at(year, 5, 5),
                     notify=False)
    complaint(staff, name="王芳", email="wang.fang@example.com", received_at=at(year, 6, 1), notify=False)
    Person.objects.filter(email="wang.fang@example.com").update(do_not_contact=True)
    return {"staff": staff, "open": qian}


@pytest.fixture
def manager():
    user = staff_user("boss", CARE_MANAGERS)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "zh-hans"
    profile.save()
    return user


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_preview_pages_through_each_letter_as_it_will_be_sent_and_says_who_is_left_out(people, year, manager):
    item = campaign(year)
    client = _client(manager)
    page = client.get(reverse("care_campaigns:preview", args=[item.pk])).content.decode()
    assert "3 封信待发送；1 位客户的反馈解决前暂不纳入；1 位客户要求不被联系" in page
    assert "第 1 封，共 3 封" in page and 'data-next href="?letter=2"' in page
    left_out = page[page.index("data-left-out"):]
    assert f"投诉 {people['open'].reference} 尚未解决" in left_out and "钱强" in left_out
    assert "王芳" in left_out and "要求不被联系" in left_out
    subjects = set()
    for number in (1, 2, 3):
        letter = client.get(reverse("care_campaigns:preview", args=[item.pk]), {"letter": number}).content.decode()
        assert f"第 {number} 封，共 3 封" in letter
        subjects.add(re.search(r"data-letter-subject>([^<]+)<", letter).group(1))
    assert subjects == {"张伟，感谢您的宝贵意见", "Thank you, Emily Chen", "李娜，感谢您的宝贵意见"}
    assert "没有电子邮箱" in page  # 李娜's letter is printed, not emailed
    assert client.get(reverse("care_campaigns:preview", args=[item.pk]), {"letter": "x"}).status_code == 200
    assert not GiftRecipient.objects.exists()  # the preview stores nothing

    # What the preview showed is what the launch stores and the email carries.
    preview = campaign_preview(item)
    shown = {r.person.name: (r.letter_subject, r.letter_body, gift_letter_email(r)[2].replace(r.address_token, "T"))
             for r in preview["letters"]}
    launch(item, manager)
    for recipient in GiftRecipient.objects.filter(campaign=item).exclude(state="excluded").select_related("person"):
        subject, body, text = shown[recipient.person.name]
        assert (recipient.letter_subject, recipient.letter_body) == (subject, body)
        _subject, html, sent_text = gift_letter_email(recipient)
        assert sent_text.replace(recipient.address_token, "T") == text
        # The letter's paragraphs are HTML paragraphs (styles inlined), not escaped markup.
        assert "&lt;p&gt;" not in html and "&lt;br&gt;" not in html and re.search(r"<p[ >]", html)


def test_launch_requires_the_current_preview(people, year, manager):
    item = campaign(year)
    client = _client(manager)
    response = client.post(reverse("care_campaigns:launch", args=[item.pk]), follow=True)
    assert "请先预览信件" in response.content.decode() and not GiftRecipient.objects.exists()

    page = client.get(reverse("care_campaigns:preview", args=[item.pk])).content.decode()
    digest = re.search(r'name="previewed" value="([0-9a-f]{64})"', page).group(1)
    # Meanwhile 钱强's complaint is resolved: the launch would send a letter nobody looked at.
    checklist_done(people["open"], people["staff"])
    complaint_resolve(complaint_id=people["open"].pk, acting_user=people["staff"], resolution="重新开具发票",
                      notify=False)
    response = client.post(reverse("care_campaigns:launch", args=[item.pk]), {"previewed": digest}, follow=True)
    assert "预览之后信件内容已有变化" in response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"/care/campaigns/{item.pk}/preview/")
    assert not GiftRecipient.objects.exists()
    with pytest.raises(CareError):
        gift_campaign_launch(campaign_id=item.pk, acting_user=manager, previewed="")

    page = client.get(reverse("care_campaigns:preview", args=[item.pk])).content.decode()
    digest = re.search(r'name="previewed" value="([0-9a-f]{64})"', page).group(1)
    response = client.post(reverse("care_campaigns:launch", args=[item.pk]), {"previewed": digest}, follow=True)
    assert "已启动" in response.content.decode()
    assert GiftRecipient.objects.filter(campaign=item).exclude(state="excluded").count() == 4
    assert ModelLogEntry.objects.filter(action="care.campaign_launch", user=manager).count() == 1


def test_staff_enter_an_address_it_counts_as_confirmed_by_staff_and_the_customer_can_still_correct_it(
    people, year, manager
):
    item = campaign(year)
    launch(item, manager)
    li = GiftRecipient.objects.get(campaign=item, person__name="李娜")
    url = reverse("care_campaigns:address", args=[item.pk, li.pk])
    client = _client(manager)
    assert 'value="13900139002"' in client.get(url).content.decode()  # the mobile we know, prefilled

    page = client.post(url, {"name": " ", "phone": "12345", "address": "杭州", "postcode": "3100"}).content.decode()
    assert re.search(r'data-error="name">请填写收件人姓名', page)
    assert "请输入中国大陆手机号：以 1 开头的 11 位数字" in page
    assert "请填写完整地址" in page and "中国的邮政编码为 6 位数字" in page
    assert client.post(url, {"name": "李娜", "phone": "+1 415 555 0100", "address": "浙江省杭州市西湖区文三路90号"}
                       ).content.decode().count("请输入中国大陆手机号") == 1
    long = "\n".join(["浙江省杭州市西湖区文三路90号"] * 5)
    assert "地址最多 4 行" in client.post(url, {"name": "李娜", "phone": "13900139002", "address": long}).content.decode()
    li.refresh_from_db()
    assert li.state == GiftRecipient.State.ADDRESS_TO_CONFIRM and not li.ship_address

    response = client.post(url, {"name": "李 娜", "phone": "+86 139-0013-9002",
                                 "address": " 浙江省杭州市西湖区 \n\n 文三路 90 号 ", "postcode": "310012"})
    assert response.status_code == 302
    li.refresh_from_db()
    assert (li.state, li.confirmed_by) == (GiftRecipient.State.CONFIRMED, GiftRecipient.ConfirmedBy.STAFF)
    assert (li.ship_name, li.ship_phone, li.ship_address) == ("李 娜", "13900139002", "浙江省杭州市西湖区\n文三路 90 号")
    entry = ModelLogEntry.objects.for_instance(li).get(action="care.gift_address_enter")
    assert entry.user == manager
    assert "由客服人员确认" in client.get(reverse("care_campaigns:inspect", args=[item.pk])).content.decode()
    rows = {r["reference"]: r for r in csv.DictReader(io.StringIO(gift_shipping_list_csv(campaign_id=item.pk)))}
    assert sorted(rows) == [recipient_reference(li)] and rows[recipient_reference(li)]["confirmed_by"] == "staff"

    # The customer's own link still works until it ships; then it is the customer's confirmation.
    gift_address_confirm(token=li.address_token, name="李娜", phone="+86 139 0013 9002", address="浙江省杭州市滨江区江南大道1号")
    li.refresh_from_db()
    assert li.confirmed_by == GiftRecipient.ConfirmedBy.CUSTOMER and "滨江区" in li.ship_address
    assert li.ship_phone == "13900139002"  # as the courier wants it


def test_a_shipped_gift_takes_no_address_a_returned_one_is_corrected_and_sent_again(people, year, manager):
    item = campaign(year)
    launch(item, manager)
    zhang = GiftRecipient.objects.get(campaign=item, person__name="张伟")
    gift_address_confirm(token=zhang.address_token, name="张伟", phone="13800138000", address="上海市浦东新区世纪大道1号")
    gift_recipient_set_state(recipient_id=zhang.pk, state="shipped", acting_user=manager, courier="顺丰", tracking="SF1")
    url = reverse("care_campaigns:address", args=[item.pk, zhang.pk])
    client = _client(manager)
    assert "不能填写地址" in client.get(url).content.decode()
    page = client.post(url, {"name": "张伟", "phone": "13800138000", "address": "北京市海淀区中关村大街1号"}).content.decode()
    assert "不能填写地址" in page
    zhang.refresh_from_db()
    assert zhang.state == "shipped" and "浦东" in zhang.ship_address

    gift_recipient_set_state(recipient_id=zhang.pk, state="returned", acting_user=manager)
    assert client.post(url, {"name": "张伟", "phone": "13800138000", "address": "北京市海淀区中关村大街1号"}
                       ).status_code == 302
    zhang.refresh_from_db()
    assert (zhang.state, zhang.confirmed_by) == ("confirmed", "staff") and "海淀" in zhang.ship_address
    gift_recipient_set_state(recipient_id=zhang.pk, state="shipped", acting_user=manager, courier="顺丰", tracking="SF2")
    # A gift with no address can't be marked confirmed by a state change (only by an address).
    emily = GiftRecipient.objects.get(campaign=item, person__name="Emily Chen")
    with pytest.raises(CareError):
        gift_recipient_set_state(recipient_id=emily.pk, state="confirmed", acting_user=manager)
    # Another campaign's gift is not reachable through this campaign's URL.
    other = client.get(reverse("care_campaigns:address", args=[item.pk + 1, zhang.pk]), follow=True)
    assert other.status_code == 404


def test_care_staff_cannot_preview_launch_or_enter_addresses(people, year, manager):
    item = campaign(year)
    launch(item, manager)
    li = GiftRecipient.objects.get(campaign=item, person__name="李娜")
    client = _client(people["staff"])
    assert client.get(reverse("care_campaigns:preview", args=[item.pk])).status_code in (302, 403)
    response = client.post(reverse("care_campaigns:address", args=[item.pk, li.pk]),
                           {"name": "李娜", "phone": "13900139002", "address": "浙江省杭州市西湖区文三路90号"})
    assert response.status_code in (302, 403)
    li.refresh_from_db()
    assert li.state == GiftRecipient.State.ADDRESS_TO_CONFIRM


def test_the_customers_confirmation_is_a_plain_form_checked_by_djangos_csrf_only(people, year, manager, settings):
    """Any browser: an HTTPS POST with the page's token and the site's Origin (Chromium and Firefox both send
    it on a same-origin form post) passes; the Referer is not needed; ``Origin: null`` (what a no-referrer
    policy made Chromium send) is refused by Django."""
    item = campaign(year)
    launch(item, manager)
    zhang = GiftRecipient.objects.get(campaign=item, person__name="张伟")
    browser = Client(enforce_csrf_checks=True)
    url = f"/zh-hans/care/gifts/address/{zhang.address_token}/"
    page = browser.get(url, secure=True)
    assert page["Referrer-Policy"] == "same-origin" and "<script" not in page.content.decode().split("<main")[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    data = {"csrfmiddlewaretoken": token, "name": "张伟", "phone": "13800138000", "address": "上海市浦东新区世纪大道1号"}
    assert browser.post(url, data, secure=True, headers={"Origin": "null"}).status_code == 403
    assert browser.post(url, data, secure=True, headers={"Origin": "https://testserver"}).status_code == 200
    zhang.refresh_from_db()
    assert zhang.state == GiftRecipient.State.CONFIRMED and zhang.confirmed_by == "customer"
