"""home's Celery tasks. The rule in every app: tasks live in ``<app>/tasks.py``, are thin (load by primary
key, call one service), and services that enqueue import this module whole (``from home import tasks``)
and call ``tasks.<name>.delay_on_commit(...)``, so either side may be imported first."""

import logging

from celery import shared_task
from django.utils import timezone

from home.models import OutboxMessage
from home.privacy import retention
from home.services import outbox, rights

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def outbox_send_task(self, message_id: int):
    message = outbox.outbox_send(message_id=message_id)
    if message and message.state == OutboxMessage.State.QUEUED and message.next_attempt_at:
        countdown = max((message.next_attempt_at - timezone.now()).total_seconds(), 0)
        raise self.retry(countdown=countdown, max_retries=None)


@shared_task(ignore_result=True)
def outbox_sweep_task():
    requeued, resent = outbox.outbox_sweep()
    return {"requeued": requeued, "resent": resent}


@shared_task(acks_late=True, ignore_result=True)
def rights_request_export_task(request_id: int):
    rights.rights_request_export(request_id=request_id)


@shared_task(ignore_result=True)
def retention_enforce_task():
    """Apply the retention periods in settings.RETENTION; returns what was removed per model."""
    report = retention.retention_enforce()
    logger.info("retention: %s", report)
    return report
