from datetime import timedelta

import pytest
from django.utils import timezone

from home.exceptions import HomeError
from home.models import OutboxMessage
from home.services.outbox import outbox_enqueue, outbox_retry, outbox_send, outbox_sweep

pytestmark = pytest.mark.django_db


def _enqueue(**kwargs):
    defaults = {"to_email": "reader@example.com", "subject": "你好", "text": "正文", "html": "<p>正文</p>", "kind": "test"}
    return outbox_enqueue(**{**defaults, **kwargs})


def test_message_is_sent_over_smtp(smtp_server):
    message = _enqueue(headers={"X-Test": "1"})
    outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert message.sent_at is not None
    received = smtp_server.wait_for(1)[0]
    assert received["to"] == ["reader@example.com"]
    assert received["message"]["Subject"] == "你好"
    assert received["message"]["X-Test"] == "1"
    assert received["message"].get_body(("html",)).get_content().strip() == "<p>正文</p>"


def test_sending_twice_sends_once(smtp_server):
    message = _enqueue()
    outbox_send(message_id=message.pk)
    outbox_send(message_id=message.pk)
    assert len(smtp_server.messages) == 1


def test_same_key_enqueues_one_message():
    first = _enqueue(key="signup-confirm:1")
    second = _enqueue(key="signup-confirm:1", subject="another")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


def test_line_break_in_subject_is_refused():
    with pytest.raises(HomeError):
        _enqueue(subject="hi\nBcc: victim@example.com")
    assert not OutboxMessage.objects.exists()


def test_smtp_error_retries_with_backoff_then_fails(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = _enqueue()
    outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.QUEUED
    assert message.attempts == 1
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert "ConnectionRefusedError" in message.last_error
    # not due yet: nothing happens
    outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.attempts == 1
    for _ in range(2):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED
    assert message.attempts == 3


def test_permanent_refusal_fails_at_once(smtp_server):
    smtp_server.handler.refuse.add("gone@example.com")
    message = _enqueue(to_email="gone@example.com")
    outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED
    assert "550" in message.last_error


def test_staff_retry_of_failed_message(smtp_server, admin_user):
    message = _enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxMessage.State.FAILED, attempts=5)
    outbox_retry(message_id=message.pk, acting_user=admin_user)
    outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    with pytest.raises(HomeError):
        outbox_retry(message_id=message.pk, acting_user=admin_user)


def test_sweep_puts_stuck_messages_back():
    message = _enqueue()
    long_ago = timezone.now() - timedelta(minutes=30)
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxMessage.State.SENDING, updated_at=long_ago)
    requeued, _resent = outbox_sweep()
    message.refresh_from_db()
    assert requeued == 1
    assert message.state == OutboxMessage.State.QUEUED


def test_failed_messages_are_listed_for_staff(client, admin_user):
    message = _enqueue(subject="Failed one")
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxMessage.State.FAILED, last_error="550 no")
    client.force_login(admin_user)
    response = client.get("/admin/outbox/?state=failed")
    assert response.status_code == 200
    assert "Failed one" in response.content.decode()
    inspect = client.get(f"/admin/outbox/inspect/{message.pk}/")
    assert "550 no" in inspect.content.decode()
    assert f'action="/admin/outbox/{message.pk}/retry/"' in inspect.content.decode()
    response = client.post(f"/admin/outbox/{message.pk}/retry/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.QUEUED


def test_a_message_that_keeps_failing_for_a_non_smtp_reason_ends_failed(smtp_server, settings):
    """A broken attachment (not base64) fails in building, not in SMTP: retried, then failed for staff."""
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = _enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        attachments=[{"filename": "a.pdf", "content_b64": "not base64!", "mimetype": "application/pdf"}])
    outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.QUEUED and "Error" in message.last_error
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED and message.attempts == 2
    assert not smtp_server.messages


def test_sweep_fails_a_message_whose_worker_died_on_every_attempt(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = _enqueue()
    long_ago = timezone.now() - timedelta(hours=1)
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxMessage.State.SENDING, attempts=3,
                                                       updated_at=long_ago)
    outbox_sweep()
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED and "worker" in message.last_error
