"""Retention periods (settings.RETENTION) are enforced by an idempotent periodic task that reports what it
removed; the task asks each app's privacy registration for its rules."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from home.models import OutboxMessage, RightsRequest
from home.services.people import person_match_or_create
from home.tasks import retention_enforce_task

pytestmark = pytest.mark.django_db


def ago(days):
    return timezone.now() - timedelta(days=days)


def test_the_nightly_task_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == "home.tasks.retention_enforce_task"
    assert entry["task"] == retention_enforce_task.name
    assert settings.RETENTION["complaint_text_days"] == 3 * 365
    assert settings.RETENTION["unconfirmed_subscribers_days"] == 30


def test_old_data_is_removed_once_and_the_task_reports_it(home_pages):
    from care.models import Call, Complaint
    from care.services.calls import call_create, call_log_outcome
    from care.services.complaints import complaint_submit
    from care.services.customers import customer_create
    from newsletter.models import Subscriber
    from newsletter.services.subscribers import confirm_token, subscriber_confirm, subscriber_subscribe

    old_pending = subscriber_subscribe(email="old.pending@example.com", name="旧订阅")
    new_pending = subscriber_subscribe(email="new.pending@example.com", name="新订阅")
    old_active = subscriber_subscribe(email="old.active@example.com", name="老读者")
    subscriber_confirm(token=confirm_token(old_active))
    Subscriber.objects.filter(pk__in=[old_pending.pk, old_active.pk]).update(created_at=ago(31))

    def complaint(summary, state, days):
        item = complaint_submit(kind="complaint", category="network", summary=summary, description="<p>详情</p>",
                                name="投诉人", email=f"{state}{days}@example.com")
        Complaint.objects.filter(pk=item.pk).update(state=state, received_at=ago(days))
        return item

    old_closed = complaint("很久以前的投诉", "closed", 3 * 365 + 1)
    recent_closed = complaint("最近的投诉", "closed", 30)
    old_open = complaint("仍在处理的投诉", "in_progress", 3 * 365 + 1)

    customer = customer_create(organisation_name="华安科技", contact_name="王伟", email="wang@example.com")
    call, _ = call_create(customer=customer, purpose="six_monthly", period_key="2022-H1", due_at=ago(1))
    from django.contrib.auth import get_user_model

    caller = get_user_model().objects.create_user(username="caller", password="x")
    call_log_outcome(call_id=call.pk, disposition=Call.Disposition.COMPLETED, acting_user=caller, note="老笔记")
    Call.objects.filter(pk=call.pk).update(created_at=ago(3 * 365 + 1))

    person = person_match_or_create(email="someone@example.com")
    sent_old = OutboxMessage.objects.create(kind="x", person=person, to_email=person.email, subject="s", text="t",
                                            state=OutboxMessage.State.SENT)
    queued_old = OutboxMessage.objects.create(kind="x", to_email=person.email, subject="s", text="t")
    OutboxMessage.objects.filter(pk__in=[sent_old.pk, queued_old.pk]).update(created_at=ago(181))
    AccessAttempt.objects.create(username="intruder", ip_address="10.0.0.1", failures_since_start=3)
    AccessAttempt.objects.update(attempt_time=ago(91))
    AccessAttempt.objects.create(username="recent", ip_address="10.0.0.2", failures_since_start=1)

    request = RightsRequest.objects.create(kind="access", email="someone@example.com", token="t1",
                                           state="completed", handled_at=ago(8))
    request.archive.save("old.zip", ContentFile(b"zip"))
    archive_path = request.archive.path

    report = retention_enforce_task()

    assert report["newsletter.Subscriber:unconfirmed_subscribers_days"] == 1
    assert set(Subscriber.objects.values_list("pk", flat=True)) == {new_pending.pk, old_active.pk}
    assert report["care.Complaint:complaint_text_days"] == 1
    assert Complaint.objects.get(pk=old_closed.pk).description == ""
    assert Complaint.objects.get(pk=old_closed.pk).category == "network"  # still counted in reports
    assert Complaint.objects.get(pk=recent_closed.pk).summary == "最近的投诉"
    assert Complaint.objects.get(pk=old_open.pk).summary == "仍在处理的投诉"
    assert report["care.Call:call_notes_days"] == 1 and Call.objects.get(pk=call.pk).notes == ""
    assert report["home.OutboxMessage:sent_emails_days"] == 1
    assert set(OutboxMessage.objects.filter(to_email=person.email).values_list("pk", flat=True)) >= {queued_old.pk}
    assert not OutboxMessage.objects.filter(pk=sent_old.pk).exists()
    assert report["axes.AccessAttempt:login_attempts_days"] == 1
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["recent"]
    assert report["home.RightsRequest:rights_archive_days"] == 1
    request.refresh_from_db()
    assert not request.archive and not (settings.PRIVATE_ROOT / "rights" / "old.zip").exists()
    assert not __import__("os").path.exists(archive_path)

    again = retention_enforce_task()
    assert set(again.values()) == {0}, again  # idempotent


def test_a_period_left_out_of_the_settings_removes_nothing(settings, home_pages):
    from newsletter.models import Subscriber
    from newsletter.services.subscribers import subscriber_subscribe

    settings.RETENTION = {}
    pending = subscriber_subscribe(email="keep.me@example.com")
    Subscriber.objects.filter(pk=pending.pk).update(created_at=ago(400))
    assert retention_enforce_task() == {}
    assert Subscriber.objects.filter(pk=pending.pk).exists()
