"""Journal sections become knowledge articles when an issue is published, stay at the same address
when it is republished, leave when it is unpublished; answers to "was this helpful?" are recorded."""

import pytest

from newsletter.models import KnowledgeFeedback, KnowledgeSection
from newsletter.services import NewsletterError
from newsletter.services.knowledge import knowledge_feedback_record

pytestmark = pytest.mark.django_db


def test_published_issue_sections_are_articles(journal):
    issue = journal["issue"]
    sections = KnowledgeSection.objects.filter(issue=issue).order_by("kind")
    assert [(s.kind, s.title) for s in sections] == [
        ("product_knowledge", "企业邮箱的双重验证"), ("technical_note", "邮件网关新增外部发件人标记"),
    ]
    note = sections.get(kind="technical_note")
    assert note.live and note.language == "zh-hans" and note.product_line.slug == "mail"
    assert note.note == "企业邮箱 2026 版"
    assert "外部" in note.body


def test_republishing_keeps_the_address_and_follows_edits(journal):
    issue = journal["issue"]
    note = KnowledgeSection.objects.get(issue=issue, kind="technical_note")
    url = note.get_url()
    body = issue.body
    for child in body:
        if child.block_type == "technical_note":
            child.value["heading"] = "邮件网关外部发件人标记（更新）"
    issue.body = body
    issue.save_revision().publish()
    note = KnowledgeSection.objects.get(issue=issue, kind="technical_note")
    assert note.get_url() == url
    assert note.title == "邮件网关外部发件人标记（更新）"


def test_unpublishing_the_issue_takes_its_articles_offline(journal, client):
    issue = journal["issue"]
    note = KnowledgeSection.objects.get(issue=issue, kind="technical_note")
    issue.unpublish()
    note.refresh_from_db()
    assert not note.live
    assert client.get(note.get_url()).status_code == 404


def test_feedback_is_recorded_for_live_articles_only(journal):
    note = KnowledgeSection.objects.filter(issue=journal["issue"]).first()
    knowledge_feedback_record(kind="section", article_id=note.pk, helpful=True)
    assert KnowledgeFeedback.objects.get().section == note
    with pytest.raises(NewsletterError):
        knowledge_feedback_record(kind="section", article_id=note.pk + 1000, helpful=True)
    with pytest.raises(NewsletterError):
        knowledge_feedback_record(kind="other", article_id=note.pk, helpful=True)
