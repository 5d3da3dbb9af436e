"""Admin screens of subscribers (with the CSV export) and of bounces and complaints."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from home.csv import SafeCsvExportMixin
from home.services.rights import access_log_record

from ..models import Bounce, Subscriber
from ..services.subscribers import subscriber_set_status, subscriber_update_preferences


class SubscriberIndexView(SafeCsvExportMixin, IndexView):
    def as_spreadsheet(self, queryset, spreadsheet_format):
        response = super().as_spreadsheet(queryset, spreadsheet_format)
        access_log_record(user=self.request.user, person=None,
                          what=f"journal subscriber export ({spreadsheet_format}) downloaded",
                          path=self.request.get_full_path())
        return response

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("person__organisation").prefetch_related("product_lines")


class SubscriberEditView(EditView):
    def save_instance(self):
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
    list_filter = {"status": ["exact"], "language": ["exact"], "product_lines": ["exact"],
                   "confirmed_at": ["gte", "lt"]}
    search_fields = ["person__email", "person__name", "person__organisation__name"]
    form_fields = ["status", "language", "product_lines"]
    list_export = ["email", "name", "company", "language", "status", "product_line_slugs", "confirmed_at",
                   "created_at"]
    export_filename = "journal-subscribers"
    inspect_view_fields = ["person", "email", "company", "status", "language", "product_line_slugs", "source",
                           "soft_bounces", "created_at", "confirmed_at", "unsubscribed_at"]


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
bounce_viewset = BounceViewSet("journal_bounces")
