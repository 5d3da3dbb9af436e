"""Emailing a knowledge article to a customer's contact: through the outbox, in the contact's language
with the link to the article in that language at BASE_URL, recorded on the timeline and in the log."""

import pytest
from wagtail.models import ModelLogEntry

from care.models import ArticleLinkSent
from care.selectors import customer_timeline
from care.services import CareError
from care.services.customers import customer_contacts
from care.services.knowledge import article_link_send
from home.models import OutboxMessage
from newsletter import selectors as journal_selectors
from newsletter.models import KnowledgeSection

from ..calls_fixtures import *  # noqa: F403
from ..knowledge_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def _send(customer, article, user, **kwargs):
    person = customer_contacts(customer).first()
    return article_link_send(customer=customer, person_id=kwargs.pop("person_id", person.pk),
                             article_ref=journal_selectors.knowledge_article_ref(article), acting_user=user, **kwargs)


def test_the_article_link_is_emailed_in_chinese_and_recorded(knowledge, make_customer, staff_east, teams):
    customer = make_customer(team=teams["east"], email="wang.wei@east.example.com")
    sent = _send(customer, knowledge["faq"]["phishing-mail"], staff_east)

    message = OutboxMessage.objects.get(kind="care.article_link")
    assert sent.message == message and message.to_email == "wang.wei@east.example.com"
    assert message.subject == "您咨询的文章：如何识别钓鱼邮件？"
    assert "https://journal.example.com/zh-hans/knowledge/phishing-mail/" in message.text
    assert 'href="https://journal.example.com/zh-hans/knowledge/phishing-mail/"' in message.html
    assert (sent.title, sent.sent_by, sent.language) == ("如何识别钓鱼邮件？", staff_east, "zh-hans")
    entry = customer_timeline(customer, [sent.person_id], kind="article")[0]
    assert entry["title"] == "如何识别钓鱼邮件？" and staff_east.username in entry["detail"]
    assert ModelLogEntry.objects.filter(action="care.article_link_send", user=staff_east).exists()


def test_an_english_speaking_contact_gets_the_english_article(knowledge, make_customer, staff_east):
    customer = make_customer(email="amy@example.com", contact="Amy Lee", language="en")
    sent = _send(customer, knowledge["faq"]["phishing-mail"], staff_east)
    message = sent.message
    assert sent.title == "How do I spot a phishing email?" and sent.language == "en"
    assert message.subject == "The article we talked about: How do I spot a phishing email?"
    assert "https://journal.example.com/en/knowledge/phishing-mail/" in message.text
    assert "Dear Amy Lee," in message.text


def test_a_journal_section_article_links_to_its_own_address(knowledge, make_customer, staff_east):
    customer = make_customer()
    section = KnowledgeSection.objects.filter(issue=knowledge["issue"]).first()
    sent = _send(customer, section, staff_east)
    assert sent.url == f"https://journal.example.com/zh-hans/knowledge/section/{section.pk}/"
    assert sent.url in sent.message.text


def test_refused_for_another_customers_contact_an_unreachable_contact_or_an_unpublished_article(
    knowledge, make_customer, staff_east
):
    customer, other = make_customer(), make_customer("南部物流有限公司", contact="李娜")
    article = knowledge["faq"]["phishing-mail"]
    with pytest.raises(CareError, match="联系人"):
        _send(customer, article, staff_east, person_id=customer_contacts(other).first().pk)
    person = customer_contacts(customer).first()
    person.do_not_contact = True
    person.save()
    with pytest.raises(CareError):
        _send(customer, article, staff_east)
    person.do_not_contact, person.email = False, ""
    person.save()
    with pytest.raises(CareError):
        _send(customer, article, staff_east)
    person.email = "back@example.com"
    person.save()
    article.unpublish()
    with pytest.raises(CareError):
        _send(customer, article, staff_east)
    with pytest.raises(CareError):
        article_link_send(customer=customer, person_id=person.pk, article_ref="page:abc", acting_user=staff_east)
    assert not ArticleLinkSent.objects.exists() and not OutboxMessage.objects.filter(kind="care.article_link").exists()
