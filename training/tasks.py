"""Thin Celery tasks of training: they take ids and call one service. All are safe to run twice.

One pattern for services and tasks: the tasks here call the services, and a service that enqueues a
task imports this module at its top (``from .. import tasks``) and calls
``tasks.<name>.delay_on_commit(...)``. Both sides import the other module, never a name from it, so
either may be imported first.
"""

from celery import shared_task

from .services import TrainingError, certificates, sessions, signups

# Sign-ups ----------------------------------------------------------------------------------------


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
    return sessions.sessions_check_minimum()


# Certificates ------------------------------------------------------------------------------------


@shared_task(acks_late=True, ignore_result=True)
def certificate_render_pdf_task(certificate_id: int):
    """Make and store the certificate's PDF, then email it to the holder (each once)."""
    certificates.certificate_render_pdf(certificate_id=certificate_id)


@shared_task(ignore_result=True)
def certificate_reminders_task():
    """Remind holders 60 and 14 days before their certificate lapses (each reminder once)."""
    return certificates.certificate_reminders_send()
