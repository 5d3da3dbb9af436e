"""Subscribers: double opt-in, preferences, unsubscribing, bounces and complaints, CSV import.

Consent lives in home's consent ledger (``home.services.consent.consent_record``): one entry when an address
is confirmed or imported (with the text agreed to and where it came from), one when it unsubscribes.
"""


from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.models import Consent, Language, ProductLine
from home.ratelimit import hit
from home.services.consent import consent_record
from home.services.outbox import outbox_enqueue_template
from home.services.people import person_match_or_create

from ..models import Bounce, Recipient, Subscriber
from ..transport import address_problem
from . import NewsletterError

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
PREFERENCES_SALT = "newsletter.preferences"
CONSENT_VERSION = "journal-2026-11"


def consent_text(language: str | None = None) -> str:
    """The sentence a subscriber agrees to, in their language (stored with the consent)."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        return _("I would like to receive the monthly e-journal by email. I can unsubscribe at any time "
                 "with the link in every issue.")


def _product_lines(slugs_or_ids) -> list[ProductLine]:
    values = [v for v in slugs_or_ids or [] if v not in ("", None)]
    if not values:
        return []
    if all(isinstance(v, ProductLine) for v in values):
        return list(values)
    if all(str(v).isdigit() for v in values):
        return list(ProductLine.objects.filter(pk__in=[int(v) for v in values], active=True))
    return list(ProductLine.objects.filter(slug__in=values))


# Double opt-in ------------------------------------------------------------------------------------


def confirm_max_age() -> int:
    return int(getattr(settings, "JOURNAL_CONFIRM_MAX_AGE", 72 * 3600))


def confirm_token(subscriber: Subscriber) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(subscriber.pk))


def subscriber_subscribe(
    *, email: str, name: str = "", company: str = "", language: str = Language.ZH_HANS, product_lines=(),
    source: str = "subscribe form", agreed_text: str = "",
) -> Subscriber | None:
    """Public sign-up: record a pending subscription and mail a confirmation link.

    Returns the subscriber, or None when the address was asked too often (the caller shows the
    same page either way, so the form tells nobody whether an address is subscribed).
    """
    if language not in Language.values:
        language = Language.ZH_HANS
    if problem := address_problem(email):
        raise NewsletterError(_("This address cannot receive email: %(reason)s") % {"reason": problem})
    try:
        with transaction.atomic():
            person = person_match_or_create(email=email, name=name, organisation_name=company, language=language,
                                            update=False)
    except ValidationError:
        raise NewsletterError(_("Enter a valid email address."))
    # Per address, whoever asks: at most 3 confirmation mails a day.
    if not hit("journal-subscribe-address", person.email, limit=3, window=24 * 3600):
        return None
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            person=person, defaults={"language": language, "source": source[:100]}
        )
        if subscriber.status == Subscriber.Status.ACTIVE:
            return subscriber  # nothing to confirm; no mail, no change
        if subscriber.status in {Subscriber.Status.BOUNCED, Subscriber.Status.COMPLAINED} and not created:
            return subscriber  # only staff can reactivate these
        subscriber.status = Subscriber.Status.PENDING
        subscriber.language = language
        subscriber.source = source[:100]
        subscriber.pending_consent_text = agreed_text or consent_text(language)
        subscriber.full_clean()
        subscriber.save()
        subscriber.product_lines.set(_product_lines(product_lines))
        with translation.override(language):
            confirm_url = settings.BASE_URL + reverse("newsletter:confirm", args=[confirm_token(subscriber)])
        outbox_enqueue_template(
            template="newsletter/emails/subscribe_confirm",
            context={"confirm_url": confirm_url, "name": person.name, "hours": confirm_max_age() // 3600},
            to_email=person.email, language=language, kind="journal_confirm", person=person,
        )
    return subscriber


def subscriber_confirm(*, token: str) -> Subscriber:
    """The link in the confirmation mail: activate the subscription and record the consent."""
    try:
        pk = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=confirm_max_age())
    except signing.SignatureExpired:
        raise NewsletterError(_("This confirmation link has expired. Please subscribe again."))
    except signing.BadSignature:
        raise NewsletterError(_("This confirmation link is not valid."))
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().select_related("person").filter(pk=pk).first()
        if subscriber is None:
            raise NewsletterError(_("This confirmation link is not valid."))
        if subscriber.status == Subscriber.Status.ACTIVE:
            return subscriber
        if subscriber.status != Subscriber.Status.PENDING:
            raise NewsletterError(_("This confirmation link is no longer valid. Please subscribe again."))
        subscriber.status = Subscriber.Status.ACTIVE
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.soft_bounces = 0
        text = subscriber.pending_consent_text or consent_text(subscriber.language)
        subscriber.pending_consent_text = ""
        subscriber.save()
        consent_record(person=subscriber.person, purpose=Consent.Purpose.JOURNAL, granted=True,
                       source=f"{subscriber.source} (confirmed by email)", text=text, text_version=CONSENT_VERSION)
    return subscriber


# Reader links -------------------------------------------------------------------------------------


def unsubscribe_token(subscriber_id: int, rid: str = "") -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{subscriber_id}.{rid}")


def preferences_token(subscriber_id: int) -> str:
    return signing.Signer(salt=PREFERENCES_SALT).sign(str(subscriber_id))


def subscriber_from_preferences_token(token: str) -> Subscriber:
    try:
        pk = signing.Signer(salt=PREFERENCES_SALT).unsign(token)
    except signing.BadSignature:
        raise NewsletterError(_("This link is not valid."))
    subscriber = Subscriber.objects.select_related("person").filter(pk=pk).first()
    if subscriber is None:
        raise NewsletterError(_("This link is not valid."))
    return subscriber


def unsubscribe_token_check(token: str) -> tuple[int, str]:
    """(subscriber id, reader id) of a signed unsubscribe token."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        raise NewsletterError(_("This link is not valid."))
    pk, _sep, rid = value.partition(".")
    if not pk.isdigit():
        raise NewsletterError(_("This link is not valid."))
    return int(pk), rid


