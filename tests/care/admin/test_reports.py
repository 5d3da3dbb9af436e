"""The weekly complaint analysis in the admin: the week's complaints, open and overdue as of the end of
that week (from each complaint's history, not from today's state), the trend, CSV and PDF, and team
scoping (a care manager sees every team's complaints; care staff their teams' and nobody's)."""

import csv
import io
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.models import ModelLogEntry

from care.models import CareTeam, Complaint
from care.services.complaints import complaint_resolve
from care.services.customers import customer_create
from care.services.reports import complaint_weekly_figures
from home.roles import CARE_MANAGERS, CARE_STAFF
from tests.care.complaint_helpers import at, checklist_done, complaint, product_line, staff_user
from tests.care.test_pdf import pdftotext

pytestmark = pytest.mark.django_db

WEEK1, WEEK2, WEEK3 = date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)  # Mondays
URL = "/admin/care/complaint-report/"


def _resolved_on(item, moment, user):
    """Resolve through the service, then move that step of its history to ``moment``."""
    checklist_done(item, user)
    complaint_resolve(complaint_id=item.pk, acting_user=user, resolution="更换了模块", notify=False)
    Complaint.objects.filter(pk=item.pk).update(resolved_at=moment)
    ModelLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Complaint), object_id=str(item.pk),
                                 action="care.complaint_resolve").update(timestamp=moment)


@pytest.fixture
def history(settings):
    """A: received in week 1, resolved in week 3 (today: resolved). B: received in week 2, due before
    week 2 ended, never resolved. C: received in week 3, resolved the same week."""
    settings.CARE_QC_SAMPLE_RATE = 0
    staff = staff_user("wang", CARE_STAFF)
    line = product_line()
    a = complaint(staff, name="张伟", received_at=at(2026, 11, 3, 9), category="network", product_line=line,
                  notify=False)
    b = complaint(staff, name="李娜", email="li.na@example.com", received_at=at(2026, 11, 10, 9), category="billing",
                  summary="=HYPERLINK(\"http://evil\")", notify=False)
    c = complaint(staff, name="王芳", email="wang.fang@example.com", received_at=at(2026, 11, 17, 9),
                  category="network", product_line=line, notify=False)
    Complaint.objects.filter(pk=b.pk).update(resolution_due_at=at(2026, 11, 12, 18))
    _resolved_on(a, at(2026, 11, 18, 15), staff)
    _resolved_on(c, at(2026, 11, 19, 10), staff)
    return {"a": a, "b": b, "c": c, "staff": staff}


def test_open_and_overdue_are_counted_as_of_each_week_end(history):
    week1 = complaint_weekly_figures(week_start=WEEK1)
    week2 = complaint_weekly_figures(week_start=WEEK2)
    week3 = complaint_weekly_figures(week_start=WEEK3)
    # A is resolved today, yet it was open at the end of weeks 1 and 2.
    assert (week1["open"], week2["open"], week3["open"]) == (1, 2, 1)
    assert [row["reference"] for row in week2["open_items"]] == [history["a"].reference, history["b"].reference]
    assert [row["reference"] for row in week3["open_items"]] == [history["b"].reference]
    # A passed its target (27 working hours) in week 1 and stayed overdue until resolved in week 3;
    # B was past its target from 12 November on.
    assert (len(week1["overdue"]), len(week2["overdue"]), len(week3["overdue"])) == (1, 2, 1)
    assert [row["customer"] for row in week2["overdue"]] == ["张伟", "李娜"]
    assert [row["customer"] for row in week3["overdue"]] == ["李娜"] and week3["overdue"][0]["sla"] == "overdue"
    # Status at week end, not today's: A is "new" in week 1's list.
    assert [(row["reference"], row["state"]) for row in week1["items"]] == [(history["a"].reference, "新")]
    assert {row["reference"]: row["sla"] for row in week3["items"]} == {history["c"].reference: "met"}
    # The trend of week 3 holds the eight weeks before it and week 3 itself.
    assert len(week3["trend"]) == 9 and week3["trend"][-1]["week_start"] == "2026-11-16"
    assert [(w["received"], w["resolved"], w["open"], w["overdue"]) for w in week3["trend"][-3:]] == [
        (1, 0, 1, 1), (1, 0, 2, 2), (1, 2, 1, 1)]
    assert week3["by_category"] == [{"label": "网络或服务中断", "count": 1, "value": "network"}]
    assert week3["by_product_line"][0]["label"] == "安全网关"


@pytest.fixture
def manager(client, settings):
    settings.OTP_REQUIRED_GROUPS = []
    boss = staff_user("zhao", CARE_MANAGERS)
    client.force_login(boss)
    return boss


