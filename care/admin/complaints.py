"""Admin screens of complaints and suggestions, their work orders, and the support groups.

Every write goes through a service; complaint transitions are small POST-only actions.
"""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import BooleanRadioSelect

from home.admin.filters import FilterSet, TranslatedFiltersMixin
from home.services.rights import access_log_record

from .. import forms, selectors
from ..models import Complaint, SupportGroup, WorkOrder
from ..services import CareError
from ..services import complaints as complaint_services
from ..services import workorders as workorder_services
from ..services.customers import customer_primary_contact
from .base import ListOnlyViewSet, TeamScopedViewSet, VisibleEditView, VisibleIndexView, VisibleInspectView

# Complaints --------------------------------------------------------------------------------------


class ComplaintIndexView(VisibleIndexView):
    def get_edit_url(self, instance):
        return reverse("care_complaints:inspect", args=[instance.pk])

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("person", "responsible", "product_line")


class ComplaintCreateView(generic.CreateView):
    def get_initial(self):
        """From a customer page (``?customer=<pk>``): the customer's contact details filled in."""
        initial = super().get_initial()
        wanted = self.request.GET.get("customer", "")
        customer = (selectors.customers_visible_to(self.request.user).filter(pk=int(wanted)).first()
                    if wanted.isdigit() else None)
        if customer is not None:
            person = customer_primary_contact(customer)
            initial.update({
                "customer_name": person.name if person else customer.name,
                "email": person.email if person else "", "mobile": person.mobile if person else "",
                "organisation_name": customer.organisation.name if customer.organisation_id else "",
                "language": person.language if person else "zh-hans", "channel": Complaint.Channel.PHONE,
            })
        return initial

    def save_instance(self):
        data = self.form.cleaned_data
        try:
            return complaint_services.complaint_create(
                acting_user=self.request.user,
                channel=data["channel"], kind=data["kind"], category=data["category"], severity=data["severity"],
                summary=data["summary"], description=data["description"], product_line=data["product_line"],
                name=data["customer_name"], email=data.get("email", ""), mobile=data.get("mobile", ""),
                organisation_name=data.get("organisation_name", ""), language=data["language"],
                received_at=data.get("received_at"),
            )
        except CareError as exc:
            self.form.add_error(None, str(exc))
            raise _FormInvalid

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except _FormInvalid:
            return self.form_invalid(form)

    def get_success_url(self):
        return reverse("care_complaints:inspect", args=[self.object.pk])


class _FormInvalid(Exception):
    pass


class ComplaintEditView(VisibleEditView):
    def save_instance(self):
        data = {name: self.form.cleaned_data[name] for name in self.form.changed_data}
        return complaint_services.complaint_update(complaint_id=self.object.pk, acting_user=self.request.user, **data)

    def get_success_url(self):
        return reverse("care_complaints:inspect", args=[self.object.pk])


class ComplaintInspectView(VisibleInspectView):
    template_name = "care/complaints/admin_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            self.visible(self.request.user).select_related("person", "organisation", "product_line", "responsible",
                                                           "received_by"),
            pk=self.pk,
        )

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        access_log_record(user=request.user, person=self.object.person, what=f"complaint {self.object.pk} viewed",
                          path=request.path)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        complaint = self.object
        state = complaint.state
        S = Complaint.State
        can_change = self.request.user.has_perm("care.change_complaint")
        context.update({
            "complaint": complaint,
            "can_change": can_change,
            "work_orders": complaint.work_orders.select_related("support_group").order_by("-opened_at"),
            "calls": complaint.calls.select_related("assignee").order_by("due_at") if hasattr(complaint, "calls") else [],
            "account": _key_account(complaint),
            "history_url": reverse("care_complaints:history", args=[complaint.pk]),
            "can_start": can_change and state == S.NEW,
            "escalate_form": forms.EscalateForm() if can_change and state in (S.NEW, S.IN_PROGRESS) else None,
            "can_wait": can_change and state in (S.IN_PROGRESS, S.ESCALATED),
            "can_resume": can_change and state == S.WAITING,
            "resolve_form": forms.ResolveForm() if can_change and complaint.is_open else None,
            "can_close": can_change and state == S.RESOLVED,
            "hand_over_form": forms.HandOverForm() if can_change and complaint.is_open else None,
        })
        for name in ("start", "escalate", "wait", "resume", "resolve", "close", "hand_over", "check"):
            context[f"{name}_url"] = reverse("care_complaints:action", args=[complaint.pk, name])
        return context


def _key_account(complaint):
    """The green channel of a key-account complainant: specialist, direct line, mailbox."""
    if not (complaint.organisation_id and complaint.organisation.is_key_account):
        return None
    return selectors.customer_for_organisation(complaint.organisation)


