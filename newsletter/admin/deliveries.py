"""Admin screens of deliveries: the list of deliveries, the send screen with its POST-only send and
test-send actions, the "Send as email" button of an issue, and the live progress of a delivery (it
reloads itself with a meta refresh while under way: no inline script)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button

from home.admin.headers import page_header

from ..forms import SendForm
from ..models import Delivery, IssuePage
from ..services import NewsletterError, deliveries

SEND_PERMISSION = "newsletter.send_issue"


class DeliveryInspectView(InspectView):
    """A delivery's page is its live progress and engagement (``delivery_progress``)."""

    def get(self, request, *args, **kwargs):
        return redirect("newsletter_delivery_progress", pk=self.kwargs["pk"])


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    icon = "mail"
    menu_label = gettext_lazy("Deliveries")
    menu_order = 110
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    list_display = ["issue", "segment_label", "state", "total", "scheduled_at", "finished_at"]
    list_filter = ["state"]
    form_fields = []


delivery_viewset = DeliveryViewSet("journal_deliveries")


def send_button(page, user, priority):
    """The "Send as email" button of a published issue, for users who may send."""
    if page.live and issubclass(page.specific_class or type(page), IssuePage) and user.has_perm(SEND_PERMISSION):
        return Button(gettext_lazy("Send as email"), reverse("newsletter_send", args=[page.pk]), icon_name="mail",
                      priority=priority)
    return None


def _issue(page_id) -> IssuePage:
    return get_object_or_404(IssuePage, pk=page_id)


def _deliveries():
    return _("Deliveries"), reverse("journal_deliveries:index")


def _send_screen(request, issue, form, status=200):
    return TemplateResponse(request, "newsletter/admin/send.html", {
        "issue": issue, "form": form, "deliveries": Delivery.objects.filter(issue_key=issue.translation_key),
        **page_header(_("Send “%(title)s”") % {"title": issue.title},
                      _deliveries(), icon="mail"),
    }, status=status)


@require_GET
@permission_required(SEND_PERMISSION, raise_exception=True)
def send_form(request, page_id):
    return _send_screen(request, _issue(page_id), SendForm())


@require_POST
@permission_required(SEND_PERMISSION, raise_exception=True)
def send_start(request, page_id):
    issue = _issue(page_id)
    form = SendForm(request.POST)
    if not form.is_valid():
        return _send_screen(request, issue, form, status=400)
    scheduled_at = form.cleaned_data.get("scheduled_at")
    if scheduled_at and scheduled_at <= timezone.now():
        scheduled_at = None
    try:
        delivery = deliveries.delivery_start(issue=issue, segment=form.segment(), scheduled_at=scheduled_at,
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
        deliveries.delivery_test_send(issue=issue, acting_user=request.user)
    except NewsletterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("A test copy is on its way to %(email)s.") % {"email": request.user.email})
    return redirect("newsletter_send", page_id=issue.pk)


@require_POST
@permission_required(SEND_PERMISSION, raise_exception=True)
def delivery_cancel(request, pk):
    try:
        deliveries.delivery_cancel(delivery_id=pk, acting_user=request.user)
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
    stats = deliveries.delivery_stats(delivery=delivery)
    live = delivery.state in {Delivery.State.SCHEDULED, Delivery.State.BUILDING, Delivery.State.SENDING}
    return TemplateResponse(request, "newsletter/admin/progress.html", {
        "delivery": delivery, "stats": stats, "refresh": 3 if live else None,
        "links": delivery.links.order_by("-clicks", "pk")[:20],
        "problems": deliveries.delivery_problems(delivery=delivery)[:20],
        "can_send": user.has_perm(SEND_PERMISSION),
        "send_url": reverse("newsletter_send", args=[delivery.issue_id]),
        **page_header(_("Delivery of “%(title)s”") % {"title": delivery.issue.title},
                      _deliveries(), icon="mail"),
    })
