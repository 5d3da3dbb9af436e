"""Staff account security: sign-in lockout, two-factor authentication (TOTP) and idle session expiry.

- Lockout: every failed sign-in (Django's ``user_login_failed`` signal) is a ``LoginAttempt`` row.
  ``LOGIN_LOCKOUT_FAILURES`` failures for one username (or ``LOGIN_LOCKOUT_IP_FAILURES`` from one
  address) within ``LOGIN_LOCKOUT_SECONDS`` lock it for that long. ``LockoutBackend`` refuses a locked
  account even with the right password; ``LoginForm`` (the admin's login form) says why.
- Two factors: ``home.middleware.TwoFactorMiddleware`` sends a signed-in staff member who has a TOTP device but has not
  entered a code this session to the verify page, and a member of a group in ``OTP_REQUIRED_GROUPS``
  without a device to the setup page, before any other admin page.
- Idle expiry (``home.middleware.IdleSessionMiddleware``): a session unused for ``SESSION_IDLE_SECONDS`` is signed out.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from .models import LoginAttempt
from .ratelimit import client_ip
from .roles import CARE_MANAGERS

# The session key of the idle stamp, set at sign-in and refreshed by IdleSessionMiddleware.
IDLE_KEY = "_idle_last_seen"


def _setting(name, default):
    return getattr(settings, name, default)


def _ip(request):
    ip = client_ip(request) if request is not None else ""
    return ip or None


# Lockout ----------------------------------------------------------------------------------------


def lockout_until(*, username: str = "", ip: str | None = None):
    """When the lock on this username or address ends, or None if it is not locked."""
    window = timedelta(seconds=_setting("LOGIN_LOCKOUT_SECONDS", 15 * 60))
    since = timezone.now() - window
    ends = []
    checks = [("username__iexact", (username or "").strip(), _setting("LOGIN_LOCKOUT_FAILURES", 10)),
              ("ip", ip, _setting("LOGIN_LOCKOUT_IP_FAILURES", 50))]
    for lookup, value, limit in checks:
        if not value or not limit:
            continue
        times = list(
            LoginAttempt.objects.filter(**{lookup: value}, created_at__gte=since)
            .order_by("-created_at").values_list("created_at", flat=True)[:limit]
        )
        if len(times) >= limit:
            # The lock lasts until fewer than `limit` failures remain in the window.
            ends.append(times[limit - 1] + window)
    return max(ends) if ends else None


def lockout_message(until):
    minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
    return ngettext(
        "Too many failed sign-ins. Sign-in is locked; try again in %(minutes)d minute.",
        "Too many failed sign-ins. Sign-in is locked; try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class LockoutBackend(ModelBackend):
    """Django's model backend that refuses any password for a locked username or address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if lockout_until(username=username or "", ip=_ip(request)):
            if request is not None:
                request._login_locked = True
            raise PermissionDenied  # stops the other backends too
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field():
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


@receiver(user_login_failed, dispatch_uid="home.security.record_failure")
def record_failure(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, "_login_locked", False):
        return  # a refused attempt during a lock does not make the lock longer
    username = str(credentials.get("username") or credentials.get("email") or "")[:150]
    LoginAttempt.objects.create(username=username, ip=_ip(request))


@receiver(user_logged_in, dispatch_uid="home.security.clear_failures")
def clear_failures(sender, request, user, **kwargs):
    LoginAttempt.objects.filter(username__iexact=user.get_username()).delete()
    if request is not None and hasattr(request, "session"):
        request.session[IDLE_KEY] = int(time.time())


class LoginForm(WagtailLoginForm):
    """The admin's login form, telling a locked account why it cannot sign in."""

    def clean(self):
        until = lockout_until(username=self.cleaned_data.get("username", ""), ip=_ip(self.request))
        if until:
            raise ValidationError(lockout_message(until), code="locked")
        return super().clean()


# Two factors ------------------------------------------------------------------------------------


def two_factor_required(user) -> bool:
    groups = _setting("OTP_REQUIRED_GROUPS", [CARE_MANAGERS])
    return user.is_authenticated and user.groups.filter(name__in=groups).exists()


def has_device(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


def safe_next(request, default=None):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default or reverse("wagtailadmin_home")
