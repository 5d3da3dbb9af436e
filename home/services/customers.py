"""Customers' passwordless sign-in: a one-time link and code by email, or a code by text message.

Only HMACs of the link token and of the code are stored. A sign-in works once, for
``CUSTOMER_SIGNIN_MINUTES``; a code allows ``CUSTOMER_SIGNIN_CODE_TRIES`` wrong guesses. At most
``CUSTOMER_SIGNIN_PER_HOUR`` messages go to one address an hour, whoever asks.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from home import ratelimit
from home.emails import absolute_url
from home.exceptions import HomeError
from home.identity import normalise_email, normalise_mobile
from home.models import CustomerSignin, Person
from home.services.outbox import outbox_enqueue_template
from home.sms import sms_send


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _digest(kind: str, value: str) -> str:
    return salted_hmac(f"home.customer_signin.{kind}", value).hexdigest()


def _address(text: str) -> tuple[str, str]:
    """("email"|"sms", normalised address) of what the customer typed; ValidationError if neither."""
    text = (text or "").strip()
    if "@" in text:
        return CustomerSignin.Channel.EMAIL, normalise_email(text)
    return CustomerSignin.Channel.SMS, normalise_mobile(text)


def customer_signin_request(*, address: str, language: str) -> CustomerSignin | None:
    """Send a sign-in link and code to a known email address, or a code to a known mobile.

    Returns the sign-in sent, or None when nothing was sent (unknown address, or the hourly limit
    reached); the caller shows the same page either way, so nobody learns who is a customer.
    Raises ValidationError when the address is neither an email nor a mobile number.
    """
    channel, normalised = _address(address)
    field = "email" if channel == CustomerSignin.Channel.EMAIL else "mobile"
    limit = _setting("CUSTOMER_SIGNIN_PER_HOUR", 3)
    if not ratelimit.hit("customer-signin", normalised, limit=limit, window=3600):
        return None
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(**{field: normalised}).first()
        if person is None:
            return None
        # The cache's window is fixed; the hour counted here slides, so no hour ever sees more.
        recent = person.signins.filter(created_at__gt=timezone.now() - timedelta(hours=1)).count()
        if recent >= limit:
            return None
        token = secrets.token_urlsafe(32)
        code = f"{secrets.randbelow(1_000_000):06d}"
        minutes = _setting("CUSTOMER_SIGNIN_MINUTES", 15)
        signin = CustomerSignin(
            person=person, channel=channel, token_hash=_digest("token", token), code_hash=_digest("code", code),
            expires_at=timezone.now() + timedelta(minutes=minutes),
        )
        signin.full_clean()
        signin.save()
        with translation.override(language):
            link = absolute_url(reverse("home:customer_signin_link", args=[token]))
        if channel == CustomerSignin.Channel.EMAIL:
            outbox_enqueue_template(
                template="home/emails/customer_signin", to_email=person.email, language=language,
                kind="customer_signin", person=person, key=f"customer-signin-{signin.pk}",
                context={"link": link, "code": code, "minutes": minutes},
            )
        else:
            with translation.override(language):
                text = _("Your Care & Journal sign-in code is %(code)s (valid %(minutes)s minutes). "
                         "Do not share it.") % {"code": code, "minutes": minutes}
            transaction.on_commit(lambda: sms_send(to=person.mobile, text=text))
    return signin


def _refuse():
    raise HomeError(_("This sign-in link or code is not valid any more. Ask for a new one."))


def customer_signin_refuse_code(*, failures: int) -> None:
    """Answer a code entered when nothing was sent (unknown address, or the hourly limit) exactly as
    a wrong code for a real sign-in is answered, so the page tells nobody who is a customer."""
    if failures > _setting("CUSTOMER_SIGNIN_CODE_TRIES", 5):
        _refuse()
    raise HomeError(_("That code is not right. Check the message and try again."))


def customer_signin_redeem_link(*, token: str) -> Person:
    """The person a sign-in link names; the link is used up. HomeError when unknown, used or expired."""
    if not token or len(token) > 100:
        _refuse()
    with transaction.atomic():
        signin = CustomerSignin.objects.select_for_update().filter(token_hash=_digest("token", token)).first()
        return _use(signin)


def customer_signin_redeem_code(*, signin_id: int, code: str) -> Person:
    """The person of the sign-in ``signin_id`` when ``code`` is its code; wrong codes are counted."""
    code = "".join((code or "").split())
    with transaction.atomic():
        signin = CustomerSignin.objects.select_for_update().filter(pk=signin_id).first()
        if signin is None or signin.failed_codes >= _setting("CUSTOMER_SIGNIN_CODE_TRIES", 5):
            _refuse()
        right = code.isdigit() and constant_time_compare(signin.code_hash, _digest("code", code))
        if right:
            return _use(signin)
        signin.failed_codes += 1
        signin.save(update_fields=["failed_codes"])
    raise HomeError(_("That code is not right. Check the message and try again."))


def _use(signin: CustomerSignin | None) -> Person:
    if signin is None or signin.used_at is not None or signin.expires_at <= timezone.now():
        _refuse()
    signin.used_at = timezone.now()
    signin.save(update_fields=["used_at"])
    return signin.person


def address_valid(address: str) -> str:
    """The error message for an address that is neither an email nor a mobile number, or ""."""
    try:
        _address(address)
    except ValidationError:
        return _("Enter your email address or mobile number.")
    return ""
