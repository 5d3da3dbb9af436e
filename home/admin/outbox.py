from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import OutboxMessage, ProductLine


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
    menu_label = _("Outgoing emails")
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


class ProductLineViewSet(SnippetViewSet):
    model = ProductLine
    icon = "tag"
    menu_label = _("Product lines")
    add_to_settings_menu = True
    list_display = ["name_zh_hans", "name_en", "slug", "active"]


product_line_viewset = ProductLineViewSet()
