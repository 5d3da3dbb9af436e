"""Issuing certificates for a class, revoking them, the admin screens and the care selector.

Reminders 60 and 14 days before a certificate lapses, each once, with the coming classes; lapsed
certificates show as expired."""

import re
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from config.celery import app
from home.models import Organisation, OutboxMessage
from home.roles import CARE_MANAGERS, CARE_STAFF, TRAINING_COORDINATORS
from training.models import Assessment, Certificate, ClassSession
from training.models.certificates import certificate_number_new
from training.selectors import certificates_valid_for_organisation
from training.services import TrainingError
from training.services.certificates import (
    assessment_record,
    certificate_create,
    certificate_issue_for_session,
    certificate_reminders_send,
    certificate_revoke,
    checklist_parse,
)
from training.tasks import certificate_reminders_task, certificate_render_pdf_task

from .. import certificate_helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def klass(home_pages):
    return h.session(h.course(home_pages), days=-1)


def test_issues_only_to_attendees_present_and_passed(klass, django_capture_on_commit_callbacks):
    coordinator = h.staff(TRAINING_COORDINATORS)
    passed = h.attendee(klass, name="张伟")
    failed = h.attendee(klass, name="李娜", result=Assessment.Result.FAILED)
    h.attendee(klass, name="王芳", attended=False)
    h.attendee(klass, name="刘洋", result=Assessment.Result.PENDING)
    h.attendee(klass, name="陈静", result=None)

    with django_capture_on_commit_callbacks() as callbacks:
        issued = certificate_issue_for_session(session_id=klass.pk, acting_user=coordinator)

    assert [c.holder_name for c in issued] == ["张伟"]
    certificate = Certificate.objects.get()
    assert certificate.person == passed.person and certificate.signup == passed
    assert re.fullmatch(r"C\d{4}[0-9A-HJKMNP-TV-Z]{10}", certificate.number)
    assert certificate.course_title_zh_hans == "安全网关认证工程师"
    assert certificate.course_title_en == "Certified security gateway engineer"
    assert certificate.product_line.slug == "firewall"
    assert certificate.class_date == timezone.localtime(klass.starts_at).date()
    assert certificate.issued_on == timezone.localdate()
    assert certificate.expires_on == certificate.issued_on + relativedelta(months=24)
    assert certificate.state == Certificate.State.VALID
    assert len(callbacks) == 1  # the PDF task, after commit
    entry = ModelLogEntry.objects.get(action="training.certificate_issue")
    assert entry.user == coordinator and entry.object_id == str(certificate.pk)

    # Idempotent: nothing new the second time; someone passing later gets theirs on the next run.
    assert certificate_issue_for_session(session_id=klass.pk, acting_user=coordinator) == []
    assessment_record(signup_id=failed.pk, result=Assessment.Result.PASSED, acting_user=coordinator)
    again = certificate_issue_for_session(session_id=klass.pk, acting_user=coordinator)
    assert [c.holder_name for c in again] == ["李娜"]
    assert Certificate.objects.count() == 2


def test_no_certificates_before_the_class(home_pages):
    klass = h.session(h.course(home_pages), days=3)
    h.attendee(klass)
    with pytest.raises(TrainingError):
        certificate_issue_for_session(session_id=klass.pk, acting_user=h.staff(TRAINING_COORDINATORS))
    assert not Certificate.objects.exists()


def test_absent_attendee_cannot_pass(klass):
    signup = h.attendee(klass, attended=False, result=None)
    with pytest.raises(TrainingError):
        assessment_record(signup_id=signup.pk, result=Assessment.Result.PASSED, acting_user=h.staff())


def test_course_without_expiry(home_pages):
    klass = h.session(h.course(home_pages, months=0))
    h.attendee(klass)
    [certificate] = certificate_issue_for_session(session_id=klass.pk, acting_user=h.staff())
    assert certificate.expires_on is None
    assert certificate.state_on(date(2100, 1, 1)) == Certificate.State.VALID


