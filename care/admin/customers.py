"""Admin screens of customers, their devices and care teams."""

from datetime import timedelta

from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from home.services.rights import access_log_record

from .. import selectors
from ..models import Call, CareTeam, CustomerAccount, Device, GiftRecipient
from ..services.calls import call_log_inbound
from ..services.customers import customer_contacts, customer_primary_contact, customer_save
from ..services.devices import device_register
from .base import TeamScopedViewSet, VisibleEditView, VisibleIndexView, VisibleInspectView
from .knowledge import article_link_send_view, knowledge_context


class CustomerIndexView(VisibleIndexView):
    """Search by any identifier a caller gives (``selectors.customers_matching``), not the search backend."""

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.filter(pk__in=selectors.customers_find(self.request.user, self.search_query).values("pk"))

    def get_edit_url(self, instance):
        return reverse("care_customers:inspect", args=[instance.pk])


class CustomerInspectView(VisibleInspectView):
    """The customer page: contacts, devices, open calls and complaints, certificates, sign-ups,
    journal replies, gifts and the timeline; an inbound call or a complaint from here in two clicks."""

    template_name = "care/customers/admin_inspect.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        contacts = response.context_data["contacts"]
        access_log_record(user=request.user, person=contacts[0] if contacts else None,
                          what=f"customer page {self.object.pk} viewed", path=request.path)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        contacts = list(customer_contacts(customer))
        person_ids = [person.pk for person in contacts]
        kind = self.request.GET.get("kind", "")
        context.update({
            "customer": customer,
            "contacts": contacts,
            "devices": selectors.customer_devices(customer),
            "open_calls": customer.calls.filter(state=Call.State.OPEN).select_related("assignee").order_by("due_at"),
            "open_complaints": [c for c in selectors.customer_recent_complaints(customer, limit=50) if c.is_open],
            "certificates": selectors.customer_valid_certificates(customer, person_ids),
            "signups": selectors.people_training_signups(person_ids),
            "replies": selectors.people_journal_replies(person_ids),
            "subscriptions": selectors.people_journal_subscriptions(person_ids),
            "gifts": GiftRecipient.objects.filter(person_id__in=person_ids).select_related("campaign")[:20],
            "timeline": selectors.customer_timeline(customer, person_ids, kind=kind),
            "timeline_kinds": selectors.TIMELINE_KINDS.items(),
            "timeline_kind": kind,
            "can_call": self.request.user.has_perm("care.work_call"),
            "can_complain": self.request.user.has_perm("care.add_complaint"),
            "inbound_url": reverse("care_customers:inbound", args=[customer.pk]),
            "complaint_url": reverse("care_complaints:add") + f"?customer={customer.pk}",
            "report_url": (reverse("care_reports:generate", args=[customer.organisation_id])
                           if customer.is_key_account and self.request.user.has_perm("care.add_keyaccountreport")
                           else None),
            "last_month": (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m"),
            **knowledge_context(self.request, contacts=contacts),
            "can_send": self.request.user.has_perm("care.work_call"),
            "article_send_url": reverse("care_customers:article_send", args=[customer.pk]),
        })
        return context


@require_POST
@permission_required("care.work_call", raise_exception=True)
def customer_inbound_call_view(request, pk):
    """Log an inbound call from the customer page and open the call screen."""
    customer = get_object_or_404(selectors.customers_visible_to(request.user), pk=pk)
    call = call_log_inbound(customer=customer, acting_user=request.user)
    return redirect("care_call_work", call.pk)


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
    index_view_class = CustomerIndexView
    inspect_view_class = CustomerInspectView
    inspect_view_enabled = True
    edit_view_class = CustomerEditView
    add_view_class = CustomerCreateView
    copy_view_enabled = False
    list_display = ["name", "kind", "is_key_account", "team", "specialist", "active",
                    CustomerContactsColumn("contact", label=_("contact"))]
    list_filter = ["kind", "active", "team"]
    search_fields = ["address"]  # searching goes through CustomerIndexView.search_queryset
    search_backend_name = None
    form_fields = ["kind", "organisation", "person", "address", "team", "specialist", "direct_line", "mailbox", "active"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/inbound/", customer_inbound_call_view, name="inbound"),
            path("<int:pk>/articles/send/", article_link_send_view, name="article_send"),
        ]


class DeviceFormMixin:
    """A device belongs to a customer the user sees: the choices, and what the form accepts when posted
    (the field validates against this queryset on the server), are the user's customers only."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["customer"].queryset = selectors.customers_visible_to(self.request.user)
        return form


class DeviceCreateView(DeviceFormMixin, generic.CreateView):
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


class DeviceEditView(DeviceFormMixin, VisibleEditView):
    pass


class DeviceViewSet(TeamScopedViewSet):
    model = Device
    visible = staticmethod(_device_visible)
    icon = "desktop"
    menu_label = _("Devices")
    menu_order = 130
    add_view_class = DeviceCreateView
    edit_view_class = DeviceEditView
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


class CustomerSearchPanel(Component):
    """One search box on the care team's home screen: a customer from any identifier a caller gives."""

    name = "care_customer_search"
    order = -10

    def render_html(self, parent_context=None):
        return render_to_string("care/customers/search_panel.html", {"action": reverse("care_customers:index")})
