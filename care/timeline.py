"""A customer's whole story in one chronological list: calls, complaints, training sign-ups,
certificates, journal replies and gift letters. Other apps are read through their selectors."""

from datetime import date, datetime, time

from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from newsletter import selectors as journal
from training import certificate_selectors
from training import selectors as training

from .models import Call, Complaint, CustomerAccount, GiftRecipient

KINDS = {
    "call": _("Calls"),
    "complaint": _("Complaints and suggestions"),
    "signup": _("Training sign-ups"),
    "certificate": _("Certificates"),
    "reply": _("Journal replies"),
    "gift": _("Gift letters"),
}


def _moment(value):
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time.min))
    return timezone.now()


def customer_timeline(customer: CustomerAccount, person_ids: list[int], *, kind: str = "", limit: int = 200) -> list[dict]:
    """Entries {kind, kind_label, when, title, detail}, newest first; ``kind`` filters to one kind."""
    wanted = [kind] if kind in KINDS else list(KINDS)
    entries = []

    def add(entry_kind, when, title, detail=""):
        entries.append({"kind": entry_kind, "kind_label": KINDS[entry_kind], "when": _moment(when),
                        "title": str(title), "detail": str(detail)})

    if "call" in wanted:
        for call in Call.objects.filter(customer=customer).order_by("-due_at")[:limit]:
            detail = call.get_disposition_display() if call.disposition else call.get_state_display()
            add("call", call.closed_at or call.due_at, call.get_purpose_display(), detail)
    if "complaint" in wanted:
        who = Q(person_id__in=person_ids)
        if customer.organisation_id:
            who |= Q(organisation_id=customer.organisation_id)
        for complaint in Complaint.objects.filter(who).order_by("-received_at")[:limit]:
            add("complaint", complaint.received_at, f"{complaint.get_kind_display()} {complaint.reference}: {complaint.summary}",
                complaint.get_state_display())
    if "signup" in wanted:
        for signup in training.signups_for_people(person_ids=person_ids)[:limit]:
            add("signup", signup.created_at, signup.session, f"{signup.person} · {signup.get_status_display()}")
    if "certificate" in wanted:
        for person_id in person_ids:
            for certificate in certificate_selectors.certificates_for_person(person_id=person_id)[:limit]:
                add("certificate", certificate.issued_on, f"{certificate.number} · {certificate.course_title_zh_hans}",
                    f"{certificate.holder_name} · {certificate.get_status_display()}")
    if "reply" in wanted:
        for person_id in person_ids:
            for reply in journal.replies_of_person(person_id=person_id)[:limit]:
                add("reply", reply.created_at, reply.issue or _("Journal"),
                    Truncator(strip_tags(reply.body)).chars(120))
    if "gift" in wanted:
        for recipient in GiftRecipient.objects.filter(person_id__in=person_ids).select_related("campaign")[:limit]:
            add("gift", recipient.created_at, recipient.campaign.name, recipient.get_state_display())
    entries.sort(key=lambda entry: entry["when"], reverse=True)
    return entries[:limit]