def test_numbers_are_random_and_unique():
    numbers = {certificate_number_new() for _ in range(2000)}
    assert len(numbers) == 2000
    year = timezone.localdate().year
    assert all(n.startswith(f"C{year}") and len(n) == 15 for n in numbers)
    assert len({n[5] for n in numbers}) > 20  # the first random character varies: not a counter


def test_expiry_clamps_to_month_end(home_pages):
    """Validity counts whole months; issued on the 31st (or 29 February), a certificate lapses at the end
    of the shorter month."""
    holder = h.person()
    one_month, two_years = h.course(home_pages, months=1), h.course(home_pages, months=24)

    def expires(course, issued_on):
        return certificate_create(person=holder, course=course, class_date=issued_on, issued_on=issued_on).expires_on

    assert expires(one_month, date(2026, 1, 31)) == date(2026, 2, 28)
    assert expires(two_years, date(2024, 2, 29)) == date(2026, 2, 28)
    assert expires(two_years, date(2026, 11, 23)) == date(2028, 11, 23)


def test_checklist_text_round_trip():
    rows = checklist_parse("[x] 配置 VPN\n[ ] HA failover\n\nplain item")
    assert rows == [{"item": "配置 VPN", "done": True}, {"item": "HA failover", "done": False},
                    {"item": "plain item", "done": False}]


def test_revoke_needs_a_reason_and_happens_once(klass):
    coordinator = h.staff(TRAINING_COORDINATORS)
    h.attendee(klass)
    [certificate] = certificate_issue_for_session(session_id=klass.pk, acting_user=coordinator)
    with pytest.raises(TrainingError):
        certificate_revoke(certificate_id=certificate.pk, reason="  ", acting_user=coordinator)
    certificate_revoke(certificate_id=certificate.pk, reason="考核作弊", acting_user=coordinator)
    certificate.refresh_from_db()
    assert certificate.state == Certificate.State.REVOKED
    assert certificate.revocation_reason == "考核作弊" and certificate.revoked_at
    with pytest.raises(TrainingError):
        certificate_revoke(certificate_id=certificate.pk, reason="again", acting_user=coordinator)
    assert ModelLogEntry.objects.filter(action="training.certificate_revoke", user=coordinator).count() == 1


def test_issued_certificate_is_rendered_and_emailed_after_commit(klass, django_capture_on_commit_callbacks):
    signup = h.attendee(klass, name="张伟", email="zhang.wei@example.com")
    with django_capture_on_commit_callbacks() as callbacks:
        [certificate] = certificate_issue_for_session(session_id=klass.pk, acting_user=h.staff())
    assert len(callbacks) == 1
    certificate_render_pdf_task(certificate.pk)  # what the worker runs
    certificate_render_pdf_task(certificate.pk)  # and a second delivery of the same task changes nothing
    assert OutboxMessage.objects.filter(kind="training.certificate").count() == 1
    certificate.refresh_from_db()
    assert certificate.pdf.name == f"certificates/{certificate.issued_on:%Y}/{certificate.number}.pdf"
    assert certificate.pdf.read().startswith(b"%PDF")
    message = OutboxMessage.objects.get(kind="training.certificate")
    assert message.to_email == "zhang.wei@example.com" and message.person == signup.person
    assert certificate.number in message.subject and "安全网关认证工程师" in message.subject
    assert f"https://journal.example.com/certificates/verify/{certificate.number}/" in message.text
    [pdf] = message.attachments
    assert pdf["filename"] == f"{certificate.number}.pdf" and pdf["mimetype"] == "application/pdf"


# Admin -------------------------------------------------------------------------------------------


