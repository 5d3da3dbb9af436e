"""Thin Celery tasks of training: they take ids and call one service. All are safe to run twice."""

from celery import shared_task

from .services import TrainingError, signups
from .tasks_certificates import certificate_reminders_task, certificate_render_pdf_task  # noqa: F401


@shared_task(acks_late=True, ignore_result=True)
def signup_notify_task(signup_id: int, kind: str, extra: str = ""):
    signups.signup_notify(signup_id=signup_id, kind=kind, extra=extra)


@shared_task(ignore_result=True)
def signup_holds_expire_task():
    return signups.holds_expire()


@shared_task(ignore_result=True)
def signup_payment_reminders_task():
    return signups.payment_reminders_send()


@shared_task(ignore_result=True)
def session_reminders_task():
    return signups.class_reminders_send()


@shared_task(ignore_result=True, throws=(TrainingError,))
def session_check_minimum_task():
    return signups.sessions_check_minimum()
