"""Reads of the shared base."""

from django.core.exceptions import ValidationError
from django.db.models import Q

from .identity import normalise_email, normalise_mobile
from .models import AccessLog, Consent, Person, ProductLine


def product_lines_active():
    return ProductLine.objects.filter(active=True)


def consent_current(*, person: Person, purpose: str) -> bool:
    """Whether the latest ledger entry for this purpose grants consent."""
    latest = Consent.objects.filter(person=person, purpose=purpose).order_by("-created_at", "-pk").first()
    return bool(latest and latest.granted)


def person_find(*, email: str = "", mobile: str = ""):
    """People matching a normalised email or mobile (invalid input matches no one)."""
    query = Q(pk__in=[])
    try:
        if email:
            query |= Q(email=normalise_email(email))
        if mobile:
            query |= Q(mobile=normalise_mobile(mobile))
    except ValidationError:
        return Person.objects.none()
    return Person.objects.filter(query)


def access_log_for(*, person_ids=None, user_id=None):
    """Staff reads of personal data, for these people and/or this staff member."""
    logs = AccessLog.objects.select_related("user", "person")
    if person_ids is not None:
        logs = logs.filter(person_id__in=person_ids)
    if user_id is not None:
        logs = logs.filter(user_id=user_id)
    return logs
