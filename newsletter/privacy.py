"""Personal data held by the e-journal (issue 10's registry, see home.privacy).

A subscriber's name and email live on home.Person; the subscription, the send ledger (opens, clicks),
bounces and replies are erased with the person. Withdrawing the journal consent on home's consent page
unsubscribes the reader here.
"""

from django.db.models import Q

from home import privacy
from home.models import Consent

from .models import Bounce, InboundEmail, IssuePage, JournalIndexPage, ReaderReply, Recipient, Subscriber
from .services.subscribers import subscriber_unsubscribe


def _withdraw_journal(person, source):
    subscriber = Subscriber.objects.filter(person=person).first()
    if subscriber is not None:
        subscriber_unsubscribe(subscriber_id=subscriber.pk, source=source)


privacy.register(
    Subscriber, fields=["source", "pending_consent_text"], person="person", erase="delete",
    retention=[privacy.Retention("unconfirmed_subscribers_days", field="created_at", action="delete",
                                 filter=Q(status=Subscriber.Status.PENDING))],
)
privacy.register(Recipient, fields=["error"], person="subscriber__person", erase="delete")
privacy.register(Bounce, fields=["email", "diagnostic"], person="subscriber__person", match={"email": "email"},
                 erase="delete", retention=[privacy.Retention("sent_emails_days", field="created_at")])
privacy.register(InboundEmail, fields=["raw", "note"], erase="keep",
                 retention=[privacy.Retention("sent_emails_days", field="received_at")])
privacy.register(
    ReaderReply, fields=["name", "email", "body", "note"], person="person", match={"email": "email"}, erase="delete",
    retention=[privacy.Retention("reader_replies_days", field="created_at")],
)
privacy.exempt(IssuePage, "journal issues: editorial content")
privacy.exempt(JournalIndexPage, "the journal's index page")
privacy.on_withdraw(Consent.Purpose.JOURNAL, _withdraw_journal)