@require_POST
def complaint_action_view(request, pk, action):
    if not request.user.has_perm("care.change_complaint"):
        raise PermissionDenied
    complaint = get_object_or_404(selectors.complaints_visible_to(request.user), pk=pk)
    user = request.user
    try:
        if action == "start":
            complaint_services.complaint_start(complaint_id=pk, acting_user=user)
            messages.success(request, _("You are working on %(ref)s.") % {"ref": complaint.reference})
        elif action == "escalate":
            form = forms.EscalateForm(request.POST)
            if not form.is_valid():
                raise CareError(_("Choose a support group."))
            order = workorder_services.complaint_escalate(
                complaint_id=pk, acting_user=user, support_group=form.cleaned_data["support_group"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Escalated to %(group)s, due %(due)s.") % {
                "group": order.support_group.name, "due": timezone.localtime(order.due_at).strftime("%Y-%m-%d %H:%M")})
        elif action == "wait":
            workorder_services.complaint_wait_for_customer(complaint_id=pk, acting_user=user,
                                                           note=request.POST.get("note", ""))
            messages.success(request, _("Waiting for the customer; the SLA clock is paused."))
        elif action == "resume":
            workorder_services.complaint_resume(complaint_id=pk, acting_user=user)
            messages.success(request, _("Work resumed."))
        elif action == "resolve":
            form = forms.ResolveForm(request.POST)
            if not form.is_valid():
                raise CareError(_("Say what was done or changed to resolve it."))
            complaint_services.complaint_resolve(complaint_id=pk, acting_user=user,
                                                 resolution=form.cleaned_data["resolution"],
                                                 skip_reason=form.cleaned_data["skip_reason"])
            messages.success(request, _("Resolved. The follow-up call has been created."))
        elif action == "close":
            complaint_services.complaint_close(complaint_id=pk, acting_user=user)
            messages.success(request, _("Closed."))
        elif action == "hand_over":
            form = forms.HandOverForm(request.POST)
            if not form.is_valid():
                raise CareError(_("Choose a staff member."))
            complaint_services.complaint_hand_over(complaint_id=pk, acting_user=user,
                                                   to_user=form.cleaned_data["to_user"])
            messages.success(request, _("Handed over."))
        elif action == "check" and not request.POST.get("work_order"):
            complaint_services.complaint_check_item(
                complaint_id=pk, index=int(request.POST.get("index", -1)), done=request.POST.get("done") == "1",
                acting_user=user,
            )
        elif action == "check":
            order = get_object_or_404(WorkOrder, pk=request.POST.get("work_order"), complaint_id=pk)
            workorder_services.workorder_check_item(
                work_order_id=order.pk, index=int(request.POST.get("index", -1)),
                done=request.POST.get("done") == "1", acting_user=user,
            )
        else:
            raise Http404
    except (CareError, ValueError) as exc:
        messages.error(request, str(exc))
    return redirect("care_complaints:inspect", pk)


class ComplaintViewSet(TranslatedFiltersMixin, TeamScopedViewSet):
    model = Complaint
    visible = staticmethod(selectors.complaints_visible_to)
    icon = "warning"
    menu_label = gettext_lazy("Complaints")
    menu_order = 200
    url_prefix = "care/complaints"
    index_view_class = ComplaintIndexView
    add_view_class = ComplaintCreateView
    edit_view_class = ComplaintEditView
    inspect_view_class = ComplaintInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["reference", "summary", "kind", "state", "severity", "category", "responsible", "received_at",
                    "resolution_due_at"]
    list_filter = {"state": ["exact"], "kind": ["exact"], "channel": ["exact"], "category": ["exact"],
                   "severity": ["exact"], "product_line": ["exact"], "received_at": ["gte", "lt"],
                   "resolved_at": ["gte", "lt"]}
    search_fields = ["reference", "summary", "person__name"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return forms.ComplaintEditForm if for_update else forms.ComplaintStaffForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/do/<slug:action>/", complaint_action_view, name="action"),
        ]


class WorkOrderIndexView(generic.IndexView):
    def get_edit_url(self, instance):
        return reverse("care_complaints:inspect", args=[instance.complaint_id])

    def get_base_queryset(self):
        queryset = super().get_base_queryset().select_related("complaint", "support_group")
        if self.request.GET.get("open", "1") == "1":
            queryset = queryset.filter(closed_at__isnull=True)
        return queryset


class WorkOrderFilterSet(FilterSet):
    """Support group, due date, and whether the SLA was breached (closed late, or open and past due)."""

    breached = django_filters.BooleanFilter(label=gettext_lazy("SLA breached"), method="filter_breached",
                                            widget=BooleanRadioSelect)

    class Meta:
        model = WorkOrder
        fields = {"support_group": ["exact"], "due_at": ["gte", "lt"]}

    def filter_breached(self, queryset, name, value):
        late = Q(closed_at__gt=F("due_at")) | Q(closed_at__isnull=True, paused_at__isnull=True, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)


class WorkOrderViewSet(ListOnlyViewSet):
    model = WorkOrder
    icon = "time"
    menu_label = gettext_lazy("Work orders")
    menu_order = 210
    url_prefix = "care/work-orders"
    index_view_class = WorkOrderIndexView
    list_display = ["complaint", "support_group", "opened_at", "due_at", "paused_at", "overdue_notified_at", "closed_at"]
    filterset_class = WorkOrderFilterSet

    def object_url(self, instance):
        return reverse("care_complaints:inspect", args=[instance.complaint_id])


class SupportGroupViewSet(ModelViewSet):
    model = SupportGroup
    icon = "group"
    menu_label = gettext_lazy("Support groups")
    menu_order = 220
    url_prefix = "care/support-groups"
    copy_view_enabled = False
    list_display = ["name", "email", "active"]
    form_fields = ["name", "email", "managers", "active"]

