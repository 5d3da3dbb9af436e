"""Middleware of the shared base: security headers on every response, the second factor before any admin
page, and idle session expiry (see ``home.security``)."""

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .security import IDLE_KEY, has_device, two_factor_required

PUBLIC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "font-src 'self'; connect-src 'self'; media-src 'self' https:; frame-src 'self' https://www.youtube-nocookie.com https://player.bilibili.com; "
    "frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
# The Wagtail admin relies on inline scripts and styles of its own; it is for signed-in staff only.
ADMIN_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https:; font-src 'self' data:; connect-src 'self'; frame-src 'self' blob:; "
    "frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'"
)


INLINE_SAFE_TYPES = {"application/pdf", "text/plain", "image/png", "image/jpeg", "image/gif", "image/webp"}


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_admin = request.path.startswith("/admin/")
        response.headers.setdefault("Content-Security-Policy", ADMIN_CSP if is_admin else PUBLIC_CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Responses made above XFrameOptionsMiddleware (the language redirect) get it here.
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        # Uploaded documents are downloads, never pages rendered in our origin: only types a browser
        # cannot run (PDF, plain text, raster images) may be shown inline; HTML, SVG, XML and anything
        # else are attachments, and every upload gets a sandboxing policy.
        if request.path.startswith(("/documents/", settings.MEDIA_URL)):
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            disposition = response.headers.get("Content-Disposition", "")
            if content_type not in INLINE_SAFE_TYPES or not disposition:
                if disposition.lower().startswith("inline"):
                    disposition = "attachment" + disposition[len("inline"):]
                response.headers["Content-Disposition"] = disposition if disposition.lower().startswith(
                    "attachment") else "attachment"
            response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class TwoFactorMiddleware:
    """Before any admin page: verify the second factor, or set one up when the role requires it.

    Only a page navigation (a GET that accepts HTML) is redirected to the verify or setup page; the
    admin's icon sprite and translations catalogue pass (the setup page itself loads them), and any
    other request of an unverified session (a form post, a fetch for JSON) is refused with 403, so it
    can neither slip past the second factor nor be answered with the setup page.
    """

    EXEMPT = ("wagtailadmin_login", "wagtailadmin_logout", "wagtailadmin_sprite", "two_factor_setup",
              "two_factor_verify", "two_factor_qr", "two_factor_backup_codes")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._check(request)
        return response or self.get_response(request)

    def _check(self, request):
        user = getattr(request, "user", None)
        admin_prefix = reverse("wagtailadmin_home")
        if user is None or not request.path.startswith(admin_prefix) or not user.is_authenticated:
            return None
        exempt = [reverse(name) for name in self.EXEMPT]
        if request.path in exempt or request.path.startswith((admin_prefix + "jsi18n", settings.STATIC_URL)):
            return None
        if user.is_verified():
            return None
        if has_device(user):
            target = "two_factor_verify"
        elif two_factor_required(user):
            target = "two_factor_setup"
        else:
            return None
        if request.method in ("GET", "HEAD") and "text/html" in request.headers.get("Accept", "text/html"):
            return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return HttpResponseForbidden(_("Enter the code of your second factor first."), content_type="text/plain")


class IdleSessionMiddleware:
    """Sign out a session left unused for SESSION_IDLE_SECONDS (the stamp is refreshed once a minute)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        limit = getattr(settings, "SESSION_IDLE_SECONDS", 0)
        if limit and user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(IDLE_KEY)
            if last is not None and now - last > limit:
                logout(request)
            elif last is None or now - last > 60:
                request.session[IDLE_KEY] = now
        return self.get_response(request)
