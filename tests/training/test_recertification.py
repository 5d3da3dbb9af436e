"""Reminders 60 and 14 days before a certificate lapses, each once, with the coming classes; lapsed
certificates show as expired."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation

from config.celery import app
from home.models import OutboxMessage
from training.certificate_selectors import certificates_valid_for_organisation
from training.models import Certificate, ClassSession
from training.services.certificates import (
    add_months,
    certificate_create,
    certificate_reminders_send,
    certificate_revoke,
)
from training.tasks_certificates import certificate_reminders_task

from . import certificate_helpers as h

pytestmark = pytest.mark.django_db


def expiring_in(course, days, **person_kw):
    """A certificate whose last valid day is ``days`` from today."""
    today = timezone.localdate()
    issued = add_months(today + timedelta(days=days), -24)
    return certificate_create(person=h.person(**person_kw), course=course, class_date=issued, issued_on=issued)


def reminders():
    return list(OutboxMessage.objects.filter(kind="training.certificate_reminder").order_by("pk"))


def test_sixty_then_fourteen_days_each_once(home_pages):
    course = h.course(home_pages)
    h.session(course, days=30, city="成都 Chengdu")
    certificate = expiring_in(course, 59, name="张伟")
    today = timezone.localdate()

    assert certificate_reminders_send(today=today) == {14: 0, 60: 1}
    assert certificate_reminders_send(today=today) == {14: 0, 60: 0}
    assert certificate_reminders_send(today=today + timedelta(days=10)) == {14: 0, 60: 0}
    [first] = reminders()
    assert first.to_email == certificate.person.email
    assert "59" in first.subject and "安全网关认证工程师" in first.subject
    assert "成都 Chengdu" in first.text  # the coming class of the same course
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
    h.session(course, days=-5, city="北京 Beijing")
    h.session(course, days=20, city="深圳 Shenzhen", status=ClassSession.Status.CANCELLED)
    h.session(course, days=40, city="上海 Shanghai")
    expiring_in(course, 50)
    certificate_reminders_send()
    [message] = reminders()
    assert "上海 Shanghai" in message.text
    assert "北京 Beijing" not in message.text and "深圳 Shenzhen" not in message.text


def test_lapsed_certificate_is_expired_from_the_next_day(home_pages):
    course = h.course(home_pages)
    certificate = expiring_in(course, 0, organisation=None)
    today = timezone.localdate()
    assert certificate.state_on(today) == Certificate.State.VALID
    assert certificate.state_on(today + timedelta(days=1)) == Certificate.State.EXPIRED
    lapsed = expiring_in(course, -1)
    assert lapsed.state == Certificate.State.EXPIRED
    with translation.override("en"):
        assert lapsed.get_state_display() == "expired"


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
