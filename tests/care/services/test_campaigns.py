"""Gift campaigns: who is selected, once each, the excluded shown as such, letters, addresses, shipping."""

import base64
import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import GiftRecipient
from care.services import CareError
from care.services.campaigns import (
    campaign_selection,
    gift_address_confirm,
    gift_campaign_launch,
    gift_shipments_import,
    gift_shipping_list_csv,
    recipient_reference,
)
from care.services.complaints import complaint_resolve
from care.services.letters import gift_letters_send
from home.models import OutboxMessage, Person
from home.roles import CARE_MANAGERS, CARE_STAFF
from tests.care.complaint_helpers import at, campaign, checklist_done, complaint, launch, letter_template, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_year():
    return timezone.localdate().year - 1


@pytest.fixture
def feedback(last_year, settings):
    """Complaints and suggestions of last year and this year."""
    settings.CARE_QC_SAMPLE_RATE = 0
    staff = staff_user("wang", CARE_STAFF)
    zhang = complaint(staff, name="张伟", email="zhang.wei@example.com", received_at=at(last_year, 3, 5), notify=False)
    warranty = complaint(staff, name="张伟", email="zhang.wei@example.com", received_at=at(last_year, 9, 1),
                         notify=False, kind="suggestion", summary="希望延长保修")
    manual = complaint(staff, name="Emily Chen", email="emily@example.com", language="en",
                       received_at=at(last_year, 12, 31, 23), kind="suggestion", summary="Add an English manual",
                       notify=False)
    for item, change in ((warranty, "保修期延长至三年"), (manual, "An English manual is online")):
        checklist_done(item, staff)
        complaint_resolve(complaint_id=item.pk, acting_user=staff, resolution=change, notify=False)
    complaint(staff, name="王芳", email="wang.fang@example.com", received_at=at(last_year, 6, 1), notify=False)
    Person.objects.filter(email="wang.fang@example.com").update(do_not_contact=True)
    complaint(staff, name="赵磊", email="zhao.lei@example.com", received_at=at(last_year + 1, 1, 1, 0, 30), notify=False)
    complaint(staff, name="孙丽", email="sun.li@example.com", received_at=at(last_year - 1, 12, 31, 23), notify=False)
    checklist_done(zhang, staff)
    complaint_resolve(complaint_id=zhang.pk, acting_user=staff, resolution="升级了网关固件")
    return staff


def test_last_years_campaign_selects_exactly_who_gave_feedback_that_year_once_each(feedback, last_year):
    manager = staff_user("boss", CARE_MANAGERS)
    item = campaign(last_year)
    selection = campaign_selection(item)
    assert sorted(row["person"].name for row in selection) == ["Emily Chen", "张伟", "王芳"]
    assert [row["person"].name for row in selection if row["excluded"]] == ["王芳"]

    counts = launch(item, manager)
    assert counts == {"created": 2, "excluded": 1, "existing": 0, "pending": 0}
    recipients = {r.person.name: r for r in GiftRecipient.objects.filter(campaign=item).select_related("person")}
    assert sorted(recipients) == ["Emily Chen", "张伟", "王芳"]
    assert recipients["王芳"].state == GiftRecipient.State.EXCLUDED and not recipients["王芳"].letter_body
    assert recipients["张伟"].state == GiftRecipient.State.ADDRESS_TO_CONFIRM
    assert len(recipients["张伟"].feedback) == 2

    again = launch(item, manager)
    assert again == {"created": 0, "excluded": 0, "existing": 3, "pending": 0}
    assert GiftRecipient.objects.filter(campaign=item).count() == 3


