"""The knowledge base: standalone articles (FAQ entries) written in Wagtail, and the product-knowledge
and technical-note sections of published journal issues, each an article with its own stable URL.

A section article (``KnowledgeSection``) is a copy of one section, kept in step with the issue when
it is published or unpublished (``newsletter.services.knowledge``); its URL names the row, which is
kept across republishing as long as the section (its block id) stays in the issue.
"""

from django.db import models
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

__all__ = ["KnowledgeIndexPage", "KnowledgeArticlePage", "KnowledgeSection", "KnowledgeFeedback", "KnowledgeDeflection",
           "KnowledgeSearchTerm"]


class KnowledgeIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["newsletter.KnowledgeArticlePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("knowledge base")

    def get_context(self, request, *args, **kwargs):
        from newsletter import selectors

        context = super().get_context(request, *args, **kwargs)
        product_line = request.GET.get("product_line", "").strip()
        context.update(
            groups=selectors.knowledge_by_product_line(language=self.locale.language_code, product_line=product_line),
            product_lines=selectors.product_lines(),
            selected_product_line=product_line,
        )
        return context


class KnowledgeArticlePage(Page):
    """A standalone article, such as an answer to a frequently asked question."""

    product_line = models.ForeignKey(
        "home.ProductLine", verbose_name=_("product line"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True,
                               help_text=_("One or two sentences shown in search results and listings."))
    body = RichTextField(_("answer"), features=["bold", "italic", "link", "ol", "ul", "h3", "code"])
    related_issue = models.ForeignKey(
        "newsletter.IssuePage", verbose_name=_("related journal issue"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    content_panels = Page.content_panels + [
        FieldPanel("product_line"), FieldPanel("summary"), FieldPanel("body"), FieldPanel("related_issue"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"), index.SearchField("body"), index.FilterField("product_line"),
    ]
    parent_page_types = ["newsletter.KnowledgeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")

    def get_context(self, request, *args, **kwargs):
        from newsletter import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.knowledge_article_context(article=self, request=request))
        return context


class KnowledgeSection(index.Indexed, models.Model):
    """A product-knowledge or technical-note section of a published issue, as a knowledge article."""

    class Kind(models.TextChoices):
        PRODUCT_KNOWLEDGE = "product_knowledge", _("Product knowledge")
        TECHNICAL_NOTE = "technical_note", _("Technical note")

    issue = models.ForeignKey("newsletter.IssuePage", on_delete=models.CASCADE, related_name="knowledge_sections")
    block_id = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("heading"), max_length=255)
    body = models.TextField(_("text"), help_text="The section's rich text (Wagtail's stored HTML).")
    note = models.CharField(_("tip or models"), max_length=255, blank=True)
    product_line = models.ForeignKey(
        "home.ProductLine", verbose_name=_("product line"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    live = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    search_fields = [
        index.SearchField("title"), index.SearchField("plain_body"), index.SearchField("note"),
        index.FilterField("id"), index.FilterField("language"), index.FilterField("live"),
        index.FilterField("product_line"),
    ]

    class Meta:
        verbose_name = _("journal section article")
        verbose_name_plural = _("journal section articles")
        constraints = [models.UniqueConstraint(fields=["issue", "block_id"], name="knowledge_section_unique_block")]
        ordering = ["-issue__issue_date", "pk"]

    def __str__(self):
        return self.title

    def plain_body(self):
        return strip_tags(self.body)

    def get_url(self):
        return reverse("newsletter:knowledge_section", args=[self.pk])


class KnowledgeFeedback(models.Model):
    """One reader's answer to "was this helpful?" on an article (a section or a standalone page)."""

    section = models.ForeignKey(KnowledgeSection, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="feedback")
    page = models.ForeignKey(KnowledgeArticlePage, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="feedback")
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("answer to was this helpful")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(section__isnull=False, page__isnull=True)
                | models.Q(section__isnull=True, page__isnull=False),
                name="knowledge_feedback_one_article",
            )
        ]

    def __str__(self):
        return f"{self.section or self.page}: {'+' if self.helpful else '-'}"


class KnowledgeDeflection(models.Model):
    """Articles suggested to a customer on the complaint form, and whether they went on to submit it."""

    query = models.CharField(_("subject typed"), max_length=200)
    product_line = models.ForeignKey("home.ProductLine", verbose_name=_("product line"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    articles_shown = models.PositiveSmallIntegerField(_("articles shown"), default=0)
    submitted = models.BooleanField(_("went on to submit"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("complaint form suggestion")
        verbose_name_plural = _("complaint form suggestions")

    def __str__(self):
        return self.query


class KnowledgeSearchTerm(models.Model):
    """How often a term was searched on the public search page, and how often no article matched."""

    query = models.CharField(_("search term"), max_length=100)
    language = models.CharField(_("language"), max_length=10)
    searches = models.PositiveIntegerField(_("searches"), default=0)
    without_articles = models.PositiveIntegerField(_("searches without articles"), default=0)
    last_searched_at = models.DateTimeField(_("last searched"), auto_now=True)

    class Meta:
        verbose_name = _("knowledge search term")
        constraints = [models.UniqueConstraint(fields=["query", "language"], name="knowledge_search_term_unique")]

    def __str__(self):
        return self.query
