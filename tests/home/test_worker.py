"""A real Celery worker process consumes the configured broker (filesystem by default, Redis in CI)."""

import pytest

from home.models import OutboxMessage
from home.services.outbox import outbox_enqueue
from tests.conftest import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_outbox_message_leaves_through_a_real_worker(smtp_server, celery_worker):
    message = outbox_enqueue(to_email="li.lei@example.com", subject="测试邮件", text="你好", kind="test")
    received = smtp_server.wait_for(1, timeout=90)
    assert received[0]["to"] == ["li.lei@example.com"]
    assert received[0]["message"]["Subject"] == "测试邮件"
    wait_until(
        lambda: OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.SENT,
        message=f"the row to be marked sent; worker log:\n{celery_worker.output()}",
    )
