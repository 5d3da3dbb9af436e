"""Public pages of complaints: the online form, the private status page, the gift address link."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from wagtail.models import ModelLogEntry

from home.ratelimit import ratelimit

from .forms import ComplaintPublicForm, GiftAddressForm
from .models import Complaint, GiftRecipient
from .services import CareError
from .services.campaigns import gift_address_confirm
from .services.complaints import complaint_submit

PUBLIC_EVENTS = {
    "care.complaint_received", "care.complaint_start", "care.complaint_escalate", "care.complaint_wait",
    "care.complaint_resume", "care.complaint_resolve", "care.complaint_close",
}


def _private(response):
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


@ratelimit("care-complaint", limit=5, window=3600)
def complaint_new(request):
    form = ComplaintPublicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = complaint_submit(
                kind=data["kind"],
                category=data["category"],
                product_line=data["product_line"],
                summary=data["summary"],
                description=data["description"],
                name=data["name"],
                email=data["email"],
                mobile=data["mobile"],
                organisation_name=data["organisation"],
                language=get_language(),
            )
        except CareError as exc:
            form.add_error(None, str(exc))
        else:
            request.session["care_complaint_reference"] = complaint.reference
            return redirect("care:complaint_thanks")
    return render(request, "care/complaints/new.html", {"form": form})


@never_cache
def complaint_thanks(request):
    reference = request.session.get("care_complaint_reference")
    if not reference:
        return redirect("care:complaint_new")
    return render(request, "care/complaints/thanks.html", {"reference": reference})


@never_cache
def complaint_status(request, token):
    complaint = Complaint.objects.select_related("product_line").filter(status_token=token).first()
    if complaint is None:
        raise Http404
    events = [
        {"when": entry.timestamp, "label": _event_label(entry.action)}
        for entry in ModelLogEntry.objects.for_instance(complaint).filter(action__in=PUBLIC_EVENTS).order_by("timestamp")
    ]
    return _private(render(request, "care/complaints/status.html", {"complaint": complaint, "events": events}))


def _event_label(action):
    from django.utils.translation import gettext as _

    return {
        "care.complaint_received": _("Received"),
        "care.complaint_start": _("Being handled by the care team"),
        "care.complaint_escalate": _("Passed to a specialist team"),
        "care.complaint_wait": _("Waiting for information from you"),
        "care.complaint_resume": _("Being handled again"),
        "care.complaint_resolve": _("Resolved"),
        "care.complaint_close": _("Closed"),
    }.get(action, "")


@never_cache
@ratelimit("care-gift-address", limit=10, window=3600)
def gift_address(request, token):
    recipient = GiftRecipient.objects.select_related("campaign").filter(address_token=token).exclude(
        state=GiftRecipient.State.EXCLUDED
    ).first()
    if recipient is None:
        raise Http404
    initial = {"name": recipient.ship_name, "phone": recipient.ship_phone, "address": recipient.ship_address,
               "postcode": recipient.ship_postcode}
    form = GiftAddressForm(request.POST or None, initial=initial)
    editable = recipient.state in {GiftRecipient.State.ADDRESS_TO_CONFIRM, GiftRecipient.State.CONFIRMED}
    confirmed = False
    if request.method == "POST" and editable and form.is_valid():
        try:
            recipient = gift_address_confirm(token=token, **form.cleaned_data)
        except CareError as exc:
            form.add_error(None, str(exc))
        else:
            confirmed = True
    context = {"recipient": recipient, "form": form, "editable": editable, "confirmed": confirmed}
    return _private(render(request, "care/campaigns/address.html", context))
