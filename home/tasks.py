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
