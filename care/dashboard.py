"""Dashboard panels for care staff (their queue and their own calls) and care managers (SLA breaches,
complaints, time to resolve, post-complaint satisfaction, gift campaigns). Every figure and every bar
or point links to the admin listing of the rows behind it."""

from datetime import datetime, time, timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from home.dashboard import (
    HOURS,
    PERCENT,
    DashboardPanel,
    Figure,
    PanelData,
    Series,
    bucket_counts,
    bucket_sums,
    change_text,
    list_url,
    range_params,
)
from home.registry import dashboard_panels

from . import selectors
from .models import Call, Complaint, DayCount, GiftCampaign, GiftRecipient, SatisfactionRating, WorkOrder


def _zeros(period):
    return [0] * len(period.buckets)


def _day_counts(measure, period, **filters):
    """The per-day counts (``DayCount``) of ``measure`` on the days of ``period``."""
    return DayCount.objects.filter(measure=measure, day__gte=timezone.localtime(period.start).date(),
                                   day__lte=timezone.localtime(period.end).date(), **filters)


def _per_day(day_counts, *groups):
    """Rows with ``day``, ``groups``, ``n`` and ``hours``, for ``bucket_sums``."""
    return day_counts.values("day", *groups).annotate(n=Sum("n"), hours=Sum("hours")).order_by()


def _start_of(day):
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class MyCallsPanel(DashboardPanel):
    key = "care-my-calls"
    title = gettext_lazy("My calls")
    permission = "care.work_call"
    order = 1

    def get_data(self):
        user = self.request.user
        completed = bucket_sums(
            _per_day(_day_counts(DayCount.Measure.CALLS_COMPLETED, self.period, assignee=user)), self.period)
        done = {"assignee": user.pk, "state": Call.State.CLOSED, "disposition": Call.Disposition.COMPLETED}
        series = [Series(_("Completed calls"), completed, links=self.links("care_calls:index", "closed_at", **done))]
        if not self.detailed:
            return PanelData(labels=self.period.labels, series=series)
        today = timezone.localdate()
        monday = today - timedelta(days=today.weekday())
        tomorrow = _start_of(today + timedelta(days=1))
        mine = {"assignee": user.pk, "state": Call.State.OPEN}
        week = _start_of(monday)
        # The queue, from the (assignee, state, deadline, due_at) index alone:
        figures = Call.objects.filter(assignee=user, state=Call.State.OPEN).aggregate(
            # (counting a column of the index, never null, so that the table itself is not read)
            due_today=Count("deadline", filter=Q(due_at__lt=tomorrow, deadline__gte=today)),
            overdue=Count("deadline", filter=Q(deadline__lt=today)),
        )
        figures["this_week"] = DayCount.objects.filter(
            measure=DayCount.Measure.CALLS_COMPLETED, assignee=user, day__gte=monday).aggregate(n=Sum("n"))["n"] or 0
        return PanelData(
            labels=self.period.labels,
            series=series,
            summary=[
                Figure(_("overdue"), figures["overdue"],
                       list_url("care_calls:index", **mine, deadline__lt=today.isoformat())),
                Figure(_("due today"), figures["due_today"],
                       list_url("care_calls:index", **mine, deadline__gte=today.isoformat(),
                                due_at__lt=timezone.localtime(tomorrow).strftime("%Y-%m-%d %H:%M:%S"))),
                Figure(_("completed this week"), figures["this_week"],
                       list_url("care_calls:index", **done, **range_params("closed_at", week, tomorrow))),
            ],
        )


class SlaPanel(DashboardPanel):
    key = "care-sla"
    title = gettext_lazy("Work orders: SLA breaches")
    permission = "care.view_complaint_report"
    order = 39

    def get_data(self):
        now = timezone.now()
        late = Q(closed_at__gt=F("due_at")) | Q(closed_at__isnull=True, paused_at__isnull=True, due_at__lt=now)
        orders = WorkOrder.objects.filter(due_at__lte=now)
        breached = Series(_("SLA breached"), bucket_counts(orders.filter(late), "due_at", self.period),
                          links=self.links("care_workorders:index", "due_at", breached="true", open="0"))
        if not self.detailed:  # the comparison is of the first series
            return PanelData(labels=self.period.labels, series=[breached])
        due = bucket_counts(orders, "due_at", self.period)
        open_now = WorkOrder.objects.filter(closed_at__isnull=True, paused_at__isnull=True, due_at__lt=now).count()
        return PanelData(
            labels=self.period.labels,
            series=[breached,
                    Series(_("Work orders due"), due, links=self.links("care_workorders:index", "due_at", open="0"))],
            summary=[Figure(_("open work orders past their SLA now"), open_now,
                            list_url("care_workorders:index", breached="true", open="1"))],
        )


