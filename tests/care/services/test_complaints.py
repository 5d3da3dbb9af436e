"""Complaints from every channel: intake, sanitising, the state flow, history, hand-over, roles."""

import pytest
from django.utils import translation
from wagtail.models import ModelLogEntry

from care.models import Complaint
from care.services import CareError
from care.services.complaints import (
    complaint_check_item,
    complaint_close,
    complaint_hand_over,
    complaint_resolve,
    complaint_start,
    complaint_submit,
    description_clean,
)
from care.services.workorders import complaint_escalate, complaint_wait_for_customer
from home.models import OutboxMessage, Person
from home.roles import CARE_MANAGERS, CARE_STAFF, EDITORS, TRAINING_COORDINATORS
from tests.care.complaint_helpers import checklist_done, complaint, staff_user, support_group

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # Care managers must set up a second factor before any admin page (home.security); not what we test here.
    settings.OTP_REQUIRED_GROUPS = []


def test_description_is_sanitised_to_a_small_allow_list():
    cleaned = description_clean(
        '<p onclick="x()">好<script>alert(1)</script></p><img src=x onerror=alert(1)>'
        '<a href="javascript:alert(1)">bad</a><a href="https://example.com/a">ok</a><svg><circle/></svg>'
    )
    assert "<script" not in cleaned and "onclick" not in cleaned and "<img" not in cleaned and "<svg" not in cleaned
    assert "javascript:" not in cleaned
    assert '<a href="https://example.com/a" rel="nofollow ugc noopener">ok</a>' in cleaned


def test_plain_text_keeps_its_paragraphs_and_is_escaped():
    assert description_clean("第一段\n\n第二段 <b>x</b> 1<2") == "<p>第一段</p>\n\n<p>第二段 x 1&lt;2</p>"


def test_web_complaint_matches_the_person_and_emails_the_reference():
    existing = Person.objects.create(name="李娜", email="li.na@example.com")
    item = complaint_submit(
        kind="suggestion", category="product", summary="希望增加英文界面", description="建议",
        name="李娜", email="LI.NA@example.com", language="zh-hans",
    )
    assert item.person == existing
    assert item.channel == Complaint.Channel.WEB and item.state == Complaint.State.NEW
    assert item.responsible is None
    message = OutboxMessage.objects.get(kind="care.complaint_received")
    assert message.to_email == "li.na@example.com"
    assert item.reference in message.subject and item.reference in message.text
    assert f"/zh-hans/care/complaints/status/{item.status_token}/" in message.text


def test_web_complaint_with_invalid_email_is_refused():
    with pytest.raises(CareError):
        complaint_submit(kind="complaint", category="other", summary="x", description="y", name="n", email="nope")
    assert not Complaint.objects.exists()


def test_staff_entry_makes_the_receiver_responsible_and_hand_over_moves_it():
    staff = staff_user("wang", CARE_STAFF)
    other = staff_user("zhao", CARE_STAFF)
    item = complaint(staff, channel="sms")
    assert item.received_by == staff and item.responsible == staff
    complaint_hand_over(complaint_id=item.pk, acting_user=staff, to_user=other)
    item.refresh_from_db()
    assert item.responsible == other and item.received_by == staff


def test_full_flow_is_in_the_history_with_registered_actions(settings):
    settings.CARE_QC_SAMPLE_RATE = 0
    staff = staff_user("wang", CARE_STAFF)
    item = complaint(staff)
    complaint_start(complaint_id=item.pk, acting_user=staff)
    complaint_escalate(complaint_id=item.pk, acting_user=staff, support_group=support_group())
    complaint_wait_for_customer(complaint_id=item.pk, acting_user=staff)
    with pytest.raises(CareError):
        complaint_close(complaint_id=item.pk, acting_user=staff)
    checklist_done(item, staff)
    complaint_resolve(complaint_id=item.pk, acting_user=staff, resolution="更换了网关固件")
    complaint_close(complaint_id=item.pk, acting_user=staff)
    item.refresh_from_db()
    assert item.state == Complaint.State.CLOSED and item.resolved_at and item.closed_at
    actions = list(ModelLogEntry.objects.for_instance(item).order_by("timestamp", "pk").values_list("action", flat=True))
    ticks = [a for a in actions if a in ("care.complaint_checklist", "care.workorder_checklist")]
    assert len(ticks) == len(item.checklist) + len(item.work_orders.get().checklist)
    assert [a for a in actions if a not in ticks] == [
        "care.complaint_received", "care.complaint_start", "care.complaint_escalate", "care.complaint_wait",
        "care.complaint_resolve", "care.complaint_close",
    ]
    entry = ModelLogEntry.objects.for_instance(item).get(action="care.complaint_escalate")
    assert entry.user_id == staff.pk
    with translation.override("en"):
        assert str(entry.message) == "Escalated to a support group"  # the registered label, not "Unknown"


