"""Dashboard panels for editors: the last issue against the one before, how each issue did, helpful
answers per section (named by the section's heading), subscriber growth."""

from django.db.models import Count, Q
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from home.dashboard import DashboardPanel, Figure, PanelData, Series, bucket_counts, list_url, range_params
from home.models import Language
from home.registry import dashboard_panels

from .models import Delivery, IssuePage, Recipient, SectionAnswer, Subscriber
from .selectors import knowledge_figures, section_titles

ANSWERS = "journal_answers:index"


class JournalPanel(DashboardPanel):
    """The journal's panels are for those who send issues."""

    permission = "newsletter.send_issue"


def _answer_series(sections, links_for):
    """Helpful / not helpful / poll answers per section: {label: {choice: n}} -> [Series]."""
    labels = list(sections)
    def values(pick):
        return [pick(sections[label]["choices"]) for label in labels]
    series = [
        Series(_("Helpful"), values(lambda c: c.get("yes", 0)), links=links_for(labels, choice="yes")),
        Series(_("Not helpful"), values(lambda c: c.get("no", 0)), links=links_for(labels, choice="no")),
    ]
    other = values(lambda c: sum(v for k, v in c.items() if k not in ("yes", "no")))
    if any(other):
        series.append(Series(_("Poll answers"), other, links=links_for(labels)))
    return labels, series


def _group_answers(rows):
    """{"issue · section" (or the section alone, for one issue): {"issue", "block", "choices"}}, named in
    the dashboard's language."""
    titles = section_titles(issue_ids={row["issue_id"] for row in rows}, language=get_language())
    sections = {}
    for row in rows:
        title, names = titles.get(row["issue_id"], ("", {}))
        name = names.get(row["block_id"]) or _("a section since removed")
        label = name if len(titles) == 1 else f"{title} · {name}"
        entry = sections.setdefault(label, {"issue": row["issue_id"], "block": row["block_id"], "choices": {}})
        entry["choices"][row["choice"]] = entry["choices"].get(row["choice"], 0) + row["n"]
    return sections


class LastIssuePanel(JournalPanel):
    key = "journal-last-issue"
    title = gettext_lazy("E-journal: the last issue, section by section")
    order = 9
    over_time = False

    def get_data(self):
        keys = list(
            Delivery.objects.exclude(state=Delivery.State.CANCELLED).values_list("issue_key", flat=True)
            .order_by("-created_at").distinct()[:20]
        )
        keys = list(dict.fromkeys(keys))[:2]
        figures = {
            row["issue_key"]: row for row in Recipient.objects.filter(issue_key__in=keys).values("issue_key").annotate(
                delivered=Count("pk", filter=Q(state=Recipient.State.SENT)),
                opens=Count("pk", filter=Q(opened_at__isnull=False)),
                clicks=Count("pk", filter=Q(clicked_at__isnull=False)),
                replies=Count("pk", filter=Q(replied_at__isnull=False)),
                unsubscribes=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
            ).order_by()
        }
        last, before = (figures.get(k, {}) for k in (keys + [None, None])[:2])
        names = [("delivered", _("delivered")), ("opens", _("opened")), ("clicks", _("clicked a link")),
                 ("replies", _("replied")), ("unsubscribes", _("unsubscribed"))]
        summary = [Figure(label, last.get(key, 0), previous=before.get(key) if before else None) for key, label in names]
        pages = IssuePage.objects.filter(translation_key=keys[0]) if keys else IssuePage.objects.none()
        rows = list(
            SectionAnswer.objects.filter(issue__in=pages).values("issue_id", "block_id", "choice")
            .annotate(n=Count("pk")).order_by("issue_id", "block_id")
        )
        sections = _group_answers(rows)

        def links_for(labels, **params):
            return [list_url(ANSWERS, issue=sections[label]["issue"], block_id=sections[label]["block"], **params)
                    for label in labels]

        labels, series = _answer_series(sections, links_for)
        title = pages.filter(locale__language_code=get_language()).values_list("title", flat=True).first() or (
            pages.values_list("title", flat=True).first())
        rate = round(100 * last.get("opens", 0) / last["delivered"]) if last.get("delivered") else None
        before_rate = round(100 * before["opens"] / before["delivered"]) if before and before.get("delivered") else None
        comparison = _("%(title)s: %(rate)s opened (the issue before: %(before)s).") % {
            "title": title or _("no issue sent yet"), "rate": "—" if rate is None else f"{rate}%",
            "before": "—" if before_rate is None else f"{before_rate}%"}
        return PanelData(labels=labels, series=series, summary=summary, comparison=comparison)


