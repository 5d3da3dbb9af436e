"""Public page of gift campaigns: the private link where a customer confirms their postal address."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from home.ratelimit import ratelimit

from ..forms import GiftAddressForm
from ..models import GiftRecipient
from ..services import CareError
from ..services.campaigns import gift_address_confirm
from .complaints import private


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
    return private(render(request, "care/campaigns/address.html", context))
