"""Dashboard panels for editors: how each issue did, helpful votes, subscriber growth."""

from django.db.models import Count, Q
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from home.dashboard import DashboardPanel, PanelData, bucket_counts
from home.models import Language
from home.registry import dashboard_panels

from .models import Delivery, IssuePage, Recipient, SectionAnswer, Subscriber


class JournalPanel(DashboardPanel):
    """The journal's panels are for those who send issues."""

    permission = "newsletter.send_issue"


class IssuePerformancePanel(JournalPanel):
    key = "journal-issues"
    title = gettext_lazy("E-journal: results per issue")
    order = 10

    def get_data(self):
        rows = (
            Recipient.objects.filter(delivery__created_at__gte=self.period.start)
            .exclude(delivery__state=Delivery.State.CANCELLED)
            .values("delivery__issue_key")
            .annotate(
                delivered=Count("pk", filter=Q(state=Recipient.State.SENT)),
                failed=Count("pk", filter=Q(state=Recipient.State.FAILED)),
                opens=Count("pk", filter=Q(opened_at__isnull=False)),
                clicks=Count("pk", filter=Q(clicked_at__isnull=False)),
                replies=Count("pk", filter=Q(replied_at__isnull=False)),
                unsubscribes=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
            )
            .order_by("delivery__issue_key")
        )
        rows = list(rows)
        titles = dict(
            IssuePage.objects.filter(translation_key__in=[r["delivery__issue_key"] for r in rows])
            .order_by("translation_key", "-locale__language_code")
            .values_list("translation_key", "title")
        )
        labels = [titles.get(r["delivery__issue_key"], "?") for r in rows]
        names = [("delivered", _("Delivered")), ("opens", _("Unique opens")), ("clicks", _("Clicked")),
                 ("replies", _("Replies")), ("unsubscribes", _("Unsubscribes"))]
        series = [(label, [r[key] for r in rows]) for key, label in names]
        table = [[labels[i], *[r[key] for key, _label in names], r["failed"]] for i, r in enumerate(rows)]
        return PanelData(labels=labels, series=series, columns=[_("Issue"), *[n for _k, n in names], _("Failed")],
                         rows=table)


class HelpfulVotesPanel(JournalPanel):
    key = "journal-helpful"
    title = gettext_lazy("E-journal: “was this helpful?” answers per section")
    order = 11

    def get_data(self):
        answers = list(
            SectionAnswer.objects.filter(created_at__gte=self.period.start)
            .values("issue_id", "issue__title", "block_id", "choice")
            .annotate(n=Count("pk"))
            .order_by("issue_id", "block_id")
        )
        sections = {}
        for row in answers:
            label = f"{row['issue__title']} · {row['block_id'][:6]}"
            sections.setdefault(label, {})[row["choice"]] = row["n"]
        labels = list(sections)
        yes = [sections[label].get("yes", 0) for label in labels]
        no = [sections[label].get("no", 0) for label in labels]
        other = [sum(v for k, v in sections[label].items() if k not in ("yes", "no")) for label in labels]
        series = [(_("Helpful"), yes), (_("Not helpful"), no)]
        if any(other):
            series.append((_("Poll answers"), other))
        return PanelData(labels=labels, series=series)


class SubscriberGrowthPanel(JournalPanel):
    key = "journal-subscribers"
    title = gettext_lazy("E-journal: new subscribers by language")
    chart = "line"
    order = 12

    def get_data(self):
        counts = bucket_counts(Subscriber.objects.all(), "confirmed_at", self.period, group_by="language")
        empty = [0] * len(self.period.buckets)
        series = [(str(label), counts.get(code, empty)) for code, label in Language.choices]
        active = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE)
        english = (get_language() or "").startswith("en")
        name_field = "product_lines__name_en" if english else "product_lines__name_zh_hans"
        per_line = active.values(name_field).annotate(n=Count("pk")).order_by("product_lines__sort_order")
        summary = [(_("active subscribers"), active.count())]
        summary += [(row[name_field] or _("no product line chosen"), row["n"]) for row in per_line]
        return PanelData(labels=self.period.labels, series=series, summary=summary)


PANELS = (IssuePerformancePanel, HelpfulVotesPanel, SubscriberGrowthPanel)


class KnowledgePanel(JournalPanel):
    key = "journal-knowledge"
    title = gettext_lazy("Knowledge base: searches, helpful answers and complaints after suggestions")
    order = 13

    def get_data(self):
        from .selectors import knowledge_figures

        figures = knowledge_figures(since=self.period.start)
        helpful = figures["most_helpful"]
        rows = [[_("Searched, no article found"), t.query, t.without_articles] for t in figures["no_result_terms"]]
        rows += [[_("Most helpful"), a["title"], f"{a['yes']} / {a['no']}"] for a in helpful]
        rows += [[_("Least helpful"), a["title"], f"{a['yes']} / {a['no']}"] for a in figures["least_helpful"]]
        summary = [(_("complaint forms with suggested articles"), figures["suggested"]),
                   (_("sent anyway after the suggestions"), figures["submitted_after"])]
        return PanelData(
            labels=[a["title"] for a in helpful],
            series=[(_("Helpful"), [a["yes"] for a in helpful]), (_("Not helpful"), [a["no"] for a in helpful])],
            columns=[_("Figure"), _("Term or article"), _("Count (helpful / not helpful)")],
            rows=rows, summary=summary,
        )


for panel in (*PANELS, KnowledgePanel):
    dashboard_panels.register(panel.key, panel)
