"""Public certificate verification, and recording progress through video lessons."""

import re

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from home.customers import customer_current, customer_required
from home.identity import mask_name
from home.ratelimit import client_ip, hit

from ..forms import VerifyForm
from ..models import Certificate
from ..selectors import certificate_find
from ..services import TrainingError
from ..services.certificates import certificate_render_pdf
from ..services.lessons import lesson_progress_record

# Lookups per client address per window. Numbers carry 50 random bits, so even at this rate
# guessing one takes far longer than the age of the universe; the limit keeps scraping noisy.
VERIFY_LIMIT = 30
VERIFY_WINDOW = 600
_NUMBER = re.compile(r"^C\d{4}[0-9A-Z]{10}$")


def _respond(request, context, status=200):
    response = render(request, "training/certificates/verify.html", context, status=status)
    # Always answered from the database: a revocation shows at once, and nothing keeps copies.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def certificate_verify(request, number: str = ""):
    """Look up one certificate by its exact number (typed into the form or read from the QR code)."""
    if number:
        form = VerifyForm({"number": number})
    else:
        form = VerifyForm(request.GET or None)
    context = {"form": form, "searched": False}
    if not form.is_bound:
        return _respond(request, context)
    if not hit("certificate-verify", client_ip(request), limit=VERIFY_LIMIT, window=VERIFY_WINDOW):
        return render(request, "429.html", status=429)
    if not form.is_valid():
        return _respond(request, context, status=400)
    number = form.cleaned_data["number"]
    certificate = certificate_find(number=number) if _NUMBER.match(number) else None
    context.update(searched=True, number=number)
    if certificate is None:
        return _respond(request, context, status=404)
    context["result"] = {
        "number": certificate.number,
        "holder": mask_name(certificate.holder_name),
        "course_title": certificate.course_title,
        "product_line": certificate.product_line.name if certificate.product_line else "",
        "class_date": certificate.class_date,
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
        "state": certificate.state_on(timezone.localdate()),
        "revoked_on": timezone.localtime(certificate.revoked_at).date() if certificate.revoked_at else None,
    }
    context["State"] = Certificate.State
    return _respond(request, context)


def _int(value, default=None):
    try:
        return int(float(value)) if value not in (None, "") else default
    except (TypeError, ValueError, OverflowError):
        return default


@require_POST
def lesson_progress(request, lesson_id: int):
    """A signed-in customer marks a lesson as watched, or the course page's script reports the
    position reached in the video.

    Answers JSON to scripts (``Accept: application/json``) and redirects a plain form back to the page.
    """
    wants_json = "application/json" in request.headers.get("Accept", "")
    person = customer_current(request)
    position = _int(request.POST.get("position"))
    try:
        progress = lesson_progress_record(
            person=person, lesson_id=lesson_id, seconds_watched=_int(request.POST.get("seconds"), 0),
            position_seconds=position, completed=request.POST.get("completed", "") in {"1", "true", "on"},
        )
    except TrainingError as exc:
        status = 403 if person is None else 404
        if wants_json:
            return JsonResponse({"error": str(exc)}, status=status)
        messages.error(request, str(exc))
        return _back(request)
    if wants_json:
        return JsonResponse({"lesson": lesson_id, "seconds": progress.seconds_watched,
                             "position": progress.position_seconds, "completed": progress.completed_at is not None})
    if progress.completed_at:
        messages.success(request, _("Lesson marked as watched."))
    return _back(request)


@require_GET
def certificate_pdf_download(request, number: str):
    """A signed-in customer's own certificate as PDF (made now if the worker has not made it yet)."""
    person = customer_required(request)
    certificate = certificate_find(number=number) if _NUMBER.match(number or "") else None
    if certificate is None or certificate.person_id != person.pk:
        raise Http404
    if not certificate.pdf or not certificate.pdf.storage.exists(certificate.pdf.name):
        certificate = certificate_render_pdf(certificate_id=certificate.pk, send=False)
    response = FileResponse(certificate.pdf.open("rb"), content_type="application/pdf",
                            filename=f"{certificate.number}.pdf")
    response["Cache-Control"] = "no-store, private"
    return response


def _back(request):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    return redirect(target)