class IssuePerformancePanel(JournalPanel):
    key = "journal-issues"
    title = gettext_lazy("E-journal: results per issue")
    order = 10
    over_time = False

    def get_data(self):
        rows = list(
            Recipient.objects.filter(delivery__created_at__gte=self.period.start,
                                     delivery__created_at__lte=self.period.end)
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
        names = [("delivered", _("Delivered")), ("opens", _("Unique opens")), ("clicks", _("Clicked")),
                 ("replies", _("Replies")), ("unsubscribes", _("Unsubscribes"))]
        series = [Series(label, [r[key] for r in rows]) for key, label in names]
        if not self.detailed:
            return PanelData(labels=[], series=series)
        titles = {}  # each issue by its title in the dashboard's language, else in the other one
        for key, language, title in (IssuePage.objects.filter(translation_key__in=[r["delivery__issue_key"] for r in rows])
                                     .values_list("translation_key", "locale__language_code", "title")):
            if key not in titles or language == get_language():
                titles[key] = title
        labels = [titles.get(r["delivery__issue_key"], "?") for r in rows]
        table = [[labels[i], *[r[key] for key, _label in names], r["failed"]] for i, r in enumerate(rows)]
        return PanelData(labels=labels, series=series, columns=[_("Issue"), *[n for _k, n in names], _("Failed")],
                         rows=table)


class HelpfulVotesPanel(JournalPanel):
    key = "journal-helpful"
    title = gettext_lazy("E-journal: “was this helpful?” answers per section")
    order = 11
    over_time = False

    def get_data(self):
        window = range_params("created_at", self.period.start, self.period.ranges[-1][1])
        rows = list(
            SectionAnswer.objects.filter(created_at__gte=self.period.start, created_at__lte=self.period.end)
            .values("issue_id", "block_id", "choice")
            .annotate(n=Count("pk"))
            .order_by("issue_id", "block_id")
        )
        if not self.detailed:  # the previous period's totals: no need to name the sections
            return PanelData(labels=[], series=[Series(_("Helpful"), [sum(r["n"] for r in rows if r["choice"] == "yes")])])
        sections = _group_answers(rows)

        def links_for(labels, **params):
            return [list_url(ANSWERS, issue=sections[label]["issue"], block_id=sections[label]["block"], **window,
                             **params) for label in labels]

        labels, series = _answer_series(sections, links_for)
        return PanelData(labels=labels, series=series)


class SubscriberGrowthPanel(JournalPanel):
    key = "journal-subscribers"
    title = gettext_lazy("E-journal: new subscribers by language")
    chart = "line"
    order = 12

    def get_data(self):
        counts = bucket_counts(Subscriber.objects.all(), "confirmed_at", self.period, group_by="language")
        empty = [0] * len(self.period.buckets)
        may_list = self.request.user.has_perm("newsletter.view_subscriber")  # personal data: care managers

        def links(code):
            return self.links("journal_subscribers:index", "confirmed_at", language=code) if may_list else None

        series = [Series(str(label), counts.get(code, empty), links=links(code)) for code, label in Language.choices]
        if not self.detailed:
            return PanelData(labels=self.period.labels, series=series)
        active = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE)
        english = (get_language() or "").startswith("en")
        name_field = "product_lines__name_en" if english else "product_lines__name_zh_hans"
        per_line = active.values(name_field).annotate(n=Count("pk")).order_by("product_lines__sort_order")
        summary = [Figure(_("active subscribers"), active.count())]
        summary += [Figure(row[name_field] or _("no product line chosen"), row["n"]) for row in per_line]
        return PanelData(labels=self.period.labels, series=series, summary=summary)


class KnowledgePanel(JournalPanel):
    key = "journal-knowledge"
    title = gettext_lazy("Knowledge base: searches, helpful answers and complaints after suggestions")
    order = 13

    def get_data(self):
        figures = knowledge_figures(since=self.period.start, until=self.period.end)
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


for panel in (LastIssuePanel, IssuePerformancePanel, HelpfulVotesPanel, SubscriberGrowthPanel, KnowledgePanel):
    dashboard_panels.register(panel.key, panel)
