"""Fixtures of the e-journal tests: the journal demo content alone (both languages, two issues)."""

import pytest


@pytest.fixture
def journal(home_pages):
    from home.demo.pages import _product_lines
    from home.roles import sync_roles
    from newsletter.demo.pages import load_demo
    from newsletter.models import IssuePage, JournalIndexPage

    _product_lines()
    load_demo(home_pages)
    sync_roles()
    zh = JournalIndexPage.objects.get(locale__language_code="zh-hans")
    en = JournalIndexPage.objects.get(locale__language_code="en")
    issues = IssuePage.objects.live().order_by("issue_date")
    return {
        "index": zh,
        "index_en": en,
        "issue": issues.filter(locale__language_code="zh-hans").last(),
        "issue_en": issues.filter(locale__language_code="en").last(),
        "issues": list(issues),
    }


@pytest.fixture
def knowledge(journal, home_pages):
    """The journal demo plus the demo knowledge base (index pages and three FAQ articles per language)."""
    from newsletter.demo.knowledge import load_knowledge
    from newsletter.models import (
        KnowledgeArticlePage,
        KnowledgeDeflection,
        KnowledgeFeedback,
        KnowledgeIndexPage,
        KnowledgeSearchTerm,
    )

    load_knowledge(home_pages)
    # The demo's readers' answers and searches are for the dashboard; tests count their own.
    for model in (KnowledgeFeedback, KnowledgeDeflection, KnowledgeSearchTerm):
        model.objects.all().delete()
    return {
        **journal,
        "kb": KnowledgeIndexPage.objects.get(locale__language_code="zh-hans"),
        "faq": {p.slug: p for p in KnowledgeArticlePage.objects.filter(locale__language_code="zh-hans")},
    }
