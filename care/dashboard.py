"""Dashboard panels for care staff (their own calls) and care managers (complaints, coverage,
satisfaction, gift campaigns)."""

from datetime import timedelta

from django.db.models import Avg, BooleanField, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from home.dashboard import DashboardPanel, PanelData, bucket_counts
from home.registry import dashboard_panels

from . import selectors
from .models import Call, Complaint, GiftCampaign, GiftRecipient, SatisfactionRating, WorkOrder


def _zeros(period):
    return [0] * len(period.buckets)


class MyCallsPanel(DashboardPanel):
    key = "care-my-calls"
    title = gettext_lazy("My calls")
    permission = "care.work_call"
    order = 30

    def get_data(self):
        user = self.request.user
        completed = bucket_counts(
            Call.objects.filter(assignee=user, state=Call.State.CLOSED, disposition=Call.Disposition.COMPLETED),
            "closed_at", self.period,
        )
        today = timezone.localdate()
        monday = today - timedelta(days=today.weekday())
        figures = Call.objects.filter(
            Q(state=Call.State.OPEN) | Q(state=Call.State.CLOSED, closed_at__date__gte=monday), assignee=user
        ).aggregate(
            due_today=Count("pk", filter=Q(state=Call.State.OPEN, due_at__date__lte=today, deadline__gte=today)),
            overdue=Count("pk", filter=Q(state=Call.State.OPEN, deadline__lt=today)),
            this_week=Count("pk", filter=Q(state=Call.State.CLOSED, disposition=Call.Disposition.COMPLETED,
                                           closed_at__date__gte=monday)),
        )
        return PanelData(
            labels=self.period.labels,
            series=[(_("Completed calls"), completed)],
            summary=[(_("due today"), figures["due_today"]), (_("overdue"), figures["overdue"]),
                     (_("completed this week"), figures["this_week"])],
        )


class ComplaintsPanel(DashboardPanel):
    key = "care-complaints"
    title = gettext_lazy("Complaints by category")
    permission = "care.view_complaint_report"
    order = 40

    def get_data(self):
        complaints = Complaint.objects.filter(kind=Complaint.Kind.COMPLAINT)
        counts = bucket_counts(complaints, "received_at", self.period, group_by="category")
        series = [(str(label), counts[value]) for value, label in Complaint.Category.choices if value in counts]
        by_line = (
            complaints.filter(received_at__gte=self.period.start)
            .values("product_line__name_zh_hans", "product_line__name_en")
            .annotate(n=Count("pk"))
            .order_by("-n")
        )
        name = "product_line__name_en" if (get_language() or "").startswith("en") else "product_line__name_zh_hans"
        overdue = WorkOrder.objects.filter(closed_at__isnull=True, paused_at__isnull=True, due_at__lt=timezone.now()).count()
        return PanelData(
            labels=self.period.labels,
            series=series or [(_("Complaints"), _zeros(self.period))],
            summary=[(_("overdue work orders"), overdue)]
            + [(row[name] or _("no product line"), row["n"]) for row in by_line],
        )


class ResolutionPanel(DashboardPanel):
    key = "care-resolution"
    title = gettext_lazy("Time to resolve, callback coverage and satisfaction")
    permission = "care.view_complaint_report"
    chart = "line"
    order = 41

    def get_data(self):
        trunc = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}[self.period.unit]
        per_bucket = (
            Complaint.objects.filter(resolved_at__gte=self.period.start, resolved_at__lte=self.period.end)
            .annotate(bucket=trunc("resolved_at", tzinfo=timezone.get_current_timezone()))
            .values("bucket")
            .annotate(n=Count("pk"), took=Avg(ExpressionWrapper(F("resolved_at") - F("received_at"),
                                                                output_field=DurationField())))
            .order_by()
        )
        index = {start: i for i, (start, _label) in enumerate(self.period.buckets)}
        average, counts = _zeros(self.period), _zeros(self.period)
        for row in per_bucket:
            i = index.get(timezone.localtime(row["bucket"]).date())
            if i is not None:
                average[i] = round(row["took"].total_seconds() / 3600, 1)
                counts[i] = row["n"]
        rated = SatisfactionRating.objects.annotate(
            happy=ExpressionWrapper(Q(score__gte=4), output_field=BooleanField())
        )
        by_happiness = bucket_counts(rated, "created_at", self.period, group_by="happy")
        happy = by_happiness.get(True, _zeros(self.period))
        ratings = [h + u for h, u in zip(happy, by_happiness.get(False, _zeros(self.period)), strict=True)]
        csat = [round(100 * h / r) if r else 0 for h, r in zip(happy, ratings, strict=True)]
        coverage = selectors.six_month_coverage()
        overall = selectors.csat(since=self.period.start)
        surveys = selectors.survey_response_rate(since=self.period.start)
        return PanelData(
            labels=self.period.labels,
            series=[(_("Hours to resolve (average)"), average), (_("CSAT (% rating 4-5)"), csat)],
            summary=[
                (_("six-month callback coverage"), f"{round(100 * (coverage['share'] or 0))}%"),
                (_("CSAT in this period"), f"{round(100 * (overall['share'] or 0))}%"),
                (_("ratings in this period"), overall["ratings"]),
                (_("survey response rate"), f"{round(100 * (surveys['share'] or 0))}% "
                                            f"({surveys['answered']}/{surveys['sent']})"),
                (_("complaints resolved in this period"), sum(counts)),
            ],
        )


class GiftFulfilmentPanel(DashboardPanel):
    key = "care-gifts"
    title = gettext_lazy("Gift campaigns: fulfilment")
    permission = "care.view_complaint_report"
    order = 42

    def get_data(self):
        rows = list(
            GiftRecipient.objects.filter(campaign__state=GiftCampaign.State.LAUNCHED)
            .values("campaign__name", "state")
            .annotate(n=Count("pk"))
            .order_by("campaign__name")
        )
        campaigns = sorted({row["campaign__name"] for row in rows})
        table = {(row["campaign__name"], row["state"]): row["n"] for row in rows}
        series = [
            (str(label), [table.get((name, value), 0) for name in campaigns])
            for value, label in GiftRecipient.State.choices
        ]
        return PanelData(labels=campaigns, series=[s for s in series if any(s[1])] or series[:1])


for panel in (MyCallsPanel, ComplaintsPanel, ResolutionPanel, GiftFulfilmentPanel):
    dashboard_panels.register(panel.key, panel)
