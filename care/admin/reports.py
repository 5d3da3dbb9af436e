"""Admin screens of reports: the weekly complaint report and the monthly key-account reports."""

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

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

from home.csv import csv_download
from home.dashboard import list_url, range_params

from .. import selectors
from ..models import KeyAccountReport
from ..pdf import complaint_week_pdf
from ..services import CareError
from ..services import reports as report_services
from .base import ListOnlyViewSet, PermissionMenuItem

# Weekly report -----------------------------------------------------------------------------------


def _week_asked(request) -> date:
    """The Monday of the week asked for (``?week=2026-W47`` from the week picker, or any day as
    ``2026-11-16``); the last full week when none is given or it cannot be read (with a message)."""
    text = request.GET.get("week", "").strip()
    default = report_services.last_full_week()
    if not text:
        return default
    try:
        if "-W" in text.upper():
            year, week = text.upper().split("-W")
            day = date.fromisocalendar(int(year), int(week), 1)
        else:
            day = date.fromisoformat(text)
    except ValueError:
        messages.error(request, _("“%(week)s” is not a week: choose one in the week field.") % {"week": text[:20]})
        return default
    monday = report_services.week_start_of(day)
    if monday > report_services.week_start_of(timezone.localdate()):
        messages.error(request, _("That week has not begun yet; showing the last full week."))
        return default
    return monday


def _report_figures(request):
    if not request.user.has_perm("care.view_complaint_report"):
        raise PermissionDenied
    week_start = _week_asked(request)
    return report_services.complaint_weekly_figures(
        week_start=week_start, complaints=selectors.complaints_visible_to(request.user)
    )


def _received_range(week_start: str) -> dict:
    monday = date.fromisoformat(week_start)
    return range_params("received_at", _local_midnight(monday), _local_midnight(monday + timedelta(days=7)))


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)))


class ComplaintReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "care/complaints/admin_report.html"
    page_title = gettext_lazy("Weekly complaint analysis")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = _report_figures(self.request)
        received = _received_range(figures["week_start"])
        for row in figures["by_category"]:
            row["link"] = list_url("care_complaints:index", category=row["value"], **received)
        for row in figures["by_product_line"]:
            row["link"] = list_url("care_complaints:index", product_line=row["value"], **received) if row["value"] else ""
        for week in figures["trend"]:
            week["link"] = list_url("care_complaints:index", **_received_range(week["week_start"]))
            week["report"] = f"?week={week['week_start']}"
        monday = date.fromisoformat(figures["week_start"])
        following = monday + timedelta(days=7)
        context.update({
            "figures": figures,
            "received_link": list_url("care_complaints:index", **received),
            "previous_week": (monday - timedelta(days=7)).isoformat(),
            "next_week": following.isoformat() if following <= report_services.week_start_of(timezone.localdate()) else "",
            "picker_value": figures["week_label"],
            "picker_max": _iso_week(timezone.localdate()),
            "chart": _trend_chart(figures),
            "trend_weeks": report_services.TREND_WEEKS,
            "query": urlencode({"week": figures["week_start"]}),
        })
        return context


def _iso_week(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _trend_chart(figures: dict) -> dict:
    """What home/static/home/js/dashboard.js draws: bars received, lines open and overdue at week end."""
    trend = figures["trend"]
    links = [week["link"] for week in trend]
    return {
        "title": str(_("Trend")), "labels": [week["label"] for week in trend], "chart": "bar",
        "units": [{"unit": "count", "name": str(_("complaints"))}],
        "series": [
            {"name": str(_("Received")), "values": [w["received"] for w in trend], "unit": "count", "links": links,
             "chart": "bar"},
            {"name": str(_("Open at week end")), "values": [w["open"] for w in trend], "unit": "count", "links": [],
             "chart": "line"},
            {"name": str(_("Overdue at week end")), "values": [w["overdue"] for w in trend], "unit": "count",
             "links": [], "chart": "line"},
        ],
        "empty": str(_("no data")),
    }


def _csv_rows(figures: dict) -> list[list]:
    """One row per complaint the report speaks of: received that week, or still open at its end."""
    header = [_("Complaint no."), _("Received at"), _("Customer"), _("Kind"), _("Category"), _("Product line"), _("Priority"),
              _("Status at week end"), _("SLA at week end"), _("Resolution due"), _("Received this week"),
              _("Open at week end"), _("Summary")]
    week_refs = {row["reference"] for row in figures["items"]}
    open_refs = {row["reference"] for row in figures["open_items"]}
    rows = figures["items"] + [row for row in figures["open_items"] if row["reference"] not in week_refs]
    yes, no = _("yes"), _("no")
    return [header] + [
        [row["reference"], row["received_at"], row["customer"], row["kind"], row["category"], row["product_line"],
         row["priority"], row["state"], row["sla_label"], row["resolution_due_at"],
         yes if row["reference"] in week_refs else no, yes if row["reference"] in open_refs else no, row["summary"]]
        for row in rows
    ]


def complaint_report_csv_view(request):
    figures = _report_figures(request)
    return csv_download(f"complaints-{figures['week_label']}.csv", _csv_rows(figures))


def complaint_report_pdf_view(request):
    figures = _report_figures(request)
    response = HttpResponse(complaint_week_pdf(figures), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="complaints-{figures["week_label"]}.pdf"'
    return response


class ComplaintReportViewSet(ViewSet):
    icon = "doc-full"
    menu_label = gettext_lazy("Complaint report")
    menu_order = 230
    url_prefix = "care/complaint-report"

    def get_urlpatterns(self):
        return [path("", ComplaintReportView.as_view(), name="index"),
                path("csv/", complaint_report_csv_view, name="csv"),
                path("pdf/", complaint_report_pdf_view, name="pdf")]

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
