"""The outbox in the admin (Settings > Outgoing emails): inspect a message and send a failed one again."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from home.exceptions import HomeError
from home.models import OutboxMessage
from home.services.outbox import outbox_retry


class OutboxInspectView(InspectView):
    template_name = "home/outbox_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_retry"] = self.request.user.has_perm("home.change_outboxmessage")
        return context


class OutboxViewSet(ModelViewSet):
    model = OutboxMessage
    inspect_view_class = OutboxInspectView
    icon = "mail"
    menu_label = gettext_lazy("Outgoing emails")
    menu_order = 9000
    add_to_settings_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["subject", "to_email", "kind", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["subject", "to_email"]
    inspect_view_fields = [
        "kind", "to_email", "subject", "state", "attempts", "last_error", "created_at", "sent_at", "next_attempt_at", "text",
    ]
    form_fields = []


outbox_viewset = OutboxViewSet("outbox")


@require_POST
@permission_required("home.change_outboxmessage", raise_exception=True)
def outbox_retry_view(request, pk):
    message = get_object_or_404(OutboxMessage, pk=pk)
    try:
        outbox_retry(message_id=message.pk, acting_user=request.user)
    except HomeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The email to %(to)s is queued again.") % {"to": message.to_email})
    return redirect(reverse("outbox:inspect", args=[message.pk]))
