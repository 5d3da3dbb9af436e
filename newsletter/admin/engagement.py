"""Admin screens of the e-journal, grouped in one menu (registered in wagtail_hooks)."""

from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import EditView, IndexView, InspectView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import Bounce, Delivery, ReaderReply, Subscriber
from .services.engagement import reply_set_status

# Journal issues: readers' replies ----------------------------------------------------------------


class ReplyEditView(EditView):
    def save_instance(self):
        reply = self.form.save(commit=False)
        return reply_set_status(reply_id=reply.pk, status=reply.status, note=reply.note,
                                acting_user=self.request.user)


class ReaderReplyViewSet(ModelViewSet):
    model = ReaderReply
    icon = "mail"
    menu_label = _("Reader replies")
    menu_order = 200
    inspect_view_enabled = True
    copy_view_enabled = False
    edit_view_class = ReplyEditView
    list_display = ["__str__", "issue", "status", "source", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["name", "email", "body"]
    form_fields = ["status", "note"]
    inspect_view_fields = ["issue", "name", "email", "person", "source", "status", "body", "note", "handled_by",
                           "created_at", "updated_at"]


reader_reply_viewset = ReaderReplyViewSet("journal_replies")


# Delivery: subscribers (with the CSV export), deliveries, bounces ---------------------------------


class _ReadOnlyActions(ModelPermissionPolicy):
    """Subscribers come from the subscribe form and the import, deliveries from the send screen,
    bounces from the mail server: nobody adds them by hand, and deliveries and bounces are records."""

    def __init__(self, model, denied):
        super().__init__(model)
        self.denied = set(denied)

    def user_has_permission(self, user, action):
        return action not in self.denied and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Subscriber, _ReadOnlyActions(Subscriber, ["add"]))
register_permission_policy(Delivery, _ReadOnlyActions(Delivery, ["add", "change", "delete"]))
register_permission_policy(Bounce, _ReadOnlyActions(Bounce, ["add", "change", "delete"]))


class SubscriberIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("person__organisation").prefetch_related("product_lines")


class SubscriberEditView(EditView):
    def save_instance(self):
        from .services.subscribers import subscriber_set_status, subscriber_update_preferences

        subscriber = self.form.save(commit=False)
        subscriber_update_preferences(subscriber=subscriber, language=subscriber.language,
                                      product_lines=list(self.form.cleaned_data["product_lines"]))
        return subscriber_set_status(subscriber_id=subscriber.pk, status=subscriber.status,
                                     acting_user=self.request.user)


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    icon = "group"
    menu_label = _("Subscribers")
    menu_order = 100
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = SubscriberIndexView
    edit_view_class = SubscriberEditView
    list_display = ["person", "email", "status", "language", "created_at"]
    list_filter = ["status", "language", "product_lines"]
    search_fields = ["person__email", "person__name", "person__organisation__name"]
    form_fields = ["status", "language", "product_lines"]
    list_export = ["email", "name", "company", "language", "status", "product_line_slugs", "confirmed_at",
                   "created_at"]
    export_filename = "journal-subscribers"
    inspect_view_fields = ["person", "email", "company", "status", "language", "product_line_slugs", "source",
                           "soft_bounces", "created_at", "confirmed_at", "unsubscribed_at"]


class DeliveryInspectView(InspectView):
    """A delivery's page is its live progress and engagement (``admin_views.delivery_progress``)."""

    def get(self, request, *args, **kwargs):
        return redirect("newsletter_delivery_progress", pk=self.kwargs["pk"])


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    icon = "mail"
    menu_label = _("Deliveries")
    menu_order = 110
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    list_display = ["issue", "segment_key", "state", "total", "scheduled_at", "finished_at"]
    list_filter = ["state"]
    form_fields = []


class BounceViewSet(ModelViewSet):
    model = Bounce
    icon = "warning"
    menu_label = _("Bounces and complaints")
    menu_order = 120
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["email", "kind", "status", "diagnostic", "created_at"]
    list_filter = ["kind"]
    search_fields = ["email"]
    form_fields = []


subscriber_viewset = SubscriberViewSet("journal_subscribers")
delivery_viewset = DeliveryViewSet("journal_deliveries")
bounce_viewset = BounceViewSet("journal_bounces")


class NewsletterViewSetGroup(ViewSetGroup):
    menu_label = _("E-journal")
    menu_icon = "mail"
    menu_order = 300
    items = [reader_reply_viewset, subscriber_viewset, delivery_viewset, bounce_viewset]
