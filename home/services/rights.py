"""Personal data rights: requests (submit, confirm, export, erase, refuse, complete), consent withdrawal
and the access log of staff reads.

A public request waits for its email to be confirmed; nothing is exported before. An archive is
handed out only through a signed link that expires (``RIGHTS_ARCHIVE_LINK_SECONDS``).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home import tasks
from home.emails import public_url
from home.exceptions import HomeError
from home.identity import normalise_email, normalise_mobile
from home.models import AccessLog, Consent, Person, RightsRequest
from home.privacy.erasure import findings_erase
from home.privacy.export import Findings, archive_build, person_lookup
from home.privacy.registry import withdraw_handler
from home.selectors import consent_current
from home.services import outbox
from home.services.consent import consent_record

CONFIRM_HOURS = 48
ARCHIVE_SALT = "home.rights.archive"


def _link_seconds():
    return getattr(settings, "RIGHTS_ARCHIVE_LINK_SECONDS", 7 * 24 * 3600)


def archive_link(rights_request: RightsRequest) -> str:
    value = signing.TimestampSigner(salt=ARCHIVE_SALT).sign(rights_request.token)
    return public_url("home:privacy_download", value, rights_request.language)


def archive_from_link(value: str) -> RightsRequest | None:
    """The request whose archive a signed link names, or None when the link is forged or expired."""
    try:
        token = signing.TimestampSigner(salt=ARCHIVE_SALT).unsign(value, max_age=_link_seconds())
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return RightsRequest.objects.filter(token=token, state=RightsRequest.State.COMPLETED).exclude(archive="").first()


def _lock(request_id, *states):
    rights_request = RightsRequest.objects.select_for_update().get(pk=request_id)
    if states and rights_request.state not in states:
        raise HomeError(_("This request has already been handled."))
    return rights_request


def _close(rights_request: RightsRequest, *, state: str, acting_user, action: str | None, **fields) -> None:
    """Record how a request was handled, by whom and when; ``action`` is the admin log entry's code."""
    rights_request.state = state
    for name, value in fields.items():
        setattr(rights_request, name, value)
    rights_request.handled_at = timezone.now()
    rights_request.handled_by = acting_user
    rights_request.save()
    if action:
        log(instance=rights_request, action=action, user=acting_user)


def _notify(rights_request: RightsRequest, what: str, **context) -> None:
    """Email the requester ``home/emails/rights_<what>`` once (the key makes a second call a no-op)."""
    outbox.outbox_enqueue_template(
        template=f"home/emails/rights_{what}", to_email=rights_request.email, language=rights_request.language,
        kind=f"rights_{what}", key=f"rights-{what}-{rights_request.pk}",
        context={"rights_request": rights_request, **context},
    )


# Receiving --------------------------------------------------------------------------------------


@transaction.atomic
def rights_request_submit(*, email: str, kind: str, details: str = "", language: str = "zh-hans") -> RightsRequest | None:
    """A request from the public page: recorded unconfirmed, and a confirmation link emailed.

    At most three confirmation emails a day go to one address; beyond that nothing is sent (and the
    page says the same thing either way, so it cannot be used to learn who is known here).
    """
    email = normalise_email(email)
    if kind not in RightsRequest.Kind.values:
        raise HomeError(_("Choose what you would like us to do."))
    recent = RightsRequest.objects.filter(
        email=email, channel=RightsRequest.Channel.PUBLIC, created_at__gte=timezone.now() - timedelta(days=1)
    ).count()
    if recent >= 3:
        return None
    rights_request = RightsRequest(
        kind=kind, channel=RightsRequest.Channel.PUBLIC, state=RightsRequest.State.UNCONFIRMED, email=email,
        details=details[:4000], language=language, token=secrets.token_urlsafe(32),
    )
    rights_request.full_clean()
    rights_request.save()
    _notify(rights_request, "confirm", hours=CONFIRM_HOURS,
            confirm_url=public_url("home:privacy_confirm", rights_request.token, language))
    return rights_request


def rights_request_for_token(token: str) -> RightsRequest | None:
    return RightsRequest.objects.filter(token=token, channel=RightsRequest.Channel.PUBLIC).first()


def rights_request_confirm(*, token: str) -> RightsRequest:
    """The person clicked the emailed link and confirmed: the request is open; access is exported."""
    with transaction.atomic():
        found = rights_request_for_token(token)
        if found is None:
            raise HomeError(_("This link is not valid."))
        rights_request = RightsRequest.objects.select_for_update().get(pk=found.pk)
        if rights_request.state != RightsRequest.State.UNCONFIRMED:
            return rights_request  # confirmed already: nothing more to do
        if rights_request.created_at < timezone.now() - timedelta(hours=CONFIRM_HOURS):
            raise HomeError(_("This link has expired. Please send your request again."))
        rights_request.state = RightsRequest.State.OPEN
        rights_request.confirmed_at = timezone.now()
        rights_request.save(update_fields=["state", "confirmed_at"])
        if rights_request.kind == RightsRequest.Kind.ACCESS:
            tasks.rights_request_export_task.delay_on_commit(rights_request.pk)
    return rights_request


