"""Thin Celery tasks of the e-journal: they take ids, call one service, and are safe to run twice.

One pattern for the whole app: the tasks live here and call services; services enqueue them with
``tasks.<name>.delay_on_commit(...)``. Both sides import the other module whole at the top
(``from .services import deliveries`` here, ``from .. import tasks`` there), never a name from it,
so either may be imported first.
"""

from celery import shared_task

from .services import NewsletterError, deliveries, inbound, issues, sending
from .transport import TransportError


@shared_task(acks_late=True, ignore_result=True, throws=(NewsletterError,))
def delivery_build_task(delivery_id: int):
    deliveries.delivery_build(delivery_id=delivery_id)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def delivery_send_batch_task(self, delivery_id: int):
    try:
        return sending.delivery_send_batch(delivery_id=delivery_id)
    except TransportError as exc:
        # The rows went back to the queue; try again with a growing delay (at most 10 minutes).
        raise self.retry(countdown=min(15 * 2 ** self.request.retries, 600), exc=exc)


@shared_task(ignore_result=True)
def delivery_sweep_task():
    return deliveries.delivery_sweep()


@shared_task(acks_late=True, ignore_result=True)
def inbound_process_task(inbound_id: int):
    inbound.inbound_process(inbound_id=inbound_id)


@shared_task(ignore_result=True)
def issue_drafts_abandoned_task():
    return issues.issue_drafts_abandoned_delete()
