"""Satisfaction: ratings given in a call or through a one-time survey link."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from home.emails import absolute_url
from home.models import Person
from home.services.outbox import outbox_enqueue_template

from ..models import Call, CallPurpose, Complaint, CustomerAccount, SatisfactionRating, SurveyInvitation
from . import CareError
from .customers import customer_get_or_create


def rating_record(
    *, customer: CustomerAccount, score: int, source: str, person: Person | None = None, call: Call | None = None,
    staff_member=None, service_station: str = "", product_line=None, complaint=None, comment: str = "",
) -> SatisfactionRating:
    rating = SatisfactionRating(
        customer=customer, score=score, source=source, person=person, call=call, staff_member=staff_member,
        service_station=service_station, product_line=product_line, complaint=complaint, comment=comment[:2000],
    )
    try:
        rating.full_clean()
    except ValidationError as exc:
        raise CareError("; ".join(exc.messages))
    rating.save()
    return rating


def survey_url(invitation: SurveyInvitation, language: str) -> str:
    with translation.override(language):
        return absolute_url(reverse("care:survey", args=[invitation.token]))


@transaction.atomic
def survey_send(
    *, customer: CustomerAccount, person: Person, reason: str, complaint=None, staff_member=None,
    service_station: str = "", product_line=None, valid_days: int = 14,
) -> SurveyInvitation | None:
    """Email a one-time satisfaction survey link (once per customer, person and reason)."""
    if not person.email or person.do_not_contact:
        return None
    invitation, created = SurveyInvitation.objects.get_or_create(
        customer=customer, person=person, reason=reason[:40],
        defaults={
            "token": secrets.token_urlsafe(32), "complaint": complaint, "staff_member": staff_member,
            "service_station": service_station, "product_line": product_line,
            "expires_at": timezone.now() + timedelta(days=valid_days),
        },
    )
    if created:
        outbox_enqueue_template(
            template="care/emails/survey",
            context={"customer": customer, "url": survey_url(invitation, person.language),
                     "expires_at": invitation.expires_at},
            to_email=person.email, language=person.language, kind="care.survey", person=person,
            key=f"care-survey-{invitation.pk}",
        )
    return invitation


def survey_waits_for_quality_call(complaint: Complaint) -> bool:
    """The rule: for complaints of the categories in CARE_SURVEY_AFTER_QUALITY_CALL ("*": all) that have a
    quality-control call, the survey is sent once that call is logged, not on resolution."""
    categories = settings.CARE_SURVEY_AFTER_QUALITY_CALL
    if "*" not in categories and complaint.category not in categories:
        return False
    return complaint.calls.filter(purpose=CallPurpose.QUALITY_CONTROL).exists()


def survey_send_for_complaint(*, complaint_id: int) -> SurveyInvitation | None:
    """The survey after a resolved complaint: rates who handled it and the product line.

    Sent once per complaint whoever asks (resolution or the quality-control call): the invitation is
    unique per customer, person and reason."""
    complaint = Complaint.objects.select_related("person", "organisation").get(pk=complaint_id)
    if complaint.person is None:
        return None
    customer = customer_get_or_create(organisation=complaint.organisation, person=complaint.person)
    return survey_send(
        customer=customer, person=complaint.person, reason=f"complaint-{complaint.pk}", complaint=complaint,
        staff_member=complaint.responsible, product_line=complaint.product_line,
    )


@transaction.atomic
def survey_answer(*, token: str, score: int, comment: str = "") -> SatisfactionRating:
    """Record the one answer a survey link allows."""
    invitation = SurveyInvitation.objects.select_for_update().filter(token=token).first()
    if invitation is None:
        raise CareError(_("This survey link is not valid."))
    if invitation.answered_at:
        raise CareError(_("This survey has already been answered. Thank you!"))
    if invitation.expires_at < timezone.now():
        raise CareError(_("This survey link has expired."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        raise CareError(_("Give a rating from 1 to 5."))
    if not 1 <= score <= 5:
        raise CareError(_("Give a rating from 1 to 5."))
    rating = rating_record(
        customer=invitation.customer, score=score, source=SatisfactionRating.Source.SURVEY, person=invitation.person,
        staff_member=invitation.staff_member, service_station=invitation.service_station,
        product_line=invitation.product_line, complaint=invitation.complaint, comment=comment,
    )
    invitation.rating = rating
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["rating", "answered_at"])
    return rating
