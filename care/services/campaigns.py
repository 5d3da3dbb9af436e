"""Year-end thank-you gift campaigns: selection, launch, address confirmation, shipping.

The letters themselves (merge fields, rendering, sending) are in ``services.letters``.
"""

import csv
import hashlib
import io
import json
import re
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from home import csv as safe_csv
from home.identity import normalise_mobile

from ..models import Complaint, GiftCampaign, GiftRecipient, LetterTemplate
from ..tasks import gift_letters_send_task
from . import CareError
from .letters import letter_merge_fields, letter_render

LOG_ACTIONS = {
    "care.campaign_launch": (gettext_lazy("Launch campaign"), gettext_lazy("Campaign launched")),
    "care.gift_address_confirm": (gettext_lazy("Confirm address"), gettext_lazy("Address confirmed by the customer")),
    "care.gift_address_enter": (gettext_lazy("Enter address"), gettext_lazy("Address entered by staff")),
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
    """One row per customer: the person, what they told us, whether they are excluded or pending, and their
    complaints open now that were received after the period ("open_now")."""
    rows = {}
    for complaint in campaign_feedback(campaign):
        row = rows.setdefault(complaint.person_id, {"person": complaint.person, "feedback": []})
        row["feedback"].append(complaint)
    # Complaints open now that were received after the period: shown with the preview as a warning.
    still_open = {}
    for complaint in Complaint.objects.filter(person_id__in=rows).exclude(
        state__in=[Complaint.State.RESOLVED, Complaint.State.CLOSED]
    ).order_by("received_at"):
        still_open.setdefault(complaint.person_id, []).append(complaint)
    result = []
    for row in rows.values():
        row["excluded"] = row["person"].do_not_contact
        # Not yet: a complaint still open, or feedback with no change recorded (the letter's "what we
        # changed" would be blank). Listed apart; a later launch picks them up once resolved.
        row["pending"] = [c for c in row["feedback"] if c.is_open or not c.resolution.strip()]
        row["open_now"] = [c for c in still_open.get(row["person"].pk, []) if c not in row["feedback"]]
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


def _recipient_new(campaign: GiftCampaign, row: dict, template: LetterTemplate) -> GiftRecipient:
    """The recipient a launch stores for a selected customer, with their letter (not saved)."""
    person = row["person"]
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
    return recipient


def campaign_preview(campaign: GiftCampaign) -> dict:
    """What launching now would store and send, without storing anything.

    ``letters``: the new recipients with their letters, built by the code the launch runs; ``no_email``:
    those of them with no email address (the letter is not emailed: print it, enter the address);
    ``excluded``: customers who asked not to be contacted (kept as excluded, no letter); ``waiting``:
    selection rows left out until their feedback is resolved with a recorded change; ``open_now``: rows of
    letters whose customer has a complaint open now, received after the period (a warning); ``existing``: customers
    already in the campaign. ``digest`` fingerprints what would be stored; the launch requires it.
    """
    template = _live_template(campaign)
    existing = set(campaign.recipients.values_list("person_id", flat=True))
    letters, excluded, waiting, open_now = [], [], [], []
    for row in campaign_selection(campaign):
        if row["person"].pk in existing:
            continue
        if row["excluded"]:
            excluded.append(_recipient_new(campaign, row, template))
        elif row["pending"]:
            waiting.append(row)
        else:
            letters.append(_recipient_new(campaign, row, template))
            if row["open_now"]:
                open_now.append(row)
    fingerprint = json.dumps(
        [campaign.gift_description, campaign.gift_description_en]
        + [[r.person_id, r.state, r.language, r.letter_subject, r.letter_body] for r in excluded + letters],
        ensure_ascii=False,
    )
    return {
        "letters": letters,
        "no_email": [r for r in letters if not r.person.email],
        "excluded": excluded,
        "waiting": waiting,
        "open_now": open_now,
        "existing": len(existing),
        "digest": hashlib.sha256(fingerprint.encode()).hexdigest(),
    }


def gift_campaign_launch(*, campaign_id: int, acting_user, previewed: str) -> dict:
    """Store one recipient per selected customer (never twice) with their letter; queue the letters.

    ``previewed`` is the ``digest`` of the ``campaign_preview`` the manager looked at: if the letters
    would now differ (feedback resolved meanwhile, template or campaign edited), nothing is launched.
    Returns {"created": n, "excluded": n, "existing": n, "pending": n}. Launching again creates nothing
    new; customers whose feedback is not resolved yet ("pending") are left out until it is.
    """
    with transaction.atomic():
        campaign = GiftCampaign.objects.select_for_update().get(pk=campaign_id)
        preview = campaign_preview(campaign)
        if previewed != preview["digest"]:
            raise CareError(_("The letters have changed since they were previewed (feedback was resolved, or the "
                              "campaign or its letter was edited). Look at the preview again, then launch."))
        counts = {"created": 0, "excluded": 0, "existing": preview["existing"], "pending": len(preview["waiting"])}
        for recipient in preview["excluded"] + preview["letters"]:
            try:
                with transaction.atomic():
                    recipient.save()
            except IntegrityError:
                continue
            counts["excluded" if recipient.state == GiftRecipient.State.EXCLUDED else "created"] += 1
        if campaign.state != GiftCampaign.State.LAUNCHED:
            campaign.state = GiftCampaign.State.LAUNCHED
            campaign.launched_at = timezone.now()
            campaign.launched_by = acting_user
            campaign.save(update_fields=["state", "launched_at", "launched_by"])
        log(instance=campaign, action="care.campaign_launch", user=acting_user, data=counts)
        gift_letters_send_task.delay_on_commit(campaign.pk)
    return counts


def _courier_phone(phone: str) -> str:
    """A mainland mobile as its 11 digits (as couriers want it), however it was typed; anything else as typed."""
    try:
        mobile = normalise_mobile(phone)
    except ValidationError:
        mobile = ""
    return mobile[3:] if mobile.startswith("+86") else phone.strip()[:30]


def gift_address_confirm(*, token: str, name: str, phone: str, address: str, postcode: str = "") -> GiftRecipient:
    """The customer confirms or corrects their postal address through their private link."""
    with transaction.atomic():
        recipient = GiftRecipient.objects.select_for_update().filter(address_token=token).first()
        if recipient is None:
            raise CareError(_("This link is not valid."))
        if recipient.state not in {GiftRecipient.State.ADDRESS_TO_CONFIRM, GiftRecipient.State.CONFIRMED}:
            raise CareError(_("Your gift is already on its way; the address can no longer be changed."))
        recipient.ship_name = " ".join(name.split())[:120]
        recipient.ship_phone = _courier_phone(phone)
        recipient.ship_address = address.strip()
        recipient.ship_postcode = postcode.strip()[:12]
        if not (recipient.ship_name and recipient.ship_address and recipient.ship_phone):
            raise CareError(_("Give a name, a phone number and an address."))
        recipient.state = GiftRecipient.State.CONFIRMED
        recipient.confirmed_at = timezone.now()
        recipient.confirmed_by = GiftRecipient.ConfirmedBy.CUSTOMER
        recipient.full_clean()
        recipient.save()
        log(instance=recipient, action="care.gift_address_confirm", user=None)
    return recipient


# A gift not yet on its way (or back from the courier, to send again) can have its address set by staff.
STAFF_ADDRESS_STATES = {GiftRecipient.State.ADDRESS_TO_CONFIRM, GiftRecipient.State.CONFIRMED,
                        GiftRecipient.State.RETURNED}
_POSTCODE_CN = re.compile(r"\d{6}")


def _address_cleaned(*, name: str, phone: str, address: str, postcode: str) -> dict:
    """Staff-entered address: a name, a mainland China mobile, 1 to 4 address lines, an optional 6-digit
    postcode. Raises ValidationError with one message per field."""
    errors = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = _("Give the recipient's name.")
    elif len(name) > 60:
        errors["name"] = _("The name is too long (at most 60 characters).")
    mobile = ""
    try:
        mobile = normalise_mobile(phone)
    except ValidationError:
        pass
    if not mobile.startswith("+86"):
        errors["phone"] = _("Enter a mainland China mobile number: 11 digits starting with 1, for example "
                            "138 0013 8000.")
    lines = [" ".join(line.split()) for line in (address or "").splitlines()]
    lines = [line for line in lines if line]
    if not lines or len("".join(lines)) < 6:
        errors["address"] = _("Give the whole address: province, city, district, street and number.")
    elif len(lines) > 4 or any(len(line) > 100 for line in lines):
        errors["address"] = _("Write the address on at most 4 lines of at most 100 characters each.")
    postcode = (postcode or "").strip()
    if postcode and not _POSTCODE_CN.fullmatch(postcode):
        errors["postcode"] = _("A postcode in China has 6 digits, for example 200120.")
    if errors:
        raise ValidationError(errors)
    return {"name": name, "phone": mobile[3:], "address": "\n".join(lines), "postcode": postcode}


def gift_address_enter(*, recipient_id: int, name: str, phone: str, address: str, postcode: str = "",
                       acting_user) -> GiftRecipient:
    """Care staff enter or correct a gift's delivery address (given by phone, or after a return).

    The address then counts as confirmed, by staff (``confirmed_by``), and goes on the courier list; the
    customer can still correct it through their own link until the gift is shipped. Raises
    ValidationError (per field) for a bad address, CareError when the gift can't take one.
    """
    cleaned = _address_cleaned(name=name, phone=phone, address=address, postcode=postcode)
    with transaction.atomic():
        recipient = GiftRecipient.objects.select_for_update().get(pk=recipient_id)
        if recipient.state not in STAFF_ADDRESS_STATES:
            raise CareError(
                _("A gift that is “%(state)s” can't take an address.") % {"state": recipient.get_state_display()}
            )
        before = recipient.state
        recipient.ship_name, recipient.ship_phone = cleaned["name"], cleaned["phone"]
        recipient.ship_address, recipient.ship_postcode = cleaned["address"], cleaned["postcode"]
        recipient.state = GiftRecipient.State.CONFIRMED
        recipient.confirmed_at = timezone.now()
        recipient.confirmed_by = GiftRecipient.ConfirmedBy.STAFF
        recipient.full_clean()
        recipient.save()
        log(instance=recipient, action="care.gift_address_enter", user=acting_user, data={"state_before": before})
    return recipient


_NEXT = {
    GiftRecipient.State.SHIPPED: {GiftRecipient.State.CONFIRMED},
    GiftRecipient.State.DELIVERED: {GiftRecipient.State.SHIPPED, GiftRecipient.State.RETURNED},
    GiftRecipient.State.RETURNED: {GiftRecipient.State.SHIPPED},
    # Re-send a returned gift to the same address; an address becomes confirmed only through
    # gift_address_confirm (the customer) or gift_address_enter (staff).
    GiftRecipient.State.CONFIRMED: {GiftRecipient.State.RETURNED},
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
SHIPPING_COLUMNS = ["reference", "name", "phone", "address", "postcode", "gift", "confirmed_by", "state", "courier",
                    "tracking_number"]


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
               campaign.gift_description, r.confirmed_by, r.state, r.courier, r.tracking_number]
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
