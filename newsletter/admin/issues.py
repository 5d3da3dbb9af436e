"""The journal issues listing: every issue in every language with its number, month, language,
live/draft state, the state of its latest delivery and a link to its copy in the other language."""

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, LocaleColumn
from wagtail.admin.ui.tables.pages import PageStatusColumn, PageTitleColumn
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.models import Page

from ..models import Delivery, IssuePage


class MonthColumn(Column):
    def get_value(self, instance):
        return date_format(instance.issue_date, "YEAR_MONTH_FORMAT")


class DeliveryStateColumn(Column):
    def get_value(self, instance):
        if not instance.delivery_state:
            return _("not sent")
        return Delivery.State(instance.delivery_state).label


class TranslationsColumn(Column):
    """Links to the issue's copies in the other languages (edit screens)."""

    def get_value(self, instance):
        links = [format_html('<a href="{}" lang="{}">{}</a>', reverse("wagtailadmin_pages:edit", args=[pk]),
                             code, get_language_info(code)["name_local"]) for pk, code in instance.translation_links]
        return format_html(", ".join(["{}"] * len(links)), *links) if links else "—"


class IssueIndexView(IndexView):
    def get_base_queryset(self):
        # A delivery sends every language of an issue: it is found by the issue's translation key.
        latest_delivery = Delivery.objects.filter(issue_key=OuterRef("translation_key")).order_by("-created_at")
        return super().get_base_queryset().annotate(
            delivery_state=Subquery(latest_delivery.values("state")[:1]),
        ).select_related("locale")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pages = list(context["object_list"])
        keys = {page.translation_key for page in pages}
        copies = {}
        for pk, key, code in (Page.objects.filter(translation_key__in=keys).order_by("locale__language_code")
                              .values_list("pk", "translation_key", "locale__language_code")):
            copies.setdefault(key, []).append((pk, code))
        for page in pages:
            page.translation_links = [(pk, code) for pk, code in copies.get(page.translation_key, []) if pk != page.pk]
        return context


class IssueListingViewSet(PageListingViewSet):
    model = IssuePage
    index_view_class = IssueIndexView
    icon = "doc-full"
    menu_label = _("Issues")
    add_to_admin_menu = False
    name = "journal_issues"
    columns = [
        PageTitleColumn("title", label=_("Title"), sort_key="title", classname="title"),
        Column("issue_number", label=_("No."), sort_key="issue_number", width="8%"),
        MonthColumn("issue_date", label=_("Month"), sort_key="issue_date", width="12%"),
        LocaleColumn(label=_("Language"), width="10%"),
        PageStatusColumn("status", label=_("Status"), sort_key="live", width="12%"),
        DeliveryStateColumn("delivery_state", label=_("Delivery"), sort_key="delivery_state", width="10%"),
        TranslationsColumn("translations", label=_("Other languages"), width="12%"),
    ]


issue_listing_viewset = IssueListingViewSet()