def test_the_analysis_page_lists_the_week_and_links_to_the_complaints(history, manager, client):
    page = client.get(URL, {"week": "2026-W47"}).content.decode()
    assert "2026-11-16" in page and "2026-11-22" in page and "王芳" in page
    assert "data-open>1<" in page and "data-overdue>1<" in page
    assert "/admin/care/complaints/?category=network&amp;received_at__gte=2026-11-16+00%3A00%3A00" in page
    assert f"/admin/care/complaints/inspect/{history['c'].pk}/" in page
    assert 'id="complaint-trend-data"' in page and "?week=2026-11-09" in page  # chart data and previous week
    earlier = client.get(URL, {"week": "2026-11-11"}).content.decode()  # any day picks its week
    assert "2026-11-09" in earlier and "data-open>2<" in earlier and "李娜" in earlier


def test_a_week_that_cannot_be_read_or_has_not_begun_shows_the_last_full_week_with_a_message(manager, client):
    page = client.get(URL, {"week": "next tuesday"}, follow=True).content.decode()
    assert "不是一个星期" in page
    page = client.get(URL, {"week": "2099-W01"}).content.decode()
    assert "这一周还没有开始" in page


def test_csv_export(history, manager, client):
    response = client.get(URL + "csv/", {"week": "2026-11-16"})
    assert response["Content-Type"].startswith("text/csv") and "complaints-2026-W47.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["投诉编号", "受理时间", "客户"]
    by_reference = {row[0]: row for row in rows[1:]}
    # The week's complaint and the one still open at week end (received earlier).
    assert set(by_reference) == {history["c"].reference, history["b"].reference}
    assert by_reference[history["b"].reference][2] == "李娜"
    assert by_reference[history["b"].reference][8] == "已超时"
    assert by_reference[history["b"].reference][-1].startswith("'=HYPERLINK")  # formula-safe


def test_pdf_export_prints_chinese_names(history, manager, client):
    response = client.get(URL + "pdf/", {"week": "2026-W46"})
    assert response["Content-Type"] == "application/pdf"
    text = pdftotext(response.content)
    assert "每周投诉分析" in text and "2026-W46" in text
    assert "李娜" in text and "张伟" in text and history["b"].reference in text


def _two_teams(history, member):
    east, west = CareTeam.objects.create(name="华东组"), CareTeam.objects.create(name="华西组")
    east.members.add(member)
    customer_create(organisation_name="东部精密仪器有限公司", contact_name="王芳", email="wang.fang@example.com",
                    mobile="13800138001", team=east)  # C's complainant is this customer's contact
    other = customer_create(organisation_name="西部物流有限公司", contact_name="李娜", email="li.na@example.com",
                            mobile="13900139002", team=west)
    Complaint.objects.filter(pk=history["b"].pk).update(organisation=other.organisation)


def test_a_care_manager_sees_every_teams_complaints(history, manager, client):
    _two_teams(history, manager)
    page = client.get(URL, {"week": "2026-W47"}).content.decode()
    assert "王芳" in page and "李娜" in page
    csv_text = client.get(URL + "csv/", {"week": "2026-W47"}).content.decode("utf-8-sig")
    assert history["c"].reference in csv_text and history["b"].reference in csv_text
    assert "李娜" in pdftotext(client.get(URL + "pdf/", {"week": "2026-W46"}).content)


def test_care_staff_see_and_reach_their_teams_complaints_only(history, client):
    member = staff_user("li", CARE_STAFF)
    _two_teams(history, member)
    client.force_login(member)
    listing = client.get("/admin/care/complaints/").content.decode()
    assert history["c"].reference in listing and history["b"].reference not in listing
    # Complaints of nobody's customer (A) stay visible to every team.
    assert history["a"].reference in listing
    west = history["b"].pk
    for name in ("inspect", "edit", "history"):
        response = client.get(reverse(f"care_complaints:{name}", args=[west]), follow=True)
        # Not found, or Wagtail's "no permission" redirect to the dashboard.
        assert response.status_code == 404 or response.redirect_chain[-1][0].endswith("/admin/"), name
    assert client.post(reverse("care_complaints:action", args=[west, "start"]), follow=True).status_code == 404
    assert Complaint.objects.get(pk=west).state == Complaint.State.NEW
    assert client.get(f"/admin/care/complaints/inspect/{history['c'].pk}/").status_code == 200


def test_care_staff_cannot_open_the_analysis_or_its_exports(history, client):
    client.force_login(history["staff"])
    for suffix in ("", "csv/", "pdf/"):
        assert client.get(URL + suffix).status_code in (302, 403)
