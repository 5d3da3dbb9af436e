"""Public pages of complaints: the online form, the thank-you page and the private status page."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from wagtail.models import ModelLogEntry

from home.ratelimit import ratelimit

from ..forms import ComplaintPublicForm
from ..models import Complaint
from ..services import CareError
from ..services.complaints import complaint_submit

PUBLIC_EVENTS = {
    "care.complaint_received", "care.complaint_start", "care.complaint_escalate", "care.complaint_wait",
    "care.complaint_resume", "care.complaint_resolve", "care.complaint_close",
}


def private(response):
    """Keep a page reached by a private link out of referrers, search engines and shared caches.

    ``same-origin``, not ``no-referrer``: with no-referrer Chromium sends ``Origin: null`` on the page's
    own form, and Django's CSRF check refuses it ("Origin checking failed - null")."""
    response["Referrer-Policy"] = "same-origin"
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
    return private(render(request, "care/complaints/status.html", {"complaint": complaint, "events": events}))


def _event_label(action):
    return {
        "care.complaint_received": _("Received"),
        "care.complaint_start": _("Being handled by the care team"),
        "care.complaint_escalate": _("Passed to a specialist team"),
        "care.complaint_wait": _("Waiting for information from you"),
        "care.complaint_resume": _("Being handled again"),
        "care.complaint_resolve": _("Resolved"),
        "care.complaint_close": _("Closed"),
    }.get(action, "")
