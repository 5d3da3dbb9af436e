"""Admin pages for the second factor: set up a TOTP authenticator (QR code), save backup codes (django-otp
static tokens), enter a code or a backup code, and let a care manager or superuser reset another user's
second factor."""

import io
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import log

from home.roles import CARE_MANAGERS
from home.security import has_device, safe_next, two_factor_required

BACKUP_CODES = 10
BACKUP_SESSION_KEY = "_two_factor_backup_codes"


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


class VerifyForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app, or a backup code"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": "", "autocapitalize": "none"}),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split()).lower()
        if not token.isalnum() or not token.isascii():
            raise forms.ValidationError(_("Enter the six digits from your app, or one of your backup codes."))
        return token


def _account(request):
    """The signed-in user as a model instance (request.user is a lazy object inside another, which
    Wagtail's log cannot look through)."""
    return get_user_model()._default_manager.get(pk=request.user.pk)


def _pending_device(user):
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


@transaction.atomic
def backup_codes_create(*, user) -> list[str]:
    """Replace the user's backup codes with ten new single-use ones; return them (shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Backup codes"), confirmed=True)
    codes = [StaticToken.random_token() for _n in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@never_cache
def two_factor_setup(request):
    user = request.user
    if has_device(user) and user.is_verified():
        return render(request, "home/two_factor/manage.html", {
            "backup_left": StaticToken.objects.filter(device__user=user).count(),
            "next": safe_next(request),
        })
    if has_device(user):
        return redirect(f"{reverse('two_factor_verify')}?next={safe_next(request)}")
    device = _pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session[BACKUP_SESSION_KEY] = backup_codes_create(user=user)
            log(instance=_account(request), action="home.two_factor_setup", user=user)
            return redirect(f"{reverse('two_factor_backup_codes')}?next={safe_next(request)}")
        form.add_error("token", _("That code is not right. Check the time on your phone and try the newest code."))
    return render(request, "home/two_factor/setup.html", {
        "form": form,
        "secret": b32encode(device.bin_key).decode(),
        "required": two_factor_required(user),
        "next": safe_next(request),
    })


@never_cache
def two_factor_backup_codes(request):
    """Show new backup codes once; POST "saved" goes on, POST "new" (verified users) makes new ones."""
    user = request.user
    if not user.is_authenticated or not user.is_verified():
        return redirect(f"{reverse('two_factor_verify')}?next={reverse('two_factor_setup')}")
    if request.method == "POST":
        if request.POST.get("action") == "new":
            request.session[BACKUP_SESSION_KEY] = backup_codes_create(user=user)
            log(instance=_account(request), action="home.two_factor_backup_codes", user=user)
            return redirect(f"{reverse('two_factor_backup_codes')}?next={safe_next(request)}")
        if not request.POST.get("saved"):
            messages.error(request, _("Tick the box to confirm that you have saved your backup codes."))
            return redirect(f"{reverse('two_factor_backup_codes')}?next={safe_next(request)}")
        request.session.pop(BACKUP_SESSION_KEY, None)
        messages.success(request, _("Two-factor authentication is set up. You will be asked for a code at each sign-in."))
        return redirect(safe_next(request))
    codes = request.session.get(BACKUP_SESSION_KEY)
    if not codes:
        return redirect(reverse("two_factor_setup"))
    return render(request, "home/two_factor/backup_codes.html", {"codes": codes, "next": safe_next(request)})


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
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                log(instance=_account(request), action="home.two_factor_backup_used", user=user, data={"left": left})
                messages.warning(request, _("You signed in with a backup code; %(left)d are left. Each code works "
                                            "only once.") % {"left": left})
            return redirect(safe_next(request))
        form.add_error("token", _("That code is not right, or too many wrong codes were tried; wait a moment and try the newest code."))
    return render(request, "home/two_factor/verify.html", {"form": form, "next": safe_next(request)})


# Resetting another user's second factor --------------------------------------------------------------


def can_reset(acting_user, target) -> bool:
    """Superusers reset anyone's; care managers anyone's but a superuser's; nobody their own here."""
    if not acting_user.is_authenticated or acting_user.pk == target.pk:
        return False
    if acting_user.is_superuser:
        return True
    return not target.is_superuser and acting_user.groups.filter(name=CARE_MANAGERS).exists()


def may_reset_any(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.groups.filter(name=CARE_MANAGERS).exists())


@transaction.atomic
def two_factor_reset(*, user_id: int, acting_user) -> int:
    """Remove every second-factor device of a user (who then sets up a new one at the next sign-in)."""
    target = get_user_model().objects.select_for_update().get(pk=user_id)
    if not can_reset(acting_user, target):
        raise PermissionDenied
    devices = list(devices_for_user(target, confirmed=None))
    for device in devices:
        device.delete()
    log(instance=target, action="home.two_factor_reset", user=acting_user, data={"devices": len(devices)})
    return len(devices)


def staff_two_factor_view(request):
    """Staff accounts and whether each has a second factor, with a reset button."""
    if not may_reset_any(request.user):
        raise PermissionDenied
    users = get_user_model().objects.filter(is_active=True).filter(is_staff=True) | get_user_model().objects.filter(
        is_active=True, groups__isnull=False)
    users = users.distinct().order_by("username")
    with_device = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    rows = [{"user": u, "has_device": u.pk in with_device, "can_reset": can_reset(request.user, u)} for u in users]
    return render(request, "home/two_factor/staff.html", {"rows": rows})


@require_POST
def two_factor_reset_view(request, pk):
    target = get_object_or_404(get_user_model(), pk=pk)
    if not can_reset(request.user, target):
        raise PermissionDenied
    count = two_factor_reset(user_id=target.pk, acting_user=request.user)
    if count:
        messages.success(request, _("The second factor of %(user)s was reset. They set up a new one at their next "
                                    "sign-in.") % {"user": target.get_username()})
    else:
        messages.info(request, _("%(user)s had no second factor.") % {"user": target.get_username()})
    return redirect(reverse("two_factor_staff"))


class StaffTwoFactorMenuItem(MenuItem):
    def is_shown(self, request):
        return may_reset_any(request.user)


def menu_item():
    return StaffTwoFactorMenuItem(gettext_lazy("Staff second factors"), reverse("two_factor_staff"), icon_name="key",
                                  order=8700)
