"""Personal data held by training (issue 10's registry, see home.privacy).

What the law or accounting needs stays: bookings and payments (invoices), sign-ups (attendance) and
issued certificates, whose number, course, dates and status remain verifiable. The person they point at
is anonymised by home; a certificate keeps only the masked holder name the public page showed anyway,
and its PDF (which carries the full name) is deleted.
"""

from django.db.models import Q

from home import privacy
from home.identity import mask_name

from .models import (
    Assessment,
    Booking,
    Certificate,
    CourseLesson,
    CoursePage,
    LessonProgress,
    Payment,
    Signup,
)


def _erase_certificates(queryset) -> int:
    count = 0
    for certificate in queryset:
        if certificate.pdf:
            certificate.pdf.delete(save=False)
        Certificate.objects.filter(pk=certificate.pk).update(
            holder_name=mask_name(certificate.holder_name), pdf="", pdf_rendered_at=None
        )
        count += 1
    return count


privacy.register(
    Certificate, fields=["holder_name"], person="person", erase=_erase_certificates,
    note=privacy.NOTE_CERTIFICATE,
)
privacy.register(Booking, fields=["serial_number"], person="contact", erase="keep",
                 note=privacy.NOTE_ACCOUNTING)
privacy.register(Payment, fields=["instructions"], person="booking__contact", erase="keep",
                 note=privacy.NOTE_ACCOUNTING)
privacy.register(
    Signup, fields=[], person="person", erase="keep", note=privacy.NOTE_RECORD,
    retention=[privacy.Retention(
        "signups_unpaid_days", field="created_at", action="delete",
        filter=Q(status__in=[Signup.Status.CANCELLED, Signup.Status.EXPIRED], payment__isnull=True,
                 certificate__isnull=True),
    )],
)
privacy.register(Assessment, fields=["notes"], person="signup__person", erase="anonymise")
privacy.register(LessonProgress, fields=[], person="person", erase="delete")
privacy.exempt(CoursePage, "course pages: titles, not people")
privacy.exempt(CourseLesson, "lesson titles")
