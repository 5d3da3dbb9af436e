"""Writes of the knowledge base: section articles kept in step with published issues, and answers to
"was this helpful?"."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils.translation import gettext as _
from wagtail.rich_text import RichText

from ..models import (
    IssuePage,
    KnowledgeArticlePage,
    KnowledgeDeflection,
    KnowledgeFeedback,
    KnowledgeSearchTerm,
    KnowledgeSection,
)
from . import NewsletterError

KNOWLEDGE_BLOCKS = {
    "product_knowledge": KnowledgeSection.Kind.PRODUCT_KNOWLEDGE,
    "technical_note": KnowledgeSection.Kind.TECHNICAL_NOTE,
}


def _source(value):
    return value.source if isinstance(value, RichText) else str(value or "")


@transaction.atomic
def knowledge_sections_sync(*, issue: IssuePage) -> list[KnowledgeSection]:
    """Make the issue's product-knowledge and technical-note sections articles (live while the issue
    is); sections no longer in the issue are removed. Safe to run any number of times."""
    issue = IssuePage.objects.select_related("locale").get(pk=issue.pk)
    kept = []
    for child in issue.body:
        if child.block_type not in KNOWLEDGE_BLOCKS:
            continue
        value = child.value
        section, _created = KnowledgeSection.objects.update_or_create(
            issue=issue, block_id=child.id,
            defaults={
                "kind": KNOWLEDGE_BLOCKS[child.block_type],
                "language": issue.locale.language_code,
                "title": value["heading"],
                "body": _source(value["body"]),
                "note": value.get("tip") or value.get("applies_to") or "",
                "product_line": value.get("product_line"),
                "live": issue.live,
            },
        )
        kept.append(section)
    KnowledgeSection.objects.filter(issue=issue).exclude(pk__in=[s.pk for s in kept]).delete()
    return kept


def knowledge_sections_unpublish(*, issue: IssuePage) -> int:
    sections = list(KnowledgeSection.objects.filter(issue=issue, live=True))
    for section in sections:
        section.live = False
        section.save(update_fields=["live", "updated_at"])
    return len(sections)


def knowledge_feedback_record(*, kind: str, article_id: int, helpful: bool) -> KnowledgeFeedback:
    """Record one answer to "was this helpful?" on a live article (``kind`` "section" or "page")."""
    if kind == "section":
        section = KnowledgeSection.objects.filter(pk=article_id, live=True).first()
        feedback = KnowledgeFeedback(section=section, helpful=helpful)
        found = section is not None
    elif kind == "page":
        page = KnowledgeArticlePage.objects.live().filter(pk=article_id).first()
        feedback = KnowledgeFeedback(page=page, helpful=helpful)
        found = page is not None
    else:
        found = False
    if not found:
        raise NewsletterError(_("This article is not published."))
    feedback.full_clean()
    feedback.save()
    return feedback


def on_issue_published(sender, instance, **kwargs):
    """Signal receiver (a side concern, like the search index): refresh an issue's section articles."""
    if isinstance(instance, IssuePage):
        knowledge_sections_sync(issue=instance)


def on_issue_unpublished(sender, instance, **kwargs):
    if isinstance(instance, IssuePage):
        knowledge_sections_unpublish(issue=instance)


def knowledge_deflection_record(*, deflection_id: int | None, query: str, product_line, shown: int):
    """Note the latest suggestions shown on one visit to the complaint form (one row per visit)."""
    deflection = KnowledgeDeflection.objects.filter(pk=deflection_id, submitted=False).first() if deflection_id else None
    deflection = deflection or KnowledgeDeflection()
    deflection.query = query[:200]
    deflection.product_line = product_line
    deflection.articles_shown = min(shown, 100)
    deflection.full_clean()
    deflection.save()
    return deflection


def knowledge_deflection_submitted(*, deflection_id: int) -> bool:
    """The customer sent the complaint form after seeing suggestions."""
    return KnowledgeDeflection.objects.filter(pk=deflection_id).update(submitted=True) == 1


def knowledge_search_term_count(*, query: str, language: str, found: int) -> None:
    """Count one public search of ``query`` (and whether it found no article), for the dashboard."""
    query = " ".join(query.lower().split())[:100]
    if not query:
        return
    try:
        with transaction.atomic():
            term, _created = KnowledgeSearchTerm.objects.get_or_create(query=query, language=language)
    except IntegrityError:  # created at the same moment by another request
        term = KnowledgeSearchTerm.objects.get(query=query, language=language)
    KnowledgeSearchTerm.objects.filter(pk=term.pk).update(
        searches=F("searches") + 1, without_articles=F("without_articles") + (0 if found else 1), last_searched_at=Now()
    )