class ComplaintsPanel(DashboardPanel):
    key = "care-complaints"
    title = gettext_lazy("Complaints by category")
    permission = "care.view_complaint_report"
    order = 40

    def get_data(self):
        received = DayCount.Measure.COMPLAINTS_RECEIVED
        complaint = Complaint.Kind.COMPLAINT
        counts = bucket_sums(_per_day(_day_counts(received, self.period, kind=complaint), "category"), self.period,
                             group_by="category")
        series = [
            Series(str(label), counts[value], links=self.links("care_complaints:index", "received_at",
                                                          kind=Complaint.Kind.COMPLAINT, category=value))
            for value, label in Complaint.Category.choices if value in counts
        ]
        by_line = (
            _day_counts(received, self.period, kind=complaint)
            .values("product_line_id", "product_line__name_zh_hans", "product_line__name_en")
            .annotate(n=Sum("n"))
            .order_by("-n", "product_line_id")
        )
        name = "product_line__name_en" if (get_language() or "").startswith("en") else "product_line__name_zh_hans"
        window = range_params("received_at", self.period.start, self.period.ranges[-1][1])
        total = sum(sum(s.values) for s in series)
        return PanelData(
            labels=self.period.labels,
            series=series or [Series(_("Complaints"), _zeros(self.period))],
            comparison=self._compare_total(total),
            summary=[Figure(_("complaints in this period"), total,
                            list_url("care_complaints:index", kind=Complaint.Kind.COMPLAINT, **window))]
            + [Figure(row[name] or _("no product line"), row["n"],
                      list_url("care_complaints:index", kind=Complaint.Kind.COMPLAINT, product_line=row["product_line_id"],
                               **window) if row["product_line_id"] else "")
               for row in by_line],
        )

    def _compare_total(self, total):
        before = self.period.previous()
        previous = DayCount.objects.filter(
            measure=DayCount.Measure.COMPLAINTS_RECEIVED, kind=Complaint.Kind.COMPLAINT,
            day__gte=timezone.localtime(before.start).date(), day__lt=timezone.localtime(self.period.start).date(),
        ).aggregate(n=Sum("n"))["n"] or 0
        return change_text(_("Complaints"), total, previous, self.period.key)


class ResolutionPanel(DashboardPanel):
    key = "care-resolution"
    title = gettext_lazy("Complaints resolved and time to resolve")
    permission = "care.view_complaint_report"
    order = 41

    def get_data(self):
        days = list(_per_day(_day_counts(DayCount.Measure.COMPLAINTS_RESOLVED, self.period)))
        counts, hours = bucket_sums(days, self.period), bucket_sums(days, self.period, value="hours")
        # No complaint resolved in a bucket is a gap in the line, not 0 hours.
        average = [round(h / n, 1) if n else None for h, n in zip(hours, counts, strict=True)]
        series = [Series(_("Complaints resolved"), counts, chart="bar",
                         links=self.links("care_complaints:index", "resolved_at")),
                  Series(_("Hours to resolve (average)"), average, unit=HOURS, chart="line")]
        if not self.detailed:
            return PanelData(labels=self.period.labels, series=series)
        coverage = selectors.six_month_coverage()
        return PanelData(
            labels=self.period.labels,
            series=series,
            summary=[Figure(_("six-month callback coverage"), f"{round(100 * (coverage['share'] or 0))}%")],
        )


class SatisfactionPanel(DashboardPanel):
    key = "care-csat"
    title = gettext_lazy("Satisfaction after complaints (CSAT)")
    permission = "care.view_complaint_report"
    order = 42

    def get_data(self):
        rated = SatisfactionRating.objects.filter(complaint__isnull=False).annotate(
            happy=ExpressionWrapper(Q(score__gte=4), output_field=BooleanField())
        )
        by_happiness = bucket_counts(rated, "created_at", self.period, group_by="happy")
        happy = by_happiness.get(True, _zeros(self.period))
        ratings = [h + u for h, u in zip(happy, by_happiness.get(False, _zeros(self.period)), strict=True)]
        # No rating in a bucket is a gap in the line, not 0%.
        csat = [round(100 * h / r) if r else None for h, r in zip(happy, ratings, strict=True)]
        series = [
            Series(_("Ratings after a complaint"), ratings, chart="bar",
                   links=self.links("care_ratings:index", "created_at", complaint__isnull="false")),
            Series(_("CSAT (share rating 4-5)"), csat, unit=PERCENT, chart="line",
                   links=self.links("care_ratings:index", "created_at", complaint__isnull="false", score__gte=4)),
        ]
        if not self.detailed:
            return PanelData(labels=self.period.labels, series=series)
        overall = selectors.csat(since=self.period.start, ratings=SatisfactionRating.objects.filter(complaint__isnull=False))
        response = selectors.survey_response_rate(since=self.period.start)
        return PanelData(
            labels=self.period.labels,
            series=series,
            summary=[
                Figure(_("CSAT after complaints in this period"),
                       "—" if overall["share"] is None else f"{round(100 * overall['share'])}%"),
                Figure(_("survey response rate"), "—" if response["share"] is None
                       else f"{round(100 * response['share'])}% ({response['answered']}/{response['sent']})"),
            ],
        )


class GiftFulfilmentPanel(DashboardPanel):
    key = "care-gifts"
    title = gettext_lazy("Gift campaigns: fulfilment")
    permission = "care.view_complaint_report"
    order = 43
    over_time = False

    def get_data(self):
        rows = list(
            GiftRecipient.objects.filter(campaign__state=GiftCampaign.State.LAUNCHED)
            .values("campaign_id", "campaign__name", "state")
            .annotate(n=Count("pk"))
            .order_by("campaign__name")
        )
        campaigns = sorted({(row["campaign__name"], row["campaign_id"]) for row in rows})
        table = {(row["campaign_id"], row["state"]): row["n"] for row in rows}
        series = [
            Series(str(label), [table.get((pk, value), 0) for _name, pk in campaigns],
                   links=[reverse("care_campaigns:edit", args=[pk]) for _name, pk in campaigns])
            for value, label in GiftRecipient.State.choices
        ]
        total = sum(table.values())
        delivered = sum(n for (_pk, state), n in table.items() if state == GiftRecipient.State.DELIVERED)
        return PanelData(
            labels=[name for name, _pk in campaigns], series=[s for s in series if any(s.values)] or series[:1],
            comparison=_("Campaigns running now (not tied to the period): %(done)s of %(total)s gifts "
                         "delivered.") % {"done": delivered, "total": total},
        )


for panel in (MyCallsPanel, SlaPanel, ComplaintsPanel, ResolutionPanel, SatisfactionPanel, GiftFulfilmentPanel):
    dashboard_panels.register(panel.key, panel)
