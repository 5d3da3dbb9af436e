"""Thin Celery tasks of the e-journal: they take ids, call one service, and are safe to run twice."""

from celery import shared_task

from .services import NewsletterError
from .services import delivery as delivery_services
from .services import inbound as inbound_services
from .transport import TransportError


@shared_task(acks_late=True, ignore_result=True, throws=(NewsletterError,))
def delivery_build_task(delivery_id: int):
    delivery_services.delivery_build(delivery_id=delivery_id)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def delivery_send_batch_task(self, delivery_id: int):
    try:
        return delivery_services.delivery_send_batch(delivery_id=delivery_id)
    except TransportError as exc:
        # The rows went back to the queue; try again with a growing delay (at most 10 minutes).
        raise self.retry(countdown=min(15 * 2 ** self.request.retries, 600), exc=exc)


@shared_task(ignore_result=True)
def delivery_sweep_task():
    return delivery_services.delivery_sweep()


@shared_task(acks_late=True, ignore_result=True)
def inbound_process_task(inbound_id: int):
    inbound_services.inbound_process(inbound_id=inbound_id)
