"""Admin screens of customer care, in one menu group ("Customer care")."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import SnippetViewSet

from home.models import AccessLog

from . import selectors
from .complaint_admin import complaint_viewsets
from .models import Call, CallScript, CareTeam, CustomerAccount, Device, SatisfactionRating

# Calls and customers ------------------------------------------------------------------------------


class NoAddPermissionPolicy(ModelPermissionPolicy):
    """Calls are created by the rules, never by hand; ratings and access logs only by the system."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


for _model in (Call, SatisfactionRating, AccessLog):
    register_permission_policy(_model, NoAddPermissionPolicy(_model))


class _VisibleObjectMixin:
    """Limit a view to the objects the user may see (care staff: their teams' only)."""

    visible = None

    def get_base_queryset(self):
        return type(self).visible(self.request.user)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not type(self).visible(self.request.user).filter(pk=obj.pk).exists():
            raise PermissionDenied
        return obj


class MaskedPhoneColumn(Column):
    def get_value(self, instance):
        person = instance.contact if hasattr(instance, "contact") else None
        return person.masked_mobile if person else ""


def _call_visible(user):
    return selectors.calls_visible_to(user)


class CallIndexView(_VisibleObjectMixin, generic.IndexView):
    visible = staticmethod(_call_visible)


class CallEditView(_VisibleObjectMixin, generic.EditView):
    visible = staticmethod(_call_visible)


class CallInspectView(_VisibleObjectMixin, generic.InspectView):
    visible = staticmethod(_call_visible)


class CallViewSet(ModelViewSet):
    model = Call
    icon = "mobile-alt"
    menu_label = _("Calls")
    menu_order = 110
    index_view_class = CallIndexView
    edit_view_class = CallEditView
    inspect_view_class = CallInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "customer", "purpose", "due_at", "deadline", "assignee", "team", "state", "disposition", "attempts",
        MaskedPhoneColumn("phone", label=_("phone")),
    ]
    list_filter = ["state", "purpose", "team", "disposition"]
    search_fields = ["customer__organisation__name", "customer__person__name"]
    form_fields = ["assignee", "team", "due_at", "deadline", "notes"]
    inspect_view_fields = ["customer", "purpose", "period_key", "due_at", "deadline", "assignee", "team", "state",
                           "disposition", "attempts", "callback_at", "closed_at", "notes"]


def _customer_visible(user):
    return selectors.customers_visible_to(user)


class CustomerIndexView(_VisibleObjectMixin, generic.IndexView):
    visible = staticmethod(_customer_visible)


class CustomerEditView(_VisibleObjectMixin, generic.EditView):
    visible = staticmethod(_customer_visible)

    def save_instance(self):
        from .services.customers import customer_save

        instance = self.form.save(commit=False)
        return customer_save(customer=instance, acting_user=self.request.user)


class CustomerCreateView(generic.CreateView):
    def save_instance(self):
        from .services.customers import customer_save

        instance = self.form.save(commit=False)
        return customer_save(customer=instance, acting_user=self.request.user)


class CustomerContactsColumn(Column):
    def get_value(self, instance):
        from .services.customers import customer_primary_contact

        person = customer_primary_contact(instance)
        return f"{person.name} {person.masked_mobile}".strip() if person else ""


class CustomerViewSet(ModelViewSet):
    model = CustomerAccount
    icon = "group"
    menu_label = _("Customers")
    menu_order = 120
    index_view_class = CustomerIndexView
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
        from .services.customers import device_register

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


class DeviceIndexView(_VisibleObjectMixin, generic.IndexView):
    visible = staticmethod(_device_visible)


class DeviceEditView(_VisibleObjectMixin, generic.EditView):
    visible = staticmethod(_device_visible)


class DeviceViewSet(ModelViewSet):
    model = Device
    icon = "desktop"
    menu_label = _("Devices")
    menu_order = 130
    index_view_class = DeviceIndexView
    edit_view_class = DeviceEditView
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


class RatingViewSet(ModelViewSet):
    model = SatisfactionRating
    icon = "pick"
    menu_label = _("Satisfaction ratings")
    menu_order = 160
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["score", "customer", "source", "staff_member", "service_station", "product_line", "created_at"]
    list_filter = ["score", "source", "product_line"]
    form_fields = ["comment"]


class AccessLogViewSet(ModelViewSet):
    """Who looked at whose personal data: read-only, for care managers."""

    model = AccessLog
    icon = "view"
    menu_label = _("Personal data accesses")
    menu_order = 190
    copy_view_enabled = False
    list_display = ["created_at", "user", "person", "what", "path"]
    list_filter = ["user"]
    search_fields = ["what", "path"]
    form_fields = []

    def get_urlpatterns(self):
        # Only the listing: nobody edits or deletes the log.
        return [p for p in super().get_urlpatterns() if p.name in ("index", "index_results")]


class CallScriptViewSet(SnippetViewSet):
    model = CallScript
    icon = "list-ol"
    menu_label = _("Call scripts")
    menu_order = 150
    list_display = ["name", "purpose", "language", "live"]
    list_filter = ["purpose", "language"]


# The call queue: my calls due today and overdue, per team, and the figures ------------------------


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class CallQueueViewSet(ViewSet):
    icon = "tasks"
    menu_label = _("Call queue")
    menu_order = 100
    name = "care_queue"

    def get_urlpatterns(self):
        from .admin_views import call_queue_view

        return [path("", call_queue_view, name="index")]

    def get_menu_item(self, order=None):
        return PermissionMenuItem(
            self.menu_label, self.menu_url, name="care-queue", icon_name=self.icon,
            order=self.get_menu_item_order(order), permission="care.view_call",
        )


class CareViewSetGroup(ViewSetGroup):
    menu_label = _("Customer care")
    menu_icon = "help"
    menu_order = 300
    items = [
        CallQueueViewSet("care_queue"),
        CallViewSet("care_calls"),
        CustomerViewSet("care_customers"),
        DeviceViewSet("care_devices"),
        CareTeamViewSet("care_teams"),
        CallScriptViewSet(),
        RatingViewSet("care_ratings"),
        AccessLogViewSet("care_access_log"),
        # Complaints, work orders, campaigns, letters, reports (care.complaint_admin)
        *complaint_viewsets(),
    ]


care_viewset_group = CareViewSetGroup()
