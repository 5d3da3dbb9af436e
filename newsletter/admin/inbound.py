"""Mail that came back and matched no message we sent (and everything else the inbound mailbox
received), for care managers to look at: a forged or foreign bounce or complaint changes nothing,
it waits here as "to be checked by a person"."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from ..models import InboundEmail


class InboundEmailViewSet(ModelViewSet):
    model = InboundEmail
    icon = "warning"
    menu_label = _("Returned mail")
    menu_order = 125
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = ["message_id", "kind", "note", "received_at", "processed_at"]
    list_display = ["message_id", "kind", "note", "received_at"]
    list_filter = ["kind"]
    search_fields = ["message_id", "note"]
    form_fields = []


inbound_viewset = InboundEmailViewSet("journal_inbound")
