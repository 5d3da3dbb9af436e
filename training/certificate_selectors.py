"""Reads of certificates, for this app and for others (care sees a customer's certificates here)."""

from django.db.models import Q
from django.utils import timezone

from .models import Certificate, ClassSession


def _valid_on(day):
    return Q(status=Certificate.Status.VALID) & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))


def certificates_valid_for_organisation(*, organisation_id: int):
    """Valid certificates (not revoked, not lapsed) held by the staff of one customer organisation,
    with holder and product line loaded, grouped by product line then holder.

    Answers "which of this customer's engineers are certified, for which product lines".
    """
    return (
        Certificate.objects.filter(_valid_on(timezone.localdate()), person__organisation_id=organisation_id)
        .select_related("person", "product_line")
        .order_by("product_line__sort_order", "product_line__slug", "holder_name", "-issued_on", "pk")
    )


def certificates_for_person(*, person_id: int):
    """Every certificate one person holds, newest first (for a data-rights request or the care view)."""
    return Certificate.objects.filter(person_id=person_id).select_related("product_line").order_by("-issued_on", "-pk")


def certificate_find(*, number: str):
    """The certificate with exactly this number, or None."""
    return Certificate.objects.filter(number=number).select_related("product_line").first()


def sessions_upcoming_for_course(*, course):
    """Open classes of a course (in any of its languages) still taking sign-ups, soonest first."""
    pages = course.get_translations(inclusive=True)
    return (
        ClassSession.objects.filter(course__in=pages, status=ClassSession.Status.OPEN, signup_deadline__gt=timezone.now())
        .order_by("starts_at", "pk")
    )
