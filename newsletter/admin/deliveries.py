"""Admin screens of sending: the send form, the POST-only send and test-send actions, and the live
progress of a delivery (it reloads itself with a meta refresh while under way: no inline script)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .forms import SendForm
from .models import Delivery, IssuePage
from .services import NewsletterError
from .services import delivery as delivery_services

SEND_PERMISSION = "newsletter.send_issue"


def _issue(page_id) -> IssuePage:
    return get_object_or_404(IssuePage, pk=page_id)


@require_GET
@permission_required(SEND_PERMISSION, raise_exception=True)
def send_form(request, page_id):
    issue = _issue(page_id)
    return TemplateResponse(request, "newsletter/admin/send.html", {
        "issue": issue, "form": SendForm(), "deliveries": Delivery.objects.filter(issue_key=issue.translation_key),
        "header_title": _("Send “%(title)s”") % {"title": issue.title},
    })


@require_POST
@permission_required(SEND_PERMISSION, raise_exception=True)
def send_start(request, page_id):
    issue = _issue(page_id)
    form = SendForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(request, "newsletter/admin/send.html", {
            "issue": issue, "form": form, "deliveries": Delivery.objects.filter(issue_key=issue.translation_key),
            "header_title": _("Send “%(title)s”") % {"title": issue.title},
        }, status=400)
    scheduled_at = form.cleaned_data.get("scheduled_at")
    if scheduled_at and scheduled_at <= timezone.now():
        scheduled_at = None
    try:
        delivery = delivery_services.delivery_start(issue=issue, segment=form.segment(), scheduled_at=scheduled_at,
                                                    acting_user=request.user)
    except NewsletterError as exc:
        messages.error(request, str(exc))
        return redirect("newsletter_send", page_id=issue.pk)
    if scheduled_at:
        messages.success(request, _("The issue will be sent at %(when)s.") % {
            "when": timezone.localtime(scheduled_at).strftime("%Y-%m-%d %H:%M")})
    else:
        messages.success(request, _("Sending started."))
    return redirect("newsletter_delivery_progress", pk=delivery.pk)


@require_POST
@permission_required(SEND_PERMISSION, raise_exception=True)
def send_test(request, page_id):
    issue = _issue(page_id)
    try:
        delivery_services.delivery_test_send(issue=issue, acting_user=request.user)
    except NewsletterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("A test copy is on its way to %(email)s.") % {"email": request.user.email})
    return redirect("newsletter_send", page_id=issue.pk)


@require_POST
@permission_required(SEND_PERMISSION, raise_exception=True)
def delivery_cancel(request, pk):
    try:
        delivery_services.delivery_cancel(delivery_id=pk, acting_user=request.user)
    except NewsletterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The scheduled delivery is cancelled."))
    return redirect("newsletter_delivery_progress", pk=pk)


@require_GET
def delivery_progress(request, pk):
    user = request.user
    if not (user.has_perm(SEND_PERMISSION) or user.has_perm("newsletter.view_delivery")):
        raise PermissionDenied
    delivery = get_object_or_404(Delivery.objects.select_related("issue", "created_by"), pk=pk)
    stats = delivery_services.delivery_stats(delivery=delivery)
    live = delivery.state in {Delivery.State.SCHEDULED, Delivery.State.BUILDING, Delivery.State.SENDING}
    return TemplateResponse(request, "newsletter/admin/progress.html", {
        "delivery": delivery, "stats": stats, "refresh": 3 if live else None,
        "links": delivery.links.order_by("-clicks", "pk")[:20],
        "can_send": user.has_perm(SEND_PERMISSION),
        "send_url": reverse("newsletter_send", args=[delivery.issue_id]),
        "header_title": _("Delivery of “%(title)s”") % {"title": delivery.issue.title},
    })
