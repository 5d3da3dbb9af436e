"""Year-end thank-you gift campaigns: selection, launch, address confirmation, shipping.

The letters themselves (merge fields, rendering, sending) are in ``services.letters``.
"""

import csv
import io
import re
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from home import csv as safe_csv

from ..models import Complaint, GiftCampaign, GiftRecipient, LetterTemplate
from ..tasks import gift_letters_send_task
from . import CareError
from .letters import letter_merge_fields, letter_render

LOG_ACTIONS = {
    "care.campaign_launch": (gettext_lazy("Launch campaign"), gettext_lazy("Campaign launched")),
    "care.gift_address_confirm": (gettext_lazy("Confirm address"), gettext_lazy("Address confirmed by the customer")),
    "care.gift_state": (gettext_lazy("Change gift state"), gettext_lazy("Gift state changed")),
    "care.gift_shipments_import": (gettext_lazy("Import shipments"), gettext_lazy("Shipments imported")),
}


def _bounds(campaign: GiftCampaign):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(campaign.period_start, time(0)), tz)
    end = timezone.make_aware(datetime.combine(campaign.period_end + timedelta(days=1), time(0)), tz)
    return start, end


def campaign_feedback(campaign: GiftCampaign):
    """The complaints and suggestions of the campaign's period and audience, with their customer."""
    start, end = _bounds(campaign)
    feedback = Complaint.objects.filter(received_at__gte=start, received_at__lt=end, person__isnull=False)
    if campaign.audience == GiftCampaign.Audience.COMPLAINED:
        feedback = feedback.filter(kind=Complaint.Kind.COMPLAINT)
    elif campaign.audience == GiftCampaign.Audience.SUGGESTED:
        feedback = feedback.filter(kind=Complaint.Kind.SUGGESTION)
    return feedback.select_related("person", "person__organisation").order_by("person_id", "received_at")


def campaign_selection(campaign: GiftCampaign) -> list[dict]:
    """One row per customer: the person, what they told us, and whether they are excluded."""
    rows = {}
    for complaint in campaign_feedback(campaign):
        row = rows.setdefault(complaint.person_id, {"person": complaint.person, "feedback": []})
        row["feedback"].append(complaint)
    result = []
    for row in rows.values():
        row["excluded"] = row["person"].do_not_contact
        # Not yet: a complaint still open, or feedback with no change recorded (the letter's "what we
        # changed" would be blank). Listed apart; a later launch picks them up once resolved.
        row["pending"] = [c for c in row["feedback"] if c.is_open or not c.resolution.strip()]
        result.append(row)
    result.sort(key=lambda r: (r["excluded"], r["person"].name, r["person"].pk))
    return result


def _feedback_items(complaints) -> list[dict]:
    return [
        {
            "reference": c.reference,
            "kind": c.kind,
            "date": timezone.localtime(c.received_at).date().isoformat(),
            "summary": c.summary,
            "changes": c.resolution,
        }
        for c in complaints
    ]


def _live_template(campaign: GiftCampaign) -> LetterTemplate:
    template = campaign.letter_template
    if template is None:
        raise CareError(_("Choose a letter template before launching."))
    if not template.live:
        raise CareError(_("The letter template must be published before launching."))
    # The row holds the published version; unpublished drafts live only in revisions.
    return template