def test_resolution_needs_what_was_done():
    staff = staff_user("wang", CARE_STAFF)
    item = complaint(staff)
    with pytest.raises(CareError):
        complaint_resolve(complaint_id=item.pk, acting_user=staff, resolution="  ")


def test_resolve_creates_the_follow_up_call_and_for_the_sample_a_quality_call(settings):
    from care.models import Call

    staff = staff_user("wang", CARE_STAFF)
    settings.CARE_QC_SAMPLE_RATE = 1.0
    item = complaint(staff, organisation_name="华为技术")
    checklist_done(item, staff)
    complaint_resolve(complaint_id=item.pk, acting_user=staff, resolution="已修复")
    purposes = sorted(Call.objects.filter(complaint=item).values_list("purpose", flat=True))
    assert purposes == ["complaint_followup", "quality_control"]
    resolved_mail = OutboxMessage.objects.get(kind="care.complaint_resolved")
    assert "已修复" in resolved_mail.text
    # The label ends its line: a full-width colon and no space after it ({% colon end=True %}).
    assert "我们的处理：\n" in resolved_mail.text and "我们的处理：</p>" in resolved_mail.html

    settings.CARE_QC_SAMPLE_RATE = 0
    other = complaint(staff, name="刘洋", email="liu.yang@example.com")
    checklist_done(other, staff)
    complaint_resolve(complaint_id=other.pk, acting_user=staff, resolution="已解释")
    assert list(Call.objects.filter(complaint=other).values_list("purpose", flat=True)) == ["complaint_followup"]


@pytest.mark.parametrize(
    ("role", "can_see", "can_see_campaigns"),
    [(CARE_STAFF, True, False), (CARE_MANAGERS, True, True), (EDITORS, False, False),
     (TRAINING_COORDINATORS, False, False)],
)
def test_admin_screens_by_role(client, role, can_see, can_see_campaigns):
    author = staff_user("author", CARE_STAFF)
    item = complaint(author)
    user = staff_user("someone", role)
    client.force_login(user)
    listing = client.get("/admin/care/complaints/")
    inspect = client.get(f"/admin/care/complaints/inspect/{item.pk}/")
    if can_see:
        assert listing.status_code == 200 and item.reference in listing.content.decode()
        assert inspect.status_code == 200 and "网关频繁掉线" in inspect.content.decode()
    else:
        assert listing.status_code in (302, 403) and inspect.status_code in (302, 403)
        assert item.reference not in listing.content.decode()
    for url in ("/admin/care/campaigns/", "/admin/care/complaint-report/", "/admin/care/key-account-reports/",
                "/admin/care/letters/"):
        response = client.get(url)
        assert (response.status_code == 200) is can_see_campaigns, url
    home = client.get("/admin/").content.decode()
    assert ("/admin/care/complaints/" in home) is can_see
    assert ("/admin/care/campaigns/" in home) is can_see_campaigns


