"""Emailing a knowledge article to a customer's contact in one step, recorded on the customer's timeline."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from home.services.outbox import outbox_enqueue_template
from newsletter import selectors as journal_selectors

from ..models import ArticleLinkSent, Call, CustomerAccount
from . import CareError
from .customers import customer_contacts

LOG_ACTIONS = {
    "care.article_link_send": (gettext_lazy("Email knowledge article"), gettext_lazy("Knowledge article emailed")),
}


@transaction.atomic
def article_link_send(
    *, customer: CustomerAccount, person_id: int, article_ref: str, acting_user, call: Call | None = None
) -> ArticleLinkSent:
    """Email the contact a link to the article, in the contact's language (the article's translation when
    there is one), through the outbox; record who sent which article when."""
    person = customer_contacts(customer).filter(pk=person_id).first()
    if person is None:
        raise CareError(_("Choose one of the customer's contacts."))
    if person.do_not_contact:
        raise CareError(_("%(name)s does not wish to be contacted.") % {"name": person.name or person.email})
    if not person.email:
        raise CareError(_("%(name)s has no email address.") % {"name": person.name or person.masked_mobile})
    if call is not None and call.customer_id != customer.pk:
        raise CareError(_("This call is not about this customer."))
    article = journal_selectors.knowledge_article_by_ref(article_ref)
    if article is None:
        raise CareError(_("This article is not published."))
    article = journal_selectors.knowledge_article_in_language(article, person.language)
    sent = ArticleLinkSent(
        customer=customer, person=person, call=call, article_ref=journal_selectors.knowledge_article_ref(article),
        title=article.title, url=journal_selectors.knowledge_article_link(article),
        language=journal_selectors.knowledge_article_language(article), sent_by=acting_user,
    )
    sent.full_clean()
    sent.save()
    sent.message = outbox_enqueue_template(
        template="care/emails/article_link",
        context={"sent": sent, "summary": getattr(article, "summary", ""), "sender": _sender_name(acting_user)},
        to_email=person.email,
        language=person.language,
        kind="care.article_link",
        person=person,
        key=f"care-article-link:{sent.pk}",
    )
    sent.save(update_fields=["message"])
    log(instance=customer, action="care.article_link_send", user=acting_user,
        data={"article": sent.article_ref, "title": sent.title, "person": person.pk, "call": call.pk if call else None})
    return sent


def _sender_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""