def test_customers_with_an_open_complaint_wait_apart_and_no_letter_has_an_empty_blank(feedback, last_year):
    manager = staff_user("boss", CARE_MANAGERS)
    still_open = complaint(feedback, name="钱强", email="qian.qiang@example.com", received_at=at(last_year, 5, 5),
                           summary="发票开错", notify=False)
    item = campaign(last_year)
    [row] = [row for row in campaign_selection(item) if row["person"].name == "钱强"]
    assert row["pending"] == [still_open] and not row["excluded"]
    counts = launch(item, manager)
    assert counts["pending"] == 1 and counts["created"] == 2
    assert not GiftRecipient.objects.filter(person__name="钱强").exists()
    for recipient in GiftRecipient.objects.filter(campaign=item).exclude(state=GiftRecipient.State.EXCLUDED):
        assert "：。" not in recipient.letter_body and ": ." not in recipient.letter_body
    page = _inspect(item, manager)
    assert "data-pending" in page and still_open.reference in page
    # Once resolved, launching again adds them.
    checklist_done(still_open, feedback)
    complaint_resolve(complaint_id=still_open.pk, acting_user=feedback, resolution="重新开具了发票", notify=False)
    assert launch(item, manager)["created"] == 1


def _inspect(item, manager):
    from django.test import Client

    client = Client()
    client.force_login(manager)
    return client.get(reverse("care_campaigns:inspect", args=[item.pk])).content.decode()


def test_only_complaints_or_only_suggestions(feedback, last_year):
    complained = campaign(last_year, audience="complained")
    assert sorted(r["person"].name for r in campaign_selection(complained)) == ["张伟", "王芳"]
    suggested = campaign(last_year, template=complained.letter_template, audience="suggested")
    assert sorted(r["person"].name for r in campaign_selection(suggested)) == ["Emily Chen", "张伟"]


def test_letters_are_merged_in_each_customers_language_and_emailed_with_a_pdf(feedback, last_year):
    manager = staff_user("boss", CARE_MANAGERS)
    item = campaign(last_year)
    launch(item, manager)
    zhang = GiftRecipient.objects.get(campaign=item, person__email="zhang.wei@example.com")
    assert zhang.letter_subject == "张伟，感谢您的宝贵意见"
    assert f"感谢您在{last_year}-03-05；{last_year}-09-01告诉我们：网关频繁掉线；希望延长保修。" in zhang.letter_body
    assert "我们已经改进：升级了网关固件；保修期延长至三年。" in zhang.letter_body and "定制保温杯" in zhang.letter_body
    emily = GiftRecipient.objects.get(campaign=item, person__email="emily@example.com")
    assert emily.letter_subject == "Thank you, Emily Chen"
    assert f"On {last_year}-12-31 you told us: Add an English manual." in emily.letter_body
    assert "We are sending you a custom thermos." in emily.letter_body and "保温杯" not in emily.letter_body

    assert gift_letters_send(campaign_id=item.pk) == 2
    gift_letters_send(campaign_id=item.pk)  # again: nothing more
    mails = OutboxMessage.objects.filter(kind="care.gift_letter").order_by("to_email")
    assert [m.to_email for m in mails] == ["emily@example.com", "zhang.wei@example.com"]  # not the excluded one
    zhang_mail = mails[1]
    assert zhang_mail.subject == "张伟，感谢您的宝贵意见"
    assert f"/zh-hans/care/gifts/address/{zhang.address_token}/" in zhang_mail.text
    assert zhang_mail.attachments[0]["mimetype"] == "application/pdf"
    assert base64.b64decode(zhang_mail.attachments[0]["content_b64"]).startswith(b"%PDF")
    assert f"/en/care/gifts/address/{emily.address_token}/" in mails[0].text
    assert "a custom thermos" in mails[0].text and "保温杯" not in mails[0].text


def test_unpublished_template_cannot_launch(feedback, last_year):
    item = campaign(last_year, template=letter_template(live=False))
    with pytest.raises(CareError):
        gift_campaign_launch(campaign_id=item.pk, acting_user=feedback, previewed="")
    assert not GiftRecipient.objects.exists()