def test_staff_work_a_complaint_in_the_admin(client, settings):
    settings.CARE_QC_SAMPLE_RATE = 0
    staff = staff_user("wang", CARE_STAFF)
    group = support_group()
    client.force_login(staff)
    response = client.post("/admin/care/complaints/new/", {
        "kind": "complaint", "channel": "phone", "category": "network", "severity": "high", "summary": "无法上网",
        "description": "从早上开始<script>x</script>", "received_at": "2026-11-20 10:00",
        "customer_name": "陈静", "email": "chen.jing@example.com", "mobile": "", "organisation_name": "",
        "language": "zh-hans", "product_line": "",
    })
    item = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/care/complaints/inspect/{item.pk}/"
    assert item.responsible == staff and "<script" not in item.description
    client.post(f"/admin/care/complaints/{item.pk}/do/escalate/", {"support_group": group.pk, "note": "请检查"})
    page = client.get(f"/admin/care/complaints/inspect/{item.pk}/").content.decode()
    assert "网络支持组" in page and "data-work-order" in page
    item.refresh_from_db()
    assert item.state == Complaint.State.ESCALATED
    response = client.post(f"/admin/care/complaints/{item.pk}/do/resolve/", {"resolution": "重启了基站"}, follow=True)
    item.refresh_from_db()
    assert item.state == Complaint.State.ESCALATED and "清单尚未完成" in response.content.decode()
    client.post(f"/admin/care/complaints/{item.pk}/do/resolve/",
                {"resolution": "重启了基站", "skip_reason": "客户已确认恢复，无需再查"})
    item.refresh_from_db()
    assert item.state == Complaint.State.RESOLVED and item.checklist_skip_reason == "客户已确认恢复，无需再查"
    history = client.get(f"/admin/care/complaints/history/{item.pk}/")
    assert history.status_code == 200 and "已升级至支持组" in history.content.decode()


# Checklist, SLA targets, escalation email, survey on resolution ------------------------------------


@pytest.fixture
def eager_tasks():
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_resolving_needs_the_checklist_done_or_a_reason_to_skip(settings):
    settings.CARE_QC_SAMPLE_RATE = 0
    staff = staff_user("wang", CARE_STAFF)
    item = complaint(staff, notify=False)
    assert len(item.checklist) == 4 and not any(row["done"] for row in item.checklist)
    for index in range(3):
        complaint_check_item(complaint_id=item.pk, index=index, done=True, acting_user=staff)
    with pytest.raises(CareError) as error:
        complaint_resolve(complaint_id=item.pk, acting_user=staff, resolution="更换了网关")
    assert item.checklist[3]["text"] in str(error.value)
    item.refresh_from_db()
    assert item.state == Complaint.State.NEW and item.first_responded_at is not None
    complaint_resolve(complaint_id=item.pk, acting_user=staff, resolution="更换了网关", skip_reason="客户不在现场")
    item.refresh_from_db()
    assert item.state == Complaint.State.RESOLVED and item.checklist_skip_reason == "客户不在现场"
    entry = ModelLogEntry.objects.for_instance(item).get(action="care.complaint_resolve")
    assert entry.data["skipped"] == [item.checklist[3]["text"]] and entry.data["skip_reason"] == "客户不在现场"


def test_targets_depend_on_category_and_severity_and_follow_a_reclassification():
    staff = staff_user("wang", CARE_STAFF)
    from care.services.complaint_state import target_hours
    from care.services.complaints import complaint_update
    from care.services.scheduling import add_working_hours

    item = complaint(staff, category="network", severity="critical", notify=False)
    assert target_hours("network", "critical") < target_hours("product", "critical")
    assert item.first_response_due_at == add_working_hours(item.received_at, 0.5)
    assert item.resolution_due_at == add_working_hours(item.received_at, 4)
    complaint_update(complaint_id=item.pk, acting_user=staff, category="billing", severity="low")
    item.refresh_from_db()
    assert item.resolution_due_at == add_working_hours(item.received_at, 63)


def test_escalation_emails_the_support_group():
    staff = staff_user("wang", CARE_STAFF)
    group = support_group("网络支持组")
    item = complaint(staff, notify=False)
    complaint_escalate(complaint_id=item.pk, acting_user=staff, support_group=group, note="请核查基站")
    message = OutboxMessage.objects.get(kind="care.complaint_escalated")
    assert message.to_email == "network@example.com"
    assert item.reference in message.subject and "请核查基站" in message.text
    assert f"/admin/care/complaints/inspect/{item.pk}/" in message.text


def test_resolution_sends_the_satisfaction_survey(settings, eager_tasks, django_capture_on_commit_callbacks):
    settings.CARE_QC_SAMPLE_RATE = 0
    staff = staff_user("wang", CARE_STAFF)
    item = complaint(staff, notify=False)
    checklist_done(item, staff)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_resolve(complaint_id=item.pk, acting_user=staff, resolution="更换了网关")
    survey = OutboxMessage.objects.get(kind="care.survey")
    assert survey.to_email == "zhang.wei@example.com"
    invitation = item.survey_invitations.get()
    assert invitation.staff_member == staff and invitation.token in survey.text
