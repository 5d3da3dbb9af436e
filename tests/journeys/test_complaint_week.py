"""A care manager's weekly complaint analysis in Chromium, in zh-hans, from sign-in (with the
authenticator code care managers need): the last full week opens by default, the manager moves to
the week before and sees what was open at that week's end (though it is resolved today), the trend
chart is drawn, and the CSV and PDF downloads hold the week's complaints with the Chinese names."""

import csv
import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from care.models import Complaint
from care.services.complaints import complaint_resolve
from care.services.reports import last_full_week
from home.roles import CARE_MANAGERS, CARE_STAFF
from tests.care.complaint_helpers import checklist_done, complaint, staff_user
from tests.care.test_pdf import pdftotext

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/wt/shots/i15b")


def _moment(day, hour):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour))


def _sign_in_with_code(page, base, username, password):
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    device = TOTPDevice.objects.get(user__username=username)
    page.wait_for_selector("input[name=token]")
    page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
    with page.expect_response(lambda r: "two-factor/verify" in r.url and r.request.method == "POST") as answer:
        page.click("main form button[type=submit]")
    assert answer.value.status == 302, page.content()[:2000]


def test_care_manager_reads_the_weekly_analysis_goes_back_a_week_and_downloads_csv_and_pdf(
    page, live_server, settings
):
    settings.OTP_REQUIRED_GROUPS = [CARE_MANAGERS]
    settings.CARE_QC_SAMPLE_RATE = 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff = staff_user("wang", CARE_STAFF)
    manager = staff_user("zhao", CARE_MANAGERS)
    manager.set_password("care-manager-password-1")
    manager.save()
    TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)

    week = last_full_week()
    before = week - timedelta(days=7)
    # Received the week before, resolved last week (and so resolved today too).
    early = complaint(staff, name="陈静", email="chen.jing@example.com", received_at=_moment(before, 24 + 10),
                      category="network", organisation_name="东部精密仪器有限公司", notify=False)
    checklist_done(early, staff)
    complaint_resolve(complaint_id=early.pk, acting_user=staff, resolution="更换了网关", notify=False)
    resolved_at = _moment(week, 24 * 2 + 11)
    Complaint.objects.filter(pk=early.pk).update(resolved_at=resolved_at)
    ModelLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Complaint), object_id=str(early.pk),
                                 action="care.complaint_resolve").update(timestamp=resolved_at)
    # Received last week, still open.
    late = complaint(staff, name="刘洋", email="liu.yang@example.com", received_at=_moment(week, 24 * 3 + 9),
                     category="billing", summary="发票金额有误", notify=False)

    _sign_in_with_code(page, live_server.url, "zhao", "care-manager-password-1")
    page.set_viewport_size({"width": 1280, "height": 2200})  # the admin scrolls inside main: show it whole
    page.goto(f"{live_server.url}/admin/care/complaint-report/")
    heading = page.locator("[data-week]").inner_text()
    assert week.isoformat() in heading and "周" in heading
    items = page.locator("[data-items]").inner_text()
    assert late.reference in items and "刘洋" in items and "陈静" not in items
    assert page.locator("[data-open]").inner_text() == "1"
    page.wait_for_selector("#complaint-trend svg")  # ECharts drew the trend
    page.screenshot(path=str(SHOTS / "week_last.png"), full_page=True)

    # The week before: 陈静's complaint was open at its end, though it is resolved today.
    with page.expect_navigation():
        page.locator("[data-previous-week]").click()
    assert f"week={before.isoformat()}" in page.url
    assert before.isoformat() in page.locator("[data-week]").inner_text()
    items = page.locator("[data-items]").inner_text()
    assert early.reference in items and "东部精密仪器有限公司" in items and "刘洋" not in items
    assert page.locator("[data-open]").inner_text() == "1"
    assert early.reference in page.locator("[data-open-items]").inner_text()
    page.wait_for_selector("#complaint-trend svg")
    page.screenshot(path=str(SHOTS / "week_before.png"), full_page=True)

    with page.expect_download() as download:
        page.locator("[data-download-csv]").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_bytes().decode("utf-8-sig"))))
    assert rows[0][:3] == ["投诉编号", "受理时间", "客户"]
    assert [row[0] for row in rows[1:]] == [early.reference]
    assert "陈静" in rows[1][2] and rows[1][11] == "是"  # open at week end

    with page.expect_download() as download:
        page.locator("[data-download-pdf]").click()
    text = pdftotext(Path(download.value.path()).read_bytes())
    assert "每周投诉分析" in text and "陈静" in text and early.reference in text

    # A count links to the complaint listing, filtered to that week's rows.
    with page.expect_navigation():
        page.locator("[data-by-category] a").first.click()
    assert re.search(r"/admin/care/complaints/\?category=network", page.url)
    assert early.reference in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "listing_from_category.png"), full_page=True)