def gift_campaign_launch(*, campaign_id: int, acting_user) -> dict:
    """Create one recipient per selected customer (never twice) with their letter; queue the letters.

    Returns {"created": n, "excluded": n, "existing": n, "pending": n}. Launching again creates nothing
    new; customers whose feedback is not resolved yet ("pending") are left out until it is.
    """
    with transaction.atomic():
        campaign = GiftCampaign.objects.select_for_update().get(pk=campaign_id)
        template = _live_template(campaign)
        existing = set(campaign.recipients.values_list("person_id", flat=True))
        counts = {"created": 0, "excluded": 0, "existing": len(existing), "pending": 0}
        for row in campaign_selection(campaign):
            person = row["person"]
            if person.pk in existing:
                continue
            if row["pending"] and not row["excluded"]:
                counts["pending"] += 1
                continue
            recipient = GiftRecipient(
                campaign=campaign,
                person=person,
                language=person.language,
                feedback=_feedback_items(row["feedback"]),
                state=GiftRecipient.State.EXCLUDED if row["excluded"] else GiftRecipient.State.ADDRESS_TO_CONFIRM,
                ship_name=person.name,
                ship_phone=person.mobile,
            )
            if not row["excluded"]:
                subject, body = letter_render(template, letter_merge_fields(recipient), recipient.language)
                recipient.letter_subject, recipient.letter_body = subject[:200], body
            try:
                with transaction.atomic():
                    recipient.save()
            except IntegrityError:
                continue
            counts["excluded" if row["excluded"] else "created"] += 1
        if campaign.state != GiftCampaign.State.LAUNCHED:
            campaign.state = GiftCampaign.State.LAUNCHED
            campaign.launched_at = timezone.now()
            campaign.launched_by = acting_user
            campaign.save(update_fields=["state", "launched_at", "launched_by"])
        log(instance=campaign, action="care.campaign_launch", user=acting_user, data=counts)
        gift_letters_send_task.delay_on_commit(campaign.pk)
    return counts


def gift_address_confirm(*, token: str, name: str, phone: str, address: str, postcode: str = "") -> GiftRecipient:
    """The customer confirms or corrects their postal address through their private link."""
    with transaction.atomic():
        recipient = GiftRecipient.objects.select_for_update().filter(address_token=token).first()
        if recipient is None:
            raise CareError(_("This link is not valid."))
        if recipient.state not in {GiftRecipient.State.ADDRESS_TO_CONFIRM, GiftRecipient.State.CONFIRMED}:
            raise CareError(_("Your gift is already on its way; the address can no longer be changed."))
        recipient.ship_name = " ".join(name.split())[:120]
        recipient.ship_phone = phone.strip()[:30]
        recipient.ship_address = address.strip()
        recipient.ship_postcode = postcode.strip()[:12]
        if not (recipient.ship_name and recipient.ship_address and recipient.ship_phone):
            raise CareError(_("Give a name, a phone number and an address."))
        recipient.state = GiftRecipient.State.CONFIRMED
        recipient.confirmed_at = timezone.now()
        recipient.full_clean()
        recipient.save()
        log(instance=recipient, action="care.gift_address_confirm", user=None)
    return recipient


_NEXT = {
    GiftRecipient.State.SHIPPED: {GiftRecipient.State.CONFIRMED},
    GiftRecipient.State.DELIVERED: {GiftRecipient.State.SHIPPED, GiftRecipient.State.RETURNED},
    GiftRecipient.State.RETURNED: {GiftRecipient.State.SHIPPED},
    GiftRecipient.State.CONFIRMED: {GiftRecipient.State.RETURNED, GiftRecipient.State.ADDRESS_TO_CONFIRM},
}


def _set_state(recipient: GiftRecipient, state: str, *, acting_user, courier: str = "", tracking: str = "", when=None):
    if recipient.state == state and state != GiftRecipient.State.SHIPPED:
        return False
    if state == GiftRecipient.State.SHIPPED and recipient.state == state:
        if recipient.tracking_number == tracking and recipient.courier == courier:
            return False
    elif recipient.state not in _NEXT.get(state, set()):
        raise CareError(
            _("A gift that is “%(current)s” can't become “%(new)s”.")
            % {"current": recipient.get_state_display(), "new": GiftRecipient.State(state).label}
        )
    when = when or timezone.now()
    recipient.state = state
    if state == GiftRecipient.State.SHIPPED:
        if not tracking:
            raise CareError(_("A shipment needs a tracking number."))
        recipient.courier, recipient.tracking_number, recipient.shipped_at = courier, tracking, when
    elif state == GiftRecipient.State.DELIVERED:
        recipient.delivered_at = when
    elif state == GiftRecipient.State.RETURNED:
        recipient.returned_at = when
    elif state == GiftRecipient.State.CONFIRMED:
        recipient.confirmed_at = recipient.confirmed_at or when
    recipient.full_clean()
    recipient.save()
    log(instance=recipient, action="care.gift_state", user=acting_user,
        data={"state": state, "courier": courier, "tracking": tracking})
    return True


