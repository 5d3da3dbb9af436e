"""Security headers on every response."""

from django.conf import settings

PUBLIC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self' https://www.youtube-nocookie.com https://player.bilibili.com; "
    "frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
# The Wagtail admin relies on inline scripts and styles of its own; it is for signed-in staff only.
ADMIN_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https:; font-src 'self' data:; connect-src 'self'; frame-src 'self' blob:; "
    "frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'"
)


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
        # Uploaded documents are downloads, never pages rendered in our origin.
        if request.path.startswith(("/documents/", settings.MEDIA_URL)):
            response.headers["Content-Disposition"] = response.headers.get("Content-Disposition") or "attachment"
            response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
