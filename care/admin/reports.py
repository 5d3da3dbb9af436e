"""Admin screens of reports: the weekly complaint report and the monthly key-account reports."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from ..models import KeyAccountReport
from ..services import CareError
from ..services import reports as report_services
from .base import ListOnlyViewSet, PermissionMenuItem

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
        return PermissionMenuItem(
            self.menu_label, self.menu_url, name="care-complaint-report", icon_name=self.icon,
            order=self.get_menu_item_order(order), permission="care.view_complaint_report",
        )

# Key-account reports -----------------------------------------------------------------------------


def report_pdf_view(request, pk):
    if not request.user.has_perm("care.view_keyaccountreport"):
        raise PermissionDenied
    report = get_object_or_404(KeyAccountReport.objects.select_related("organisation"), pk=pk)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="service-report-{report.organisation_id}-{report.month_label}.pdf"'
    return response


@require_POST
def report_generate_view(request, organisation_id):
    """A key account's report on demand (the customer page's button): generated once per month, emailed."""
    if not request.user.has_perm("care.add_keyaccountreport"):
        raise PermissionDenied
    try:
        month = date.fromisoformat(f"{request.POST.get('month', '')}-01")
    except ValueError:
        messages.error(request, _("Give the month as YYYY-MM."))
        return redirect("care_reports:index")
    try:
        report = report_services.key_account_report_generate(organisation_id=organisation_id, month=month)
    except CareError as exc:
        messages.error(request, str(exc))
        return redirect("care_reports:index")
    messages.success(request, _("The service report for %(month)s is ready.") % {"month": f"{month:%Y-%m}"})
    return redirect("care_reports:pdf", report.pk)


class KeyAccountReportIndexView(generic.IndexView):
    def get_edit_url(self, instance):
        return reverse("care_reports:pdf", args=[instance.pk])


class KeyAccountReportViewSet(ListOnlyViewSet):
    model = KeyAccountReport
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Key-account reports")
    menu_order = 260
    url_prefix = "care/key-account-reports"
    index_view_class = KeyAccountReportIndexView
    list_display = ["organisation", "month", "sent_to", "created_at"]
    list_filter = ["month"]

    def extra_urlpatterns(self):
        return [path("<int:pk>/pdf/", report_pdf_view, name="pdf"),
                path("generate/<int:organisation_id>/", report_generate_view, name="generate")]
