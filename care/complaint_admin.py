"""Admin screens of complaints, work orders, support groups, gift campaigns, letters and reports.

The viewsets join the "Customer care" menu group (``viewsets.CareViewSetGroup``); the log actions
and snippet registration happen in ``wagtail_hooks``. Every write goes through a service.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import forms
from .models import Complaint, GiftCampaign, GiftRecipient, KeyAccountReport, LetterTemplate, SupportGroup, WorkOrder
from .services import CareError
from .services import campaigns as campaign_services
from .services import complaints as complaint_services
from .services import reports as report_services


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def _error(request, exc):
    messages.error(request, str(exc))


# Complaints --------------------------------------------------------------------------------------


class ComplaintIndexView(generic.IndexView):
    def get_edit_url(self, instance):
        return reverse("care_complaints:inspect", args=[instance.pk])

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("person", "responsible", "product_line")


class ComplaintCreateView(generic.CreateView):
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


class ComplaintEditView(generic.EditView):
    def save_instance(self):
        data = {name: self.form.cleaned_data[name] for name in self.form.changed_data}
        return complaint_services.complaint_update(complaint_id=self.object.pk, acting_user=self.request.user, **data)

    def get_success_url(self):
        return reverse("care_complaints:inspect", args=[self.object.pk])


class ComplaintInspectView(generic.InspectView):
    template_name = "care/complaints/admin_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Complaint.objects.select_related("person", "organisation", "product_line", "responsible", "received_by"),
            pk=self.pk,
        )

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
    from .models import CustomerAccount

    return CustomerAccount.objects.filter(organisation_id=complaint.organisation_id).select_related("specialist").first()


@require_POST
def complaint_action_view(request, pk, action):
    if not request.user.has_perm("care.change_complaint"):
        raise PermissionDenied
    complaint = get_object_or_404(Complaint, pk=pk)
    user = request.user
    try:
        if action == "start":
            complaint_services.complaint_start(complaint_id=pk, acting_user=user)
            messages.success(request, _("You are working on %(ref)s.") % {"ref": complaint.reference})
        elif action == "escalate":
            form = forms.EscalateForm(request.POST)
            if not form.is_valid():
                raise CareError(_("Choose a support group."))
            order = complaint_services.complaint_escalate(
                complaint_id=pk, acting_user=user, support_group=form.cleaned_data["support_group"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Escalated to %(group)s, due %(due)s.") % {
                "group": order.support_group.name, "due": timezone.localtime(order.due_at).strftime("%Y-%m-%d %H:%M")})
        elif action == "wait":
            complaint_services.complaint_wait_for_customer(complaint_id=pk, acting_user=user,
                                                           note=request.POST.get("note", ""))
            messages.success(request, _("Waiting for the customer; the SLA clock is paused."))
        elif action == "resume":
            complaint_services.complaint_resume(complaint_id=pk, acting_user=user)
            messages.success(request, _("Work resumed."))
        elif action == "resolve":
            form = forms.ResolveForm(request.POST)
            if not form.is_valid():
                raise CareError(_("Say what was done or changed to resolve it."))
            complaint_services.complaint_resolve(complaint_id=pk, acting_user=user,
                                                 resolution=form.cleaned_data["resolution"])
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
        elif action == "check":
            order = get_object_or_404(WorkOrder, pk=request.POST.get("work_order"), complaint_id=pk)
            complaint_services.workorder_check_item(
                work_order_id=order.pk, index=int(request.POST.get("index", -1)),
                done=request.POST.get("done") == "1", acting_user=user,
            )
        else:
            raise Http404
    except (CareError, ValueError) as exc:
        _error(request, exc)
    return redirect("care_complaints:inspect", pk)


class ComplaintViewSet(ModelViewSet):
    model = Complaint
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
    list_display = ["reference", "summary", "kind", "state", "severity", "category", "responsible", "received_at"]
    list_filter = ["state", "kind", "channel", "category", "severity", "product_line"]
    search_fields = ["reference", "summary", "person__name"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return forms.ComplaintEditForm if for_update else forms.ComplaintStaffForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/do/<slug:action>/", complaint_action_view, name="action"),
        ]


_LIST_ONLY = {"add_url_name": None, "edit_url_name": None, "copy_url_name": None, "delete_url_name": None,
              "inspect_url_name": None}


class WorkOrderIndexView(generic.IndexView):
    def get_edit_url(self, instance):
        return reverse("care_complaints:inspect", args=[instance.complaint_id])

    def get_base_queryset(self):
        queryset = super().get_base_queryset().select_related("complaint", "support_group")
        if self.request.GET.get("open", "1") == "1":
            queryset = queryset.filter(closed_at__isnull=True)
        return queryset


class WorkOrderViewSet(ModelViewSet):
    model = WorkOrder
    icon = "time"
    menu_label = gettext_lazy("Work orders")
    menu_order = 210
    url_prefix = "care/work-orders"
    index_view_class = WorkOrderIndexView
    list_display = ["complaint", "support_group", "opened_at", "due_at", "paused_at", "overdue_notified_at", "closed_at"]
    list_filter = ["support_group"]
    form_fields = []

    copy_view_enabled = False

    def get_index_view_kwargs(self, **kwargs):
        return {**super().get_index_view_kwargs(**kwargs), **_LIST_ONLY}

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name in ("index", "index_results")]


class SupportGroupViewSet(ModelViewSet):
    model = SupportGroup
    icon = "group"
    menu_label = gettext_lazy("Support groups")
    menu_order = 220
    url_prefix = "care/support-groups"
    copy_view_enabled = False
    list_display = ["name", "email", "active"]
    form_fields = ["name", "email", "managers", "active"]


# Weekly report -----------------------------------------------------------------------------------


class ComplaintReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "care/complaints/admin_report.html"
    page_title = gettext_lazy("Weekly complaint report")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("care.view_complaint_report"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            day = date.fromisoformat(self.request.GET.get("week", ""))
        except ValueError:
            day = timezone.localdate() - timedelta(days=7)
        week_start = report_services.week_start_of(day)
        context.update({
            "figures": report_services.complaint_weekly_figures(week_start=week_start),
            "previous_week": (week_start - timedelta(days=7)).isoformat(),
            "next_week": (week_start + timedelta(days=7)).isoformat(),
        })
        return context


class ComplaintReportViewSet(ViewSet):
    icon = "doc-full"
    menu_label = gettext_lazy("Complaint report")
    menu_order = 230
    url_prefix = "care/complaint-report"

    def get_urlpatterns(self):
        return [path("", ComplaintReportView.as_view(), name="index")]

    def get_menu_item(self, order=None):
        return _PermissionMenuItem(
            self.menu_label, self.menu_url, name="care-complaint-report", icon_name=self.icon,
            order=self.get_menu_item_order(order), permission="care.view_complaint_report",
        )


# Gift campaigns ----------------------------------------------------------------------------------


class GiftCampaignInspectView(generic.InspectView):
    template_name = "care/campaigns/admin_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.object
        recipients = list(campaign.recipients.select_related("person").order_by("state", "pk"))
        known = {r.person_id for r in recipients}
        selection = campaign_services.campaign_selection(campaign)
        context.update({
            "campaign": campaign,
            "recipients": recipients,
            "selection": selection,
            "new_in_selection": [row for row in selection if row["person"].pk not in known],
            "can_change": self.request.user.has_perm("care.change_giftcampaign"),
            "import_form": forms.CourierImportForm(),
            "states": GiftRecipient.State.choices,
            "reference": campaign_services.recipient_reference,
        })
        return context


def _require(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied


@require_POST
def campaign_launch_view(request, pk):
    _require(request, "care.change_giftcampaign")
    try:
        counts = campaign_services.gift_campaign_launch(campaign_id=pk, acting_user=request.user)
    except CareError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Launched: %(created)s new recipients, %(excluded)s excluded, %(existing)s "
                                    "already there.") % counts)
    return redirect("care_campaigns:inspect", pk)


def campaign_export_view(request, pk):
    _require(request, "care.view_giftcampaign")
    campaign = get_object_or_404(GiftCampaign, pk=pk)
    response = HttpResponse(
        "\ufeff" + campaign_services.gift_shipping_list_csv(campaign_id=campaign.pk), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="shipping-list-{campaign.pk}.csv"'
    return response


@require_POST
def campaign_import_view(request, pk):
    _require(request, "care.change_giftcampaign")
    campaign = get_object_or_404(GiftCampaign, pk=pk)
    form = forms.CourierImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file."))
        return redirect("care_campaigns:inspect", pk)
    try:
        report = campaign_services.gift_shipments_import(
            campaign_id=campaign.pk, data=form.cleaned_data["file"].read(), acting_user=request.user
        )
    except CareError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("%(updated)s updated, %(unchanged)s unchanged, %(rejected)s rejected.") % {
            "updated": report["updated"], "unchanged": report["unchanged"], "rejected": len(report["rejected"])})
        for row in report["rejected"][:20]:
            messages.warning(request, _("Line %(line)s: %(reason)s") % row)
    return redirect("care_campaigns:inspect", pk)


def recipient_letter_view(request, pk, recipient_id):
    _require(request, "care.view_giftrecipient")
    from .pdf import letter_pdf

    recipient = get_object_or_404(GiftRecipient.objects.select_related("person", "campaign"), pk=recipient_id,
                                  campaign_id=pk)
    if recipient.state == GiftRecipient.State.EXCLUDED:
        raise Http404
    response = HttpResponse(letter_pdf(recipient), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{recipient.pk}.pdf"'
    return response


@require_POST
def recipient_state_view(request, pk, recipient_id):
    _require(request, "care.change_giftrecipient")
    recipient = get_object_or_404(GiftRecipient, pk=recipient_id, campaign_id=pk)
    try:
        campaign_services.gift_recipient_set_state(
            recipient_id=recipient.pk, state=request.POST.get("state", ""), acting_user=request.user,
            courier=request.POST.get("courier", "").strip(), tracking=request.POST.get("tracking", "").strip(),
        )
    except (CareError, ValueError) as exc:
        _error(request, exc)
    return redirect("care_campaigns:inspect", pk)


class GiftCampaignViewSet(ModelViewSet):
    model = GiftCampaign
    icon = "pick"
    menu_label = gettext_lazy("Gift campaigns")
    menu_order = 240
    url_prefix = "care/campaigns"
    inspect_view_class = GiftCampaignInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["name", "period_start", "period_end", "audience", "state", "launched_at"]
    list_filter = ["state", "audience"]
    form_fields = ["name", "period_start", "period_end", "audience", "gift_description", "budget", "letter_template"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/launch/", campaign_launch_view, name="launch"),
            path("<int:pk>/shipping-list.csv", campaign_export_view, name="export"),
            path("<int:pk>/import/", campaign_import_view, name="import"),
            path("<int:pk>/letters/<int:recipient_id>.pdf", recipient_letter_view, name="letter"),
            path("<int:pk>/recipients/<int:recipient_id>/state/", recipient_state_view, name="recipient_state"),
        ]


class LetterTemplateViewSet(SnippetViewSet):
    model = LetterTemplate
    icon = "mail"
    menu_label = gettext_lazy("Letter templates")
    menu_order = 250
    url_prefix = "care/letters"
    list_display = ["name", "live"]


# Key-account reports -----------------------------------------------------------------------------


def report_pdf_view(request, pk):
    _require(request, "care.view_keyaccountreport")
    report = get_object_or_404(KeyAccountReport.objects.select_related("organisation"), pk=pk)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="service-report-{report.organisation_id}-{report.month_label}.pdf"'
    return response


class KeyAccountReportIndexView(generic.IndexView):
    def get_edit_url(self, instance):
        return reverse("care_reports:pdf", args=[instance.pk])


class KeyAccountReportViewSet(ModelViewSet):
    model = KeyAccountReport
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Key-account reports")
    menu_order = 260
    url_prefix = "care/key-account-reports"
    index_view_class = KeyAccountReportIndexView
    list_display = ["organisation", "month", "sent_to", "created_at"]
    list_filter = ["month"]
    form_fields = []

    copy_view_enabled = False

    def get_index_view_kwargs(self, **kwargs):
        return {**super().get_index_view_kwargs(**kwargs), **_LIST_ONLY}

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name in ("index", "index_results")] + [
            path("<int:pk>/pdf/", report_pdf_view, name="pdf"),
        ]


def complaint_viewsets():
    """The viewsets this module adds to the "Customer care" menu group."""
    return [
        ComplaintViewSet("care_complaints"),
        WorkOrderViewSet("care_workorders"),
        SupportGroupViewSet("care_support_groups"),
        ComplaintReportViewSet("care_complaint_report"),
        GiftCampaignViewSet("care_campaigns"),
        LetterTemplateViewSet(),
        KeyAccountReportViewSet("care_reports"),
    ]


def register_log_actions(actions):
    from .services.campaigns import LOG_ACTIONS as CAMPAIGN_ACTIONS
    from .services.complaints import LOG_ACTIONS as COMPLAINT_ACTIONS

    for code, (label, message) in {**COMPLAINT_ACTIONS, **CAMPAIGN_ACTIONS}.items():
        actions.register_action(code, label, message)