def test_customer_confirms_address_then_courier_import_ships_and_delivers(feedback, last_year, client):
    manager = staff_user("boss", CARE_MANAGERS)
    item = campaign(last_year)
    launch(item, manager)
    zhang = GiftRecipient.objects.get(campaign=item, person__email="zhang.wei@example.com")
    emily = GiftRecipient.objects.get(campaign=item, person__email="emily@example.com")

    page = client.get(f"/zh-hans/care/gifts/address/{zhang.address_token}/")
    assert page.status_code == 200 and "定制保温杯" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    response = client.post(f"/zh-hans/care/gifts/address/{zhang.address_token}/",
                           {"name": "张伟", "phone": "13800138000", "address": "上海市浦东新区世纪大道100号",
                            "postcode": "200120"})
    assert response.status_code == 200
    zhang.refresh_from_db()
    assert zhang.state == GiftRecipient.State.CONFIRMED and zhang.ship_address == "上海市浦东新区世纪大道100号"
    assert client.get("/zh-hans/care/gifts/address/not-a-token/").status_code == 404

    rows = list(csv.DictReader(io.StringIO(gift_shipping_list_csv(campaign_id=item.pk))))
    rows = {r["reference"]: r for r in rows}
    assert sorted(rows) == [recipient_reference(zhang)]  # only confirmed addresses go to the courier
    assert rows[recipient_reference(zhang)]["address"] == "上海市浦东新区世纪大道100号"

    courier = (
        "reference,courier,tracking_number,status\n"
        f"{recipient_reference(zhang)},顺丰,SF1234567890,shipped\n"
        f"{recipient_reference(emily)},顺丰,SF999,shipped\n"
        "G999-1,顺丰,SF0,shipped\n"
    ).encode()
    report = gift_shipments_import(campaign_id=item.pk, data=courier, acting_user=manager)
    # Emily never confirmed an address: her gift can't be marked shipped; the unknown row is rejected too.
    assert report["updated"] == 1 and [r["line"] for r in report["rejected"]] == [3, 4]
    emily.refresh_from_db()
    assert emily.state == GiftRecipient.State.ADDRESS_TO_CONFIRM
    again = gift_shipments_import(campaign_id=item.pk, data=courier, acting_user=manager)
    assert again["updated"] == 0 and again["unchanged"] == 1
    zhang.refresh_from_db()
    assert (zhang.state, zhang.courier, zhang.tracking_number) == (GiftRecipient.State.SHIPPED, "顺丰", "SF1234567890")
    with pytest.raises(CareError):
        gift_address_confirm(token=zhang.address_token, name="x", phone="1", address="y")

    delivered = f"reference,courier,tracking_number,status\n{recipient_reference(zhang)},顺丰,SF1234567890,delivered\n"
    assert gift_shipments_import(campaign_id=item.pk, data=delivered, acting_user=manager)["updated"] == 1
    zhang.refresh_from_db()
    assert zhang.state == GiftRecipient.State.DELIVERED and zhang.delivered_at


def test_shipping_list_neutralises_spreadsheet_formulas(feedback, last_year):
    manager = staff_user("boss", CARE_MANAGERS)
    item = campaign(last_year)
    launch(item, manager)
    zhang = GiftRecipient.objects.get(campaign=item, person__email="zhang.wei@example.com")
    gift_address_confirm(token=zhang.address_token, name="=HYPERLINK(\"x\")", phone="138", address="北京")
    rows = {r["reference"]: r for r in csv.DictReader(io.StringIO(gift_shipping_list_csv(campaign_id=item.pk)))}
    assert rows[recipient_reference(zhang)]["name"].startswith("'=")


