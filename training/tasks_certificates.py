"""Thin Celery tasks of certificates. Both are safe to run twice."""

from celery import shared_task

from .services import certificates


@shared_task(acks_late=True, ignore_result=True)
def certificate_render_pdf_task(certificate_id: int):
    """Make and store the certificate's PDF, then email it to the holder (each once)."""
    certificates.certificate_render_pdf(certificate_id=certificate_id)


@shared_task(ignore_result=True)
def certificate_reminders_task():
    """Remind holders 60 and 14 days before their certificate lapses (each reminder once)."""
    return certificates.certificate_reminders_send()
