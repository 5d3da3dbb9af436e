"""Celery tasks of care: thin wrappers that load rows by id and call one service."""

from celery import shared_task

from .services import CareError

# Complaints, campaigns, reports ------------------------------------------------------------------


@shared_task(ignore_result=True)
def workorders_flag_overdue_task():
    from .services.complaints import workorders_flag_overdue

    return {"flagged": workorders_flag_overdue()}


@shared_task(ignore_result=True)
def complaint_weekly_report_task():
    from .services.reports import complaint_weekly_report_send

    return {"sent": complaint_weekly_report_send()}


@shared_task(ignore_result=True, acks_late=True, throws=(CareError,))
def key_account_reports_generate_task():
    from .services.reports import key_account_reports_generate

    return {"reports": key_account_reports_generate()}


@shared_task(ignore_result=True, acks_late=True)
def gift_letters_send_task(campaign_id: int):
    from .services.campaigns import gift_letters_send

    return {"sent": gift_letters_send(campaign_id=campaign_id)}


# Calls -------------------------------------------------------------------------------------------


@shared_task(ignore_result=True, acks_late=True)
def calls_schedule_task():
    """Run the call rules (welcome, six-monthly, complaint follow-ups). Idempotent."""
    from .services.calls import call_schedule

    return {"created": len(call_schedule())}


@shared_task(ignore_result=True, acks_late=True)
def survey_send_for_complaint_task(complaint_id: int):
    from .services.calls import survey_send_for_complaint

    invitation = survey_send_for_complaint(complaint_id=complaint_id)
    return {"invitation": invitation.pk if invitation else None}