def test_manager_previews_launches_and_exports_in_the_admin(feedback, last_year, client, settings):
    settings.OTP_REQUIRED_GROUPS = []
    manager = staff_user("boss", CARE_MANAGERS)
    item = campaign(last_year)
    client.force_login(manager)
    preview = client.get(f"/admin/care/campaigns/inspect/{item.pk}/").content.decode()
    assert "张伟" in preview and "Emily Chen" in preview and "王芳" in preview
    assert "赵磊" not in preview and "孙丽" not in preview
    assert not GiftRecipient.objects.exists()  # previewing creates nothing
    client.post(f"/admin/care/campaigns/{item.pk}/launch/")  # not from the preview: refused
    assert not GiftRecipient.objects.exists()
    letters = client.get(f"/admin/care/campaigns/{item.pk}/preview/").content.decode()
    digest = re.search(r'name="previewed" value="([0-9a-f]{64})"', letters).group(1)
    client.post(f"/admin/care/campaigns/{item.pk}/launch/", {"previewed": digest})
    assert GiftRecipient.objects.filter(campaign=item).count() == 3
    zhang = GiftRecipient.objects.get(campaign=item, person__email="zhang.wei@example.com")
    export = client.get(f"/admin/care/campaigns/{item.pk}/shipping-list.csv")
    assert export["Content-Type"].startswith("text/csv") and "张伟" not in export.content.decode("utf-8-sig")
    gift_address_confirm(token=zhang.address_token, name="张伟", phone="13800138000", address="上海市浦东新区")
    export = client.get(f"/admin/care/campaigns/{item.pk}/shipping-list.csv").content.decode("utf-8-sig")
    assert "张伟" in export and "Emily Chen" not in export
    pdf = client.get(f"/admin/care/campaigns/{item.pk}/letters/{zhang.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    staff = staff_user("clerk", CARE_STAFF)
    client.force_login(staff)
    assert client.get(f"/admin/care/campaigns/{item.pk}/shipping-list.csv").status_code in (302, 403)
    assert client.post(f"/admin/care/campaigns/{item.pk}/launch/").status_code in (302, 403)


def test_demo_content_has_feedback_a_bilingual_letter_and_a_campaign(demo_content, last_year):
    from care.demo.complaints import load_demo
    from care.models import Complaint, GiftCampaign, LetterTemplate

    count = Complaint.objects.count()
    assert Complaint.objects.filter(received_at__year=last_year).count() >= 4
    assert Complaint.objects.filter(received_at__year=last_year + 1).exists()
    names = set(Complaint.objects.values_list("person__name", flat=True))
    assert {"张伟", "Emily Chen", "王芳"} <= names, names
    template = LetterTemplate.objects.get()
    assert template.live and "{{ name }}" in template.body_zh_hans and "{{ name }}" in template.body_en
    item = GiftCampaign.objects.get()
    selection = campaign_selection(item)
    assert {r["person"].name for r in selection} >= {"张伟", "Emily Chen"}
    assert [r["person"].name for r in selection if r["excluded"]] == ["王芳"]
    load_demo({}, None)
    assert Complaint.objects.count() == count


def test_courier_csv_import_command(feedback, last_year, tmp_path):
    import json

    from django.core.management import call_command

    manager = staff_user("boss", CARE_MANAGERS)
    item = campaign(last_year)
    launch(item, manager)
    zhang = GiftRecipient.objects.get(campaign=item, person__email="zhang.wei@example.com")
    gift_address_confirm(token=zhang.address_token, name="张伟", phone="13800138000", address="北京市海淀区")
    path = tmp_path / "courier.csv"
    path.write_text(f"reference,courier,tracking_number,status\n{recipient_reference(zhang)},EMS,EA123CN,shipped\n"
                    "nonsense,EMS,1,shipped\n", encoding="utf-8")
    out = io.StringIO()
    call_command("care_import_shipments", str(item.pk), str(path), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["updated"] == 1 and report["rejected"][0]["line"] == 3
    zhang.refresh_from_db()
    assert (zhang.state, zhang.tracking_number) == ("shipped", "EA123CN")


def test_a_complaint_opened_after_the_period_is_shown_as_a_warning_in_the_preview(feedback, last_year):
    manager = staff_user("boss", CARE_MANAGERS)
    item = campaign(last_year)
    newer = complaint(feedback, name="张伟", email="zhang.wei@example.com", summary="网关又掉线了", notify=False)
    [row] = [row for row in campaign_selection(item) if row["person"].name == "张伟"]
    assert row["open_now"] == [newer] and not row["pending"] and len(row["feedback"]) == 2
    from django.test import Client

    client = Client()
    client.force_login(manager)
    page = client.get(reverse("care_campaigns:preview", args=[item.pk])).content.decode()
    warning = page[page.index("data-open-now"):page.index("data-left-out")]
    assert "张伟" in warning and newer.reference in warning and "Emily" not in warning
