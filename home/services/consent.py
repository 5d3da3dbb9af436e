"""The consent ledger: giving and withdrawing are both entries; the newest entry per purpose counts.

A person manages their consents from a signed link in any email (``consent_manage_url``). Withdrawing,
which also stops the owning app, is ``home.services.rights.consent_withdraw``.
"""

from django.core import signing

from home.emails import public_url
from home.models import Consent, Person

CONSENT_SALT = "home.consent.manage"


def consent_record(*, person: Person, purpose: str, granted: bool, source: str, text: str = "", text_version: str = ""):
    """Add an entry to the consent ledger (giving and withdrawing are both entries)."""
    entry = Consent(person=person, purpose=purpose, granted=granted, source=source[:100], text=text,
                    text_version=text_version)
    entry.full_clean()
    entry.save()
    return entry


def consent_manage_url(*, person, language: str = "") -> str:
    """A link for emails: the person sees their consents and withdraws any with one click."""
    value = signing.Signer(salt=CONSENT_SALT).sign(str(person.pk))
    return public_url("home:consent_manage", value, language or person.language)


def consent_person_from_link(value: str):
    try:
        pk = signing.Signer(salt=CONSENT_SALT).unsign(value)
    except signing.BadSignature:
        return None
    return Person.objects.filter(pk=pk).first()


def consent_status(*, person) -> list[dict]:
    """Per purpose: the latest ledger entry, newest state first."""
    rows = []
    for purpose, label in Consent.Purpose.choices:
        latest = Consent.objects.filter(person=person, purpose=purpose).order_by("-created_at", "-pk").first()
        if latest is not None:
            rows.append({"purpose": purpose, "label": label, "granted": latest.granted, "since": latest.created_at,
                         "source": latest.source})
    return rows
