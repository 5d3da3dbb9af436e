"""Personal data held by training (issue 10's registry, see home.privacy).

What the law or accounting needs stays: bookings and payments (invoices), sign-ups (attendance) and
issued certificates, whose number, course, dates and status remain verifiable. The person they point at
is anonymised by home; a certificate keeps only the masked holder name the public page showed anyway,
and its PDF (which carries the full name) is deleted.
"""

from django.db.models import Q

from home.identity import mask_name
from home.privacy import registry

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


registry.register(
    Certificate, fields=["holder_name"], person="person", erase=_erase_certificates,
    note=registry.NOTE_CERTIFICATE,
)
registry.register(Booking, fields=["serial_number"], person="contact", erase="keep",
                 note=registry.NOTE_ACCOUNTING)
registry.register(Payment, fields=["instructions"], person="booking__contact", erase="keep",
                 note=registry.NOTE_ACCOUNTING)
registry.register(
    Signup, fields=[], person="person", erase="keep", note=registry.NOTE_RECORD,
    retention=[registry.Retention(
        "signups_unpaid_days", field="created_at", action="delete",
        filter=Q(status__in=[Signup.Status.CANCELLED, Signup.Status.EXPIRED], payment__isnull=True,
                 certificate__isnull=True),
    )],
)
registry.register(Assessment, fields=["notes"], person="signup__person", erase="anonymise")
registry.register(LessonProgress, fields=[], person="person", erase="delete")
registry.exempt(CoursePage, "course pages: titles, not people")
registry.exempt(CourseLesson, "lesson titles")
