"""Admin pages for the second factor: set up a TOTP authenticator (QR code) and enter a code."""

import io
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log

from home.security import has_device, safe_next, two_factor_required


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"), max_length=8, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": ""}),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("Enter the digits shown in your authenticator app."))
        return token


def _pending_device(user):
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


@never_cache
def two_factor_setup(request):
    user = request.user
    if has_device(user) and user.is_verified():
        messages.info(request, _("Two-factor authentication is already set up for your account."))
        return redirect(safe_next(request))
    if has_device(user):
        return redirect(f"{reverse('two_factor_verify')}?next={safe_next(request)}")
    device = _pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            log(instance=user, action="home.two_factor_setup", user=user)
            messages.success(request, _("Two-factor authentication is set up. You will be asked for a code at each sign-in."))
            return redirect(safe_next(request))
        form.add_error("token", _("That code is not right. Check the time on your phone and try the newest code."))
    return render(request, "home/two_factor/setup.html", {
        "form": form,
        "secret": b32encode(device.bin_key).decode(),
        "required": two_factor_required(user),
        "next": safe_next(request),
    })


@never_cache
def two_factor_qr(request):
    """The QR code of the pending device's otpauth:// address, as SVG (shown with an <img>)."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-pk").first()
    if device is None:
        return HttpResponse(status=404)
    out = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).save(out)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def two_factor_verify(request):
    user = request.user
    if not has_device(user):
        return redirect(f"{reverse('two_factor_setup')}?next={safe_next(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(safe_next(request))
        form.add_error("token", _("That code is not right, or too many wrong codes were tried; wait a moment and try the newest code."))
    return render(request, "home/two_factor/verify.html", {"form": form, "next": safe_next(request)})
