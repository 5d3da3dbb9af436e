"""Admin screens of customers, their devices, care teams, and the log of personal-data accesses."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from home.models import AccessLog

from .. import selectors
from ..models import CareTeam, CustomerAccount, Device
from ..services.customers import customer_primary_contact, customer_save
from ..services.devices import device_register
from .base import ListOnlyViewSet, TeamScopedViewSet, VisibleEditView


class CustomerEditView(VisibleEditView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        return customer_save(customer=instance, acting_user=self.request.user)


class CustomerCreateView(generic.CreateView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        return customer_save(customer=instance, acting_user=self.request.user)


class CustomerContactsColumn(Column):
    def get_value(self, instance):
        person = customer_primary_contact(instance)
        return f"{person.name} {person.masked_mobile}".strip() if person else ""


class CustomerViewSet(TeamScopedViewSet):
    model = CustomerAccount
    visible = staticmethod(selectors.customers_visible_to)
    icon = "group"
    menu_label = _("Customers")
    menu_order = 120
    edit_view_class = CustomerEditView
    add_view_class = CustomerCreateView
    copy_view_enabled = False
    list_display = ["name", "kind", "is_key_account", "team", "specialist", "active",
                    CustomerContactsColumn("contact", label=_("contact"))]
    list_filter = ["kind", "active", "team"]
    search_fields = ["organisation__name", "person__name", "address"]
    form_fields = ["kind", "organisation", "person", "address", "team", "specialist", "direct_line", "mailbox", "active"]


class DeviceCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return device_register(
            customer=data["customer"], product_line=data["product_line"], model=data["model"], serial=data["serial"],
            service_station=data.get("service_station", ""), activated_on=data.get("activated_on"),
            warranty_until=data.get("warranty_until"), acting_user=self.request.user,
        )


def _device_visible(user):
    if selectors.user_sees_all_calls(user):
        return Device.objects.select_related("customer__organisation", "customer__person", "product_line")
    return Device.objects.filter(customer__in=selectors.customers_visible_to(user)).select_related(
        "customer__organisation", "customer__person", "product_line"
    )


class DeviceViewSet(TeamScopedViewSet):
    model = Device
    visible = staticmethod(_device_visible)
    icon = "desktop"
    menu_label = _("Devices")
    menu_order = 130
    add_view_class = DeviceCreateView
    copy_view_enabled = False
    list_display = ["serial", "model", "customer", "product_line", "activated_on", "warranty_until"]
    list_filter = ["product_line"]
    search_fields = ["serial", "model"]
    form_fields = ["customer", "product_line", "model", "serial", "service_station", "activated_on", "warranty_until"]


class CareTeamViewSet(ModelViewSet):
    model = CareTeam
    icon = "group"
    menu_label = _("Care teams")
    menu_order = 140
    copy_view_enabled = False
    list_display = ["name"]
    form_fields = ["name", "members"]


class AccessLogViewSet(ListOnlyViewSet):
    """Who looked at whose personal data: read-only, for care managers."""

    model = AccessLog
    icon = "view"
    menu_label = _("Personal data accesses")
    menu_order = 190
    list_display = ["created_at", "user", "person", "what", "path"]
    list_filter = ["user"]
    search_fields = ["what", "path"]