@transaction.atomic
def rights_request_create(*, kind: str, email: str = "", mobile: str = "", details: str = "", language: str = "zh-hans",
                          acting_user) -> RightsRequest:
    """A request received by staff (phone, letter, counter): open at once."""
    rights_request = RightsRequest(
        kind=kind, channel=RightsRequest.Channel.STAFF, state=RightsRequest.State.OPEN,
        email=normalise_email(email), mobile=normalise_mobile(mobile), details=details, language=language,
        token=secrets.token_urlsafe(32), confirmed_at=timezone.now(),
    )
    if not rights_request.email and not rights_request.mobile:
        raise HomeError(_("Give an email address or a mobile number."))
    rights_request.full_clean()
    rights_request.save()
    log(instance=rights_request, action="home.rights_create", user=acting_user)
    return rights_request


# Handling ---------------------------------------------------------------------------------------


def _summary(findings: Findings) -> str:
    return "\n".join(f"{f.registration.title}: {len(f.pks)}" for f in findings.findings) or _("Nothing found.")


def rights_request_export(*, request_id: int, acting_user=None) -> RightsRequest:
    """Build the archive of everything held about the person; a public requester gets a signed link."""
    with transaction.atomic():
        rights_request = RightsRequest.objects.select_for_update().get(pk=request_id)
        if rights_request.state == RightsRequest.State.COMPLETED and rights_request.archive:
            return rights_request  # done already (the task ran twice)
        if rights_request.state != RightsRequest.State.OPEN:
            raise HomeError(_("Only an open request can be exported."))
        findings = person_lookup(email=rights_request.email, mobile=rights_request.mobile)
        content = archive_build(findings, note=f"request {rights_request.pk}")
        rights_request.archive.save(f"request-{rights_request.pk}-{secrets.token_hex(8)}.zip", ContentFile(content),
                                    save=False)
        _close(rights_request, state=RightsRequest.State.COMPLETED, acting_user=acting_user,
               action="home.rights_export" if acting_user is not None else None,
               outcome=_("Exported.") + "\n" + _summary(findings))
        if rights_request.channel == RightsRequest.Channel.PUBLIC and rights_request.email:
            _notify(rights_request, "archive", download_url=archive_link(rights_request),
                    days=_link_seconds() // 86400)
    return rights_request


def rights_request_erase(*, request_id: int, acting_user) -> RightsRequest:
    """Erase or anonymise everything found, keeping what the law or accounting requires."""
    with transaction.atomic():
        rights_request = _lock(request_id, RightsRequest.State.OPEN)
        if rights_request.kind != RightsRequest.Kind.ERASURE:
            raise HomeError(_("Only an erasure request can be carried out as an erasure."))
        findings = person_lookup(email=rights_request.email, mobile=rights_request.mobile)
        report = findings_erase(findings)
        lines = [_("Erased.")]
        for line in report:
            lines.append(f"{line['title']}: {line['found']} ({line['action']}){' – ' + line['note'] if line['note'] else ''}")
        _close(rights_request, state=RightsRequest.State.COMPLETED, acting_user=acting_user,
               action="home.rights_erase", outcome="\n".join(lines))
        if rights_request.channel == RightsRequest.Channel.PUBLIC and rights_request.email:
            _notify(rights_request, "done")
    return rights_request


def rights_request_refuse(*, request_id: int, acting_user, reason: str) -> RightsRequest:
    reason = (reason or "").strip()
    if not reason:
        raise HomeError(_("A refusal needs a reason."))
    with transaction.atomic():
        rights_request = _lock(request_id, RightsRequest.State.OPEN, RightsRequest.State.UNCONFIRMED)
        _close(rights_request, state=RightsRequest.State.REFUSED, acting_user=acting_user,
               action="home.rights_refuse", refusal_reason=reason)
        if rights_request.channel == RightsRequest.Channel.PUBLIC and rights_request.confirmed_at:
            _notify(rights_request, "refused")
    return rights_request


def rights_request_complete(*, request_id: int, acting_user, outcome: str) -> RightsRequest:
    """Close a request handled by hand (a correction), recording what was done."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise HomeError(_("Describe what was done."))
    with transaction.atomic():
        rights_request = _lock(request_id, RightsRequest.State.OPEN)
        _close(rights_request, state=RightsRequest.State.COMPLETED, acting_user=acting_user,
               action="home.rights_complete", outcome=outcome)
    return rights_request


# Consent withdrawal -------------------------------------------------------------------------------


def consent_withdraw(*, person, purpose: str, source: str = "consent page"):
    """Withdraw one consent: a ledger entry, and the person is not contacted for that purpose again.

    The app that owns the purpose stops for real through its ``home.privacy.registry.on_withdraw`` handler.
    """
    if purpose not in Consent.Purpose.values:
        raise HomeError(_("Unknown purpose."))
    if not consent_current(person=person, purpose=purpose):
        return None
    with transaction.atomic():
        handler = withdraw_handler(purpose)
        if handler is not None:
            handler(person, source)
        if consent_current(person=person, purpose=purpose):
            consent_record(person=person, purpose=purpose, granted=False, source=source)
    return Consent.objects.filter(person=person, purpose=purpose).order_by("-created_at", "-pk").first()


# Access log -------------------------------------------------------------------------------------


def access_log_record(*, user, person: Person | None, what: str, path: str = ""):
    """Record that a staff member viewed a person's personal data."""
    return AccessLog.objects.create(user=user, person=person, what=what[:200], path=path[:300])