@transaction.atomic
def gift_recipient_set_state(*, recipient_id: int, state: str, acting_user, courier: str = "", tracking: str = ""):
    recipient = GiftRecipient.objects.select_for_update().get(pk=recipient_id)
    _set_state(recipient, state, acting_user=acting_user, courier=courier, tracking=tracking)
    return recipient


SHIPPABLE_STATES = [GiftRecipient.State.CONFIRMED, GiftRecipient.State.SHIPPED, GiftRecipient.State.DELIVERED,
                    GiftRecipient.State.RETURNED]
SHIPPING_COLUMNS = ["reference", "name", "phone", "address", "postcode", "gift", "state", "courier", "tracking_number"]


def recipient_reference(recipient: GiftRecipient) -> str:
    return f"G{recipient.campaign_id}-{recipient.pk}"


def gift_shipping_list_csv(*, campaign_id: int) -> str:
    """The shipping list for the courier: every gift whose address is confirmed (to send or on its way)."""
    campaign = GiftCampaign.objects.get(pk=campaign_id)
    out = io.StringIO()
    writer = safe_csv.writer(out)
    writer.writerow(SHIPPING_COLUMNS)
    with_address = campaign.recipients.filter(state__in=SHIPPABLE_STATES).exclude(ship_address="")
    for r in with_address.select_related("person"):
        row = [recipient_reference(r), r.ship_name, r.ship_phone, r.ship_address, r.ship_postcode,
               campaign.gift_description, r.state, r.courier, r.tracking_number]
        writer.writerow(row)
    return out.getvalue()


def gift_shipments_import(*, campaign_id: int, data: bytes | str, acting_user) -> dict:
    """Import the courier's CSV (columns reference, courier, tracking_number and optional status:
    shipped/delivered/returned). Each row is applied on its own; bad rows are reported, not fatal.
    Importing the same file again changes nothing."""
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(data))
    fields = {f.strip().lower() for f in (reader.fieldnames or [])}
    if not {"reference", "tracking_number"} <= fields:
        raise CareError(_("The file needs the columns reference and tracking_number."))
    report = {"updated": 0, "unchanged": 0, "rejected": []}
    states = {"shipped": GiftRecipient.State.SHIPPED, "delivered": GiftRecipient.State.DELIVERED,
              "returned": GiftRecipient.State.RETURNED, "": GiftRecipient.State.SHIPPED}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        match = re.fullmatch(rf"G{campaign_id}-(\d+)", row.get("reference", ""))
        state = states.get(row.get("status", "").lower())
        if not match:
            report["rejected"].append({"line": line, "reason": _("unknown reference")})
            continue
        if state is None:
            report["rejected"].append({"line": line, "reason": _("unknown status")})
            continue
        try:
            with transaction.atomic():
                recipient = GiftRecipient.objects.select_for_update().filter(
                    pk=int(match.group(1)), campaign_id=campaign_id
                ).first()
                if recipient is None:
                    raise CareError(_("unknown reference"))
                if state != GiftRecipient.State.SHIPPED and recipient.state == GiftRecipient.State.CONFIRMED:
                    _set_state(recipient, GiftRecipient.State.SHIPPED, acting_user=acting_user,
                               courier=row.get("courier", ""), tracking=row.get("tracking_number", ""))
                changed = _set_state(recipient, state, acting_user=acting_user, courier=row.get("courier", ""),
                                     tracking=row.get("tracking_number", ""))
        except CareError as exc:
            report["rejected"].append({"line": line, "reason": str(exc)})
            continue
        report["updated" if changed else "unchanged"] += 1
    campaign = GiftCampaign.objects.get(pk=campaign_id)
    log(instance=campaign, action="care.gift_shipments_import", user=acting_user,
        data={"updated": report["updated"], "rejected": len(report["rejected"])})
    return report