def test_coordinator_assesses_and_issues_in_the_admin(client, klass):
    coordinator = h.staff(TRAINING_COORDINATORS)
    first = h.attendee(klass, name="张伟", result=None)
    second = h.attendee(klass, name="李娜", result=None)
    client.force_login(coordinator)

    index = client.get(reverse("training_certificates:index"))
    assert index.status_code == 200
    classes = client.get(reverse("training_certificates:classes"))
    assert classes.status_code == 200 and "安全网关认证工程师" in classes.content.decode()
    page = client.get(reverse("training_certificates:class", args=[klass.pk]))
    assert page.status_code == 200 and "张伟" in page.content.decode()

    response = client.post(reverse("training_certificates:class", args=[klass.pk]), {
        f"result-{first.pk}": "passed", f"checklist-{first.pk}": "[x] 配置 VPN\n[ ] 双机热备", f"notes-{first.pk}": "很好",
        f"result-{second.pk}": "failed", f"checklist-{second.pk}": "", f"notes-{second.pk}": "",
    })
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.assessment.result == "passed" and first.assessment.assessed_by == coordinator
    assert first.assessment.checklist == [{"item": "配置 VPN", "done": True}, {"item": "双机热备", "done": False}]

    issue_url = reverse("training_certificates:issue", args=[klass.pk])
    assert client.get(issue_url).status_code == 405  # POST only
    response = client.post(issue_url, follow=True)
    assert response.status_code == 200
    certificate = Certificate.objects.get()
    assert certificate.person == first.person
    assert certificate.number in response.content.decode()

    inspect = client.get(reverse("training_certificates:inspect", args=[certificate.pk]))
    assert inspect.status_code == 200 and certificate.number in inspect.content.decode()
    revoke_url = reverse("training_certificates:revoke", args=[certificate.pk])
    assert client.get(revoke_url).status_code == 200
    client.post(revoke_url, {"reason": "资料不实"})
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED


@pytest.mark.parametrize("role", [CARE_STAFF, CARE_MANAGERS, None])
def test_other_staff_cannot_touch_certificates(client, klass, role):
    h.attendee(klass)
    certificate = certificate_issue_for_session(session_id=klass.pk, acting_user=h.staff())[0]
    client.force_login(h.staff(role))
    for url in [
        reverse("training_certificates:index"),
        reverse("training_certificates:classes"),
        reverse("training_certificates:class", args=[klass.pk]),
        reverse("training_certificates:revoke", args=[certificate.pk]),
        reverse("training_certificates:pdf", args=[certificate.pk]),
    ]:
        assert client.get(url).status_code in (302, 403), url
    assert client.post(reverse("training_certificates:issue", args=[klass.pk])).status_code in (302, 403)
    assert client.post(reverse("training_certificates:revoke", args=[certificate.pk]),
                       {"reason": "x"}).status_code in (302, 403)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_nobody_adds_edits_or_deletes_certificates_by_hand(client, klass):
    h.attendee(klass)
    certificate = certificate_issue_for_session(session_id=klass.pk, acting_user=h.staff())[0]
    client.force_login(h.staff(superuser=True))
    assert client.get(reverse("training_certificates:add")).status_code in (302, 403)
    assert client.get(reverse("training_certificates:edit", args=[certificate.pk])).status_code in (302, 403)
    assert client.post(reverse("training_certificates:delete", args=[certificate.pk])).status_code in (302, 403)
    assert Certificate.objects.filter(pk=certificate.pk).exists()


# Care's selector ---------------------------------------------------------------------------------


def test_valid_certificates_of_an_organisation(home_pages, django_assert_num_queries):
    org = Organisation.objects.create(name="华东电力")
    other = Organisation.objects.create(name="蓝海物流")
    course = h.course(home_pages)
    today = timezone.localdate()

    def make(name, organisation, issued_on):
        return certificate_create(person=h.person(name=name, organisation=organisation), course=course,
                                  class_date=issued_on, issued_on=issued_on)

    valid = make("张伟", org, today - timedelta(days=30))
    make("李娜", org, today - relativedelta(months=24) - timedelta(days=1))  # lapsed yesterday
    revoked = make("王芳", org, today)
    certificate_revoke(certificate_id=revoked.pk, reason="x", acting_user=None)
    make("刘洋", other, today)

    with django_assert_num_queries(1):
        rows = [(c.person.name, c.product_line.name_zh_hans, c.expires_on)
                for c in certificates_valid_for_organisation(organisation_id=org.pk)]
    assert rows == [("张伟", "安全网关", valid.expires_on)]


def expiring_in(course, days, **person_kw):
    """A certificate whose last valid day is ``days`` from today."""
    today = timezone.localdate()
    issued = today + timedelta(days=days) - relativedelta(months=24)
    return certificate_create(person=h.person(**person_kw), course=course, class_date=issued, issued_on=issued)


