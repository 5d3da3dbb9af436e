from celery import shared_task
from django.utils import timezone

from . import services
from .models import OutboxMessage


@shared_task(bind=True, acks_late=True, ignore_result=True)
def outbox_send_task(self, message_id: int):
    message = services.outbox_send(message_id=message_id)
    if message and message.state == OutboxMessage.State.QUEUED and message.next_attempt_at:
        countdown = max((message.next_attempt_at - timezone.now()).total_seconds(), 0)
        raise self.retry(countdown=countdown, max_retries=None)


@shared_task(ignore_result=True)
def outbox_sweep_task():
    requeued, resent = services.outbox_sweep()
    return {"requeued": requeued, "resent": resent}


@shared_task(acks_late=True, ignore_result=True)
def rights_request_export_task(request_id: int):
    from .rights import rights_request_export

    rights_request_export(request_id=request_id)


@shared_task(ignore_result=True)
def retention_enforce_task():
    """Apply the retention periods in settings.RETENTION; returns what was removed per model."""
    import logging

    from .privacy import retention_enforce

    report = retention_enforce()
    logging.getLogger(__name__).info("retention: %s", report)
    return report
