"""Staff account security: sign-in lockout, two-factor authentication (TOTP) and idle session expiry.

- Lockout: django-axes counts failed sign-ins per username *and* client address together
  (``AXES_LOCKOUT_PARAMETERS``; the address comes from ``home.ratelimit.client_ip`` behind
  ``TRUSTED_PROXIES``). ``AXES_FAILURE_LIMIT`` failures lock that pair for ``AXES_COOLOFF_TIME``; the
  same account from another address is not locked. ``LoginForm`` (the admin's login form) says why.
- Two factors: ``home.middleware.TwoFactorMiddleware`` sends a signed-in staff member who has a device
  (TOTP or backup codes) but has not entered a code this session to the verify page, and a superuser or
  a member of a group in ``OTP_REQUIRED_GROUPS`` without one to the setup page, before any admin page.
- Idle expiry (``home.middleware.IdleSessionMiddleware``): a session unused for ``SESSION_IDLE_SECONDS`` is signed out.
"""

import time

from axes.backends import AxesBackend
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from .roles import CARE_MANAGERS

# The session key of the idle stamp, set at sign-in and refreshed by IdleSessionMiddleware.
IDLE_KEY = "_idle_last_seen"


def _setting(name, default):
    return getattr(settings, name, default)


# Lockout ----------------------------------------------------------------------------------------


def lockout_message():
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return ngettext(
        "Too many failed sign-ins. Sign-in is locked; try again in %(minutes)d minute.",
        "Too many failed sign-ins. Sign-in is locked; try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class LockoutBackend(AxesBackend):
    """Django's model backend behind django-axes' lockout check (axes' ``AxesBackend``).

    ``authenticate()`` called without a request (a management command, a test's ``client.login``) has
    no client address to key the lockout on; axes would raise, so the model backend alone answers.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None:
            super().authenticate(request, username=username, password=password, **kwargs)  # raises when locked
        return ModelBackend.authenticate(self, request, username=username, password=password, **kwargs)


def is_locked(request, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": username})


def lockout_response(request, original_response, credentials):
    """What django-axes answers when a sign-in hits the limit: the admin's login page saying why."""
    if request.path == reverse("wagtailadmin_login"):
        from wagtail.admin.views.account import LoginView

        response = LoginView.as_view()(request)
        if hasattr(response, "render"):
            response.render()
        response.status_code = 429
        return response
    return render(request, "429.html", status=429)


@receiver(user_logged_in, dispatch_uid="home.security.idle_stamp")
def idle_stamp(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[IDLE_KEY] = int(time.time())


class LoginForm(WagtailLoginForm):
    """The admin's login form, telling a locked account why it cannot sign in."""

    def clean(self):
        if self.request is not None and is_locked(self.request, self.cleaned_data.get("username", "")):
            raise ValidationError(lockout_message(), code="locked")
        return super().clean()


# Two factors ------------------------------------------------------------------------------------


def two_factor_required(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser and _setting("OTP_REQUIRED_FOR_SUPERUSERS", True):
        return True
    groups = _setting("OTP_REQUIRED_GROUPS", [CARE_MANAGERS])
    return user.groups.filter(name__in=groups).exists()


def has_device(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


def safe_next(request, default=None):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default or reverse("wagtailadmin_home")
