"""Personal data held by the e-journal (issue 10's registry, see home.privacy).

A subscriber's name and email live on home.Person; the subscription, the send ledger (opens, clicks),
bounces and replies are erased with the person. Withdrawing the journal consent on home's consent page
unsubscribes the reader here.
"""

from django.db.models import Q

from home.models import Consent
from home.privacy import registry

from .models import Bounce, InboundEmail, IssuePage, JournalIndexPage, ReaderReply, Recipient, Subscriber
from .services.subscribers import subscriber_unsubscribe


def _withdraw_journal(person, source):
    subscriber = Subscriber.objects.filter(person=person).first()
    if subscriber is not None:
        subscriber_unsubscribe(subscriber_id=subscriber.pk, source=source)


registry.register(
    Subscriber, fields=["source", "pending_consent_text"], person="person", erase="delete",
    retention=[registry.Retention("unconfirmed_subscribers_days", field="created_at", action="delete",
                                 filter=Q(status=Subscriber.Status.PENDING))],
)
registry.register(Recipient, fields=["error"], person="subscriber__person", erase="delete")
registry.register(Bounce, fields=["email", "diagnostic"], person="subscriber__person", match={"email": "email"},
                 erase="delete", retention=[registry.Retention("sent_emails_days", field="created_at")])
registry.register(InboundEmail, fields=["raw", "note"], erase="keep",
                 retention=[registry.Retention("sent_emails_days", field="received_at")])
registry.register(
    ReaderReply, fields=["name", "email", "body", "note"], person="person", match={"email": "email"}, erase="delete",
    retention=[registry.Retention("reader_replies_days", field="created_at")],
)
registry.exempt(IssuePage, "journal issues: editorial content")
registry.exempt(JournalIndexPage, "the journal's index page")
registry.on_withdraw(Consent.Purpose.JOURNAL, _withdraw_journal)
