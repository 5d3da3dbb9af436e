"""The journal's pages: the archive (JournalIndexPage) and one page per monthly issue (IssuePage)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from newsletter import selectors
from newsletter.blocks import IssueStreamBlock
from newsletter.emails import issue_email_sample

__all__ = ["JournalIndexPage", "IssuePage"]
# The email preview shows the email as a desktop mail program (its 600 px column with margins) and a phone do.
EMAIL_PREVIEW_WIDTHS = (640, 375)


class JournalIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["newsletter.IssuePage"]
    max_count_per_parent = 1
    per_page = 12

    class Meta:
        verbose_name = _("journal archive")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        product_line = request.GET.get("product_line", "").strip()
        year = request.GET.get("year", "").strip()
        year = int(year) if year.isdigit() else None
        issues = selectors.issues_archive(index=self, product_line=product_line, year=year)
        page_obj = Paginator(issues, self.per_page).get_page(request.GET.get("page"))
        query = {k: v for k, v in (("product_line", product_line), ("year", year or "")) if v}
        context.update(
            issues=page_obj,
            product_lines=selectors.product_lines(),
            years=selectors.issue_years(index=self),
            selected_product_line=product_line,
            selected_year=year,
            filter_query="&".join(f"{k}={v}" for k, v in query.items()),
        )
        return context


class IssuePage(Page):
    issue_number = models.PositiveIntegerField(_("issue number"))
    issue_date = models.DateField(_("month"), help_text=_("Any day in the month of the issue."))
    subject = models.CharField(
        _("email subject"), max_length=150, blank=True, help_text=_("Leave empty to use the title.")
    )
    preheader = models.CharField(
        _("preheader"), max_length=200, help_text=_("The line mail programs show after the subject.")
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("cover image"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    cover_alt = models.CharField(_("cover image alternative text"), max_length=250, blank=True)
    body = StreamField(IssueStreamBlock(), verbose_name=_("sections"), blank=True)
    # Slugs of the product lines its technical notes are tagged with, " a b " (filled on save).
    product_line_slugs = models.CharField(max_length=500, blank=True, default="", editable=False)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("issue_number"), FieldPanel("issue_date")]),
                FieldPanel("subject"),
                FieldPanel("preheader"),
                FieldRowPanel([FieldPanel("cover_image"), FieldPanel("cover_alt")]),
            ],
            heading=_("Issue"),
        ),
        HelpPanel(
            content=_(
                "Use the preview to see the issue as the web page and as the email (choose Email in the "
                "preview's mode menu). After saving you are warned if the email would be clipped (over 100 KB), "
                "has images without alternative text or links that are not full addresses."
            )
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("preheader"), index.SearchField("body")]
    parent_page_types = ["newsletter.JournalIndexPage"]
    subpage_types = []
    preview_modes = [("", _("Web")), ("email", _("Email"))]

    class Meta:
        verbose_name = _("journal issue")
        verbose_name_plural = _("journal issues")

    def __str__(self):
        return self.title

    @property
    def email_subject(self):
        return self.subject or self.title

    @property
    def description(self):
        return self.search_description or self.preheader

    def technical_product_lines(self):
        return [child.value["product_line"] for child in self.body
                if child.block_type == "technical_note" and child.value.get("product_line")]

    def save(self, *args, **kwargs):
        slugs = sorted({line.slug for line in self.technical_product_lines()})
        self.product_line_slugs = f" {' '.join(slugs)} " if slugs else ""
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["answer_counts"] = selectors.answer_counts(issue=self) if self.pk else {}
        return context

    def serve_preview(self, request, mode_name):
        if mode_name == "email":
            subject, html, _text = issue_email_sample(self)
            context = {"subject": subject, "html": html, "language": self.locale.language_code,
                       "desktop_width": EMAIL_PREVIEW_WIDTHS[0], "narrow_width": EMAIL_PREVIEW_WIDTHS[1], "height": 2400}
            response = render(request, "newsletter/admin/email_preview.html", context)
            response["Content-Security-Policy"] = settings.EMAIL_PREVIEW_CSP
            return response
        return super().serve_preview(request, mode_name)