def reminders():
    return list(OutboxMessage.objects.filter(kind="training.certificate_reminder").order_by("pk"))


def test_sixty_then_fourteen_days_each_once(home_pages):
    course = h.course(home_pages)
    h.session(course, days=30, city="成都", city_en="Chengdu")
    certificate = expiring_in(course, 59, name="张伟")
    today = timezone.localdate()

    assert certificate_reminders_send(today=today) == {14: 0, 60: 1}
    assert certificate_reminders_send(today=today) == {14: 0, 60: 0}
    assert certificate_reminders_send(today=today + timedelta(days=10)) == {14: 0, 60: 0}
    [first] = reminders()
    assert first.to_email == certificate.person.email
    assert "59" in first.subject and "安全网关认证工程师" in first.subject
    assert "成都" in first.text and "Chengdu" not in first.text  # the coming class, in the holder's language
    assert "https://journal.example.com/zh-hans/training/" in first.text

    assert certificate_reminders_send(today=today + timedelta(days=46)) == {14: 1, 60: 0}
    assert certificate_reminders_send(today=today + timedelta(days=50)) == {14: 0, 60: 0}
    assert len(reminders()) == 2
    certificate.refresh_from_db()
    assert certificate.reminded_60_at and certificate.reminded_14_at


def test_english_holder_gets_english_reminder_with_english_course_page(home_pages):
    course = h.course(home_pages)
    expiring_in(course, 30, name="Tom Becker", language="en")
    certificate_reminders_task()
    [message] = reminders()
    assert message.subject.startswith("Your certificate for Certified security gateway engineer expires in 30 days")
    assert "https://journal.example.com/en/training/" in message.text


def test_late_certificate_gets_only_the_last_reminder(home_pages):
    course = h.course(home_pages)
    certificate = expiring_in(course, 10)
    assert certificate_reminders_send() == {14: 1, 60: 0}
    assert certificate_reminders_send() == {14: 0, 60: 0}
    certificate.refresh_from_db()
    assert certificate.reminded_60_at is not None


def test_no_reminder_for_revoked_expired_or_far_off(home_pages):
    course = h.course(home_pages)
    revoked = expiring_in(course, 30)
    certificate_revoke(certificate_id=revoked.pk, reason="x", acting_user=None)
    expiring_in(course, -1)
    expiring_in(course, 61)
    assert certificate_reminders_send() == {14: 0, 60: 0}
    assert reminders() == []


def test_upcoming_classes_in_the_reminder_exclude_past_and_cancelled(home_pages):
    course = h.course(home_pages)
    h.session(course, days=-5, city="北京", city_en="Beijing")
    h.session(course, days=20, city="深圳", city_en="Shenzhen", status=ClassSession.Status.CANCELLED)
    h.session(course, days=40, city="上海", city_en="Shanghai")
    expiring_in(course, 50)
    certificate_reminders_send()
    [message] = reminders()
    assert "上海" in message.text
    assert "北京" not in message.text and "深圳" not in message.text


def test_lapsed_certificate_is_expired_from_the_next_day(home_pages):
    course = h.course(home_pages)
    certificate = expiring_in(course, 0, organisation=None)
    today = timezone.localdate()
    assert certificate.state_on(today) == Certificate.State.VALID
    assert certificate.state_on(today + timedelta(days=1)) == Certificate.State.EXPIRED
    lapsed = expiring_in(course, -1)
    assert lapsed.state == Certificate.State.EXPIRED
    with translation.override("en"):
        assert lapsed.get_state_display() == "Expired"


def test_lapsed_certificates_leave_the_care_view(home_pages):
    from home.models import Organisation

    org = Organisation.objects.create(name="华东电力")
    course = h.course(home_pages)
    expiring_in(course, 0, organisation=org, name="张伟")
    expiring_in(course, -1, organisation=org, name="李娜")
    assert [c.holder_name for c in certificates_valid_for_organisation(organisation_id=org.pk)] == ["张伟"]


def test_beat_runs_the_reminders_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["training-certificate-reminders"]
    assert entry["task"] == certificate_reminders_task.name
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
