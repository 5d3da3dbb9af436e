"""The knowledge base in the browser's terms: the index by product line, section and FAQ articles with
"was this helpful?", the related issue and courses, and suggestions for the complaint form."""

import pytest

from newsletter.models import KnowledgeFeedback, KnowledgeSection

pytestmark = pytest.mark.django_db


def test_index_lists_articles_by_product_line(knowledge, client):
    html = client.get(knowledge["kb"].url).content.decode()
    assert "企业邮箱" in html and "安全网关" in html
    assert "如何识别钓鱼邮件？" in html and "企业邮箱的双重验证" in html
    filtered = client.get(knowledge["kb"].url, {"product_line": "firewall"}).content.decode()
    assert "安全网关固件升级失败怎么办？" in filtered and "如何识别钓鱼邮件？" not in filtered


def test_section_article_shows_text_issue_and_helpful_question(knowledge, client):
    note = KnowledgeSection.objects.get(issue=knowledge["issue"], kind="technical_note")
    html = client.get(note.get_url()).content.decode()
    assert "邮件网关新增外部发件人标记" in html
    assert "企业邮箱防钓鱼指南" in html  # the issue it comes from
    assert "这篇文章对您有帮助吗？" in html


def test_answering_helpful_records_once_and_thanks(knowledge, client):
    article = knowledge["faq"]["phishing-mail"]
    data = {"kind": "page", "article": article.pk, "helpful": "yes", "next": article.url}
    response = client.post("/zh-hans/knowledge/helpful/", data, follow=True)
    assert "感谢您的回答" in response.content.decode()
    client.post("/zh-hans/knowledge/helpful/", data)
    assert list(KnowledgeFeedback.objects.values_list("page_id", "helpful")) == [(article.pk, True)]


def test_helpful_refuses_bad_input_and_foreign_redirects(knowledge, client):
    article = knowledge["faq"]["phishing-mail"]
    response = client.post("/zh-hans/knowledge/helpful/", {"kind": "page", "article": article.pk,
                                                          "helpful": "maybe", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert not KnowledgeFeedback.objects.exists()


def test_faq_article_shows_related_issue(knowledge, client):
    html = client.get(knowledge["faq"]["phishing-mail"].url).content.decode()
    assert "如何识别钓鱼邮件？" in html and "企业邮箱防钓鱼指南" in html


def test_suggestions_for_a_subject_and_product_line(knowledge, client):
    data = client.get("/zh-hans/knowledge/suggest/", {"q": "固件升级 失败", "product_line": "firewall"}).json()
    titles = [a["title"] for a in data["articles"]]
    assert titles[0] == "安全网关固件升级失败怎么办？"
    assert "安全网关固件 5.2 升级说明" in titles
    assert all("邮" not in t for t in titles)
    assert client.get("/zh-hans/knowledge/suggest/", {"q": ""}).json() == {"articles": []}
