"""Printable thank-you letters: the PDF carries the customer's Chinese name and the merged letter."""

import shutil
import subprocess

import pytest
from django.utils import timezone

from care.models import GiftRecipient
from care.pdf import wrap
from care.services.campaigns import gift_address_confirm
from care.services.complaints import complaint_resolve
from home.pdf import register_cjk_font
from home.roles import CARE_MANAGERS, CARE_STAFF
from tests.care.complaint_helpers import at, campaign, checklist_done, complaint, launch, staff_user

pytestmark = pytest.mark.django_db


def pdftotext(data: bytes) -> str:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed: make sysdeps"
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_long_chinese_lines_wrap_inside_the_page():
    font = register_cjk_font()
    lines = wrap("感谢" * 80 + "\nshort line", font, 11, 200)
    assert len(lines) > 3 and lines[-1] == "short line"
    assert "".join(lines[:-1]) == "感谢" * 80


def test_letter_pdf_shows_the_chinese_name_and_address(client, settings):
    settings.OTP_REQUIRED_GROUPS = []
    year = timezone.localdate().year - 1
    staff = staff_user("wang", CARE_STAFF)
    item = complaint(staff, name="欧阳娜娜", email="ouyang@example.com", received_at=at(year, 5, 20), notify=False,
                     summary="售后响应太慢")
    checklist_done(item, staff)
    complaint_resolve(complaint_id=item.pk, acting_user=staff, resolution="增加了售后工程师", notify=False)
    manager = staff_user("boss", CARE_MANAGERS)
    item = campaign(year)
    launch(item, manager)
    recipient = GiftRecipient.objects.get(campaign=item)
    gift_address_confirm(token=recipient.address_token, name="欧阳娜娜", phone="13900139000",
                         address="广州市天河区体育西路1号")
    client.force_login(manager)
    response = client.get(f"/admin/care/campaigns/{item.pk}/letters/{recipient.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdftotext(response.content)
    assert "欧阳娜娜" in text
    assert "广州市天河区体育西路1号" in text
    assert "售后响应太慢" in text
    assert "定制保温杯" in text
