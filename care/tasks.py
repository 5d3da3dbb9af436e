"""Celery tasks of care: thin wrappers that load rows by id and call one service.

One pattern for tasks and services, used everywhere in care:

- every task is defined here and imports the service module it runs at the top of this file;
- a service that enqueues a task imports it from ``care.tasks`` at the top of its module and calls
  ``<task>.delay_on_commit(...)`` (``services.campaigns`` enqueues ``gift_letters_send_task``);
- so the import graph stays one-way, the module a task runs never enqueues: a task that runs a
  function of an enqueueing module's sub-domain gets that function from its own module
  (``gift_letters_send_task`` runs ``services.letters``, enqueued by ``services.campaigns``).
"""

from celery import shared_task

from .services import CareError, calls, daycounts, letters, reports, satisfaction, workorders

# Complaints, campaigns, reports ------------------------------------------------------------------


@shared_task(ignore_result=True)
def workorders_flag_overdue_task():
    return {"flagged": workorders.workorders_flag_overdue()}


@shared_task(ignore_result=True, acks_late=True)
def day_counts_rebuild_task():
    return {"rows": daycounts.day_counts_rebuild()}


@shared_task(ignore_result=True)
def complaint_weekly_report_task():
    return {"sent": reports.complaint_weekly_report_send()}


@shared_task(ignore_result=True, acks_late=True, throws=(CareError,))
def key_account_reports_generate_task():
    return {"reports": reports.key_account_reports_generate()}


@shared_task(ignore_result=True, acks_late=True)
def gift_letters_send_task(campaign_id: int):
    return {"sent": letters.gift_letters_send(campaign_id=campaign_id)}


# Calls -------------------------------------------------------------------------------------------


@shared_task(ignore_result=True, acks_late=True)
def calls_schedule_task():
    """Run the call rules (welcome, six-monthly, complaint follow-ups). Idempotent."""
    return {"created": len(calls.call_schedule())}


@shared_task(ignore_result=True, acks_late=True)
def survey_send_for_complaint_task(complaint_id: int):
    invitation = satisfaction.survey_send_for_complaint(complaint_id=complaint_id)
    return {"invitation": invitation.pk if invitation else None}