def subscriber_unsubscribe(*, token: str = "", subscriber_id: int | None = None, source: str = "unsubscribe link",
                           acting_user=None) -> Subscriber:
    """Stop the journal for one reader (a signed token from an email, or staff). Idempotent."""
    rid = ""
    if token:
        subscriber_id, rid = unsubscribe_token_check(token)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().select_related("person").filter(pk=subscriber_id).first()
        if subscriber is None:
            raise NewsletterError(_("This link is not valid."))
        if rid:
            Recipient.objects.filter(rid=rid, subscriber=subscriber, unsubscribed_at__isnull=True).update(
                unsubscribed_at=timezone.now())
        if subscriber.status in {Subscriber.Status.UNSUBSCRIBED, Subscriber.Status.BOUNCED,
                                 Subscriber.Status.COMPLAINED}:
            return subscriber
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at", "updated_at"])
        consent_record(person=subscriber.person, purpose=Consent.Purpose.JOURNAL, granted=False, source=source)
        if acting_user is not None:
            log(instance=subscriber, action="newsletter.subscriber_unsubscribe", user=acting_user)
    return subscriber


def subscriber_update_preferences(*, subscriber: Subscriber, language: str, product_lines=()) -> Subscriber:
    """The reader's preferences page: language and product lines."""
    if language not in Language.values:
        raise NewsletterError(_("Choose a language."))
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        subscriber.language = language
        subscriber.full_clean()
        subscriber.save(update_fields=["language", "updated_at"])
        subscriber.product_lines.set(_product_lines(product_lines))
    return subscriber


def subscriber_resubscribe(*, subscriber: Subscriber) -> Subscriber:
    """From the preferences page, a reader who unsubscribed can come back (the link proves the address)."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().select_related("person").get(pk=subscriber.pk)
        if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
            return subscriber
        subscriber.status = Subscriber.Status.ACTIVE
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["status", "unsubscribed_at", "updated_at"])
        consent_record(person=subscriber.person, purpose=Consent.Purpose.JOURNAL, granted=True,
                       source="preferences page", text=consent_text(subscriber.language),
                       text_version=CONSENT_VERSION)
    return subscriber


def reader_links(subscriber: Subscriber) -> dict:
    with translation.override(subscriber.language):
        return {"preferences_url": settings.BASE_URL + reverse("newsletter:preferences",
                                                               args=[preferences_token(subscriber.pk)])}


# Bounces ------------------------------------------------------------------------------------------


def bounce_record(*, email: str, kind: str, status: str = "", diagnostic: str = "", recipient_id: int | None = None,
                  subscriber_id: int | None = None) -> Bounce:
    """A hard bounce or complaint stops the journal to that address; soft bounces do after a few in a row."""
    email = (email or "").strip().lower()
    with transaction.atomic():
        subscriber = None
        if subscriber_id:
            subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        elif email:
            subscriber = Subscriber.objects.select_for_update().filter(person__email=email).first()
        bounce = Bounce(email=email or (subscriber.person.email if subscriber else "unknown@invalid"),
                        subscriber=subscriber, recipient_id=recipient_id, kind=kind, status=status[:20],
                        diagnostic=diagnostic[:500])
        bounce.full_clean()
        bounce.save()
        if recipient_id:
            Recipient.objects.filter(pk=recipient_id, bounced_at__isnull=True).update(bounced_at=timezone.now())
        if subscriber is None:
            return bounce
        limit = int(getattr(settings, "JOURNAL_SOFT_BOUNCE_LIMIT", 3))
        if kind == Bounce.Kind.COMPLAINT:
            subscriber.status = Subscriber.Status.COMPLAINED
        elif kind == Bounce.Kind.HARD:
            if subscriber.status != Subscriber.Status.COMPLAINED:
                subscriber.status = Subscriber.Status.BOUNCED
        else:
            subscriber.soft_bounces += 1
            if subscriber.soft_bounces >= limit and subscriber.status == Subscriber.Status.ACTIVE:
                subscriber.status = Subscriber.Status.BOUNCED
        subscriber.save(update_fields=["status", "soft_bounces", "updated_at"])
    return bounce


# Staff --------------------------------------------------------------------------------------------


def subscriber_set_status(*, subscriber_id: int, status: str, acting_user) -> Subscriber:
    """Staff change a subscription's status (e.g. reactivate an address that bounced once fixed)."""
    if status not in Subscriber.Status.values:
        raise NewsletterError(_("Unknown status."))
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().select_related("person").get(pk=subscriber_id)
        previous = subscriber.status
        subscriber.status = status
        if status == Subscriber.Status.ACTIVE:
            subscriber.soft_bounces = 0
        subscriber.save(update_fields=["status", "soft_bounces", "updated_at"])
        if previous != status and Subscriber.Status.UNSUBSCRIBED in {previous, status}:
            consent_record(person=subscriber.person, purpose=Consent.Purpose.JOURNAL,
                           granted=status == Subscriber.Status.ACTIVE, source=f"staff: {acting_user}")
        log(instance=subscriber, action="newsletter.subscriber_status", user=acting_user,
            data={"from": previous, "to": status})
    return subscriber
