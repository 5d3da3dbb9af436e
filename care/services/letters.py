"""Thank-you letters of gift campaigns: merge fields, rendering, and emailing each one with its PDF."""

import re

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from home.emails import attachment, render_email
from home.services.outbox import outbox_enqueue_template

from ..models import GiftRecipient, LetterTemplate
from ..pdf import letter_pdf

_MERGE = re.compile(r"{{\s*(\w+)\s*}}")


def letter_merge_fields(recipient: GiftRecipient) -> dict:
    """Values of the merge fields for one recipient, in their language."""
    items = recipient.feedback or []
    with override(recipient.language):
        kinds = {item["kind"] for item in items}
        if kinds == {"suggestion"}:
            kind = _("suggestion")
        elif kinds == {"complaint"}:
            kind = _("complaint")
        else:
            kind = _("feedback")
        sep = "；" if recipient.language.startswith("zh") else "; "
        return {
            "name": recipient.person.name or recipient.person.email,
            "organisation": recipient.person.organisation.name if recipient.person.organisation_id else "",
            "kind": str(kind),
            "feedback": sep.join(item["summary"] for item in items),
            "feedback_date": sep.join(item["date"] for item in items),
            "changes": sep.join(item["changes"] for item in items if item.get("changes")),
            "gift": recipient.gift,
        }


def letter_render(template: LetterTemplate, fields: dict, language: str) -> tuple[str, str]:
    """Fill ``{{ field }}`` merge fields into the template's subject and body (plain text)."""

    def fill(text):
        return _MERGE.sub(lambda m: str(fields.get(m.group(1), m.group(0))), text)

    body = fill(template.body_for(language))
    if template.signature:
        body = body.rstrip() + "\n\n" + template.signature
    return fill(template.subject_for(language)).replace("\n", " ").strip(), body


def gift_address_path(recipient: GiftRecipient) -> str:
    with override(recipient.language):
        return reverse("care:gift_address", args=[recipient.address_token])


GIFT_LETTER_EMAIL = "care/emails/gift_letter"


def _letter_email_context(recipient: GiftRecipient) -> dict:
    return {"recipient": recipient, "address_path": gift_address_path(recipient)}


def gift_letter_email(recipient: GiftRecipient) -> tuple[str, str, str]:
    """(subject, html, text) of the recipient's letter email, rendered exactly as ``gift_letter_send``
    queues it; the campaign preview shows this before launch."""
    context = {"person": recipient.person, **_letter_email_context(recipient)}
    return render_email(GIFT_LETTER_EMAIL, context, recipient.language)


def gift_letter_send(*, recipient_id: int):
    """Email one recipient their letter with the printable PDF and their address link (once)."""
    recipient = GiftRecipient.objects.select_related("person", "campaign").get(pk=recipient_id)
    person = recipient.person
    if recipient.state == GiftRecipient.State.EXCLUDED or person.do_not_contact or not person.email:
        return None
    return outbox_enqueue_template(
        template=GIFT_LETTER_EMAIL,
        context=_letter_email_context(recipient),
        to_email=person.email,
        language=recipient.language,
        kind="care.gift_letter",
        person=person,
        key=f"care-gift-letter:{recipient.pk}",
        attachments=[attachment(f"letter-{recipient.pk}.pdf", letter_pdf(recipient), "application/pdf")],
    )


def gift_letters_send(*, campaign_id: int) -> int:
    count = 0
    for pk in GiftRecipient.objects.filter(campaign_id=campaign_id).exclude(
        state=GiftRecipient.State.EXCLUDED
    ).values_list("pk", flat=True):
        if gift_letter_send(recipient_id=pk) is not None:
            count += 1
    return count
