"""Payments for held seats, behind a small provider interface.

``settings.TRAINING_PAYMENT_PROVIDER`` names the implementation (a dotted path): bank transfer (the
common case: the customer pays with the booking reference and a coordinator records the money, or a
bank's notification arrives) by default, or the in-memory provider the tests use. Whatever the
provider, a "paid" notification goes through ``payment_paid_notification``, which accepts the same
notification many times and acts once.
"""

import logging
import threading
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..models import Booking, Payment, Signup
from . import TrainingError
from .sessions import lock_sessions_of, notify, offer_free_seats, seats_taken

logger = logging.getLogger(__name__)

DEFAULT_PROVIDER = "training.services.payments.BankTransferProvider"


class PaymentProvider:
    """What a payment provider does for us: open a payment and say how to pay it."""

    name = ""

    def start(self, *, reference: str, amount: Decimal, description: str) -> tuple[str, str]:
        """Open a payment; return (provider_reference, instructions for the customer)."""
        raise NotImplementedError


class BankTransferProvider(PaymentProvider):
    """Bank transfer or invoice: nothing to call; the customer quotes the booking reference."""

    name = "bank_transfer"

    def start(self, *, reference, amount, description):
        account = getattr(settings, "TRAINING_BANK_ACCOUNT", "")
        instructions = _("Please transfer CNY %(amount)s quoting the reference %(reference)s.") % {
            "amount": amount, "reference": reference,
        }
        if account:
            instructions += " " + _("Account: %(account)s") % {"account": account}
        return reference, instructions


class InMemoryPaymentProvider(PaymentProvider):
    """Keeps payments in a dict; ``pay()`` returns the notification a real provider would send."""

    name = "memory"
    payments: dict[str, dict] = {}
    _lock = threading.Lock()

    def start(self, *, reference, amount, description):
        with self._lock:
            provider_reference = f"MEM-{reference}-{len(self.payments) + 1}"
            self.payments[provider_reference] = {"amount": Decimal(amount), "description": description, "paid": False}
        return provider_reference, _("Test payment %(reference)s") % {"reference": provider_reference}

    @classmethod
    def pay(cls, provider_reference: str) -> dict:
        with cls._lock:
            entry = cls.payments[provider_reference]
            entry["paid"] = True
        return {"provider_reference": provider_reference, "amount": str(entry["amount"]), "status": "paid"}


def payment_provider() -> PaymentProvider:
    return import_string(getattr(settings, "TRAINING_PAYMENT_PROVIDER", DEFAULT_PROVIDER))()


def payment_create(*, booking: Booking, signups: list[Signup]) -> Payment:
    """Open a payment for these held seats (called inside the sign-up transaction)."""
    amount = sum((s.session.price for s in signups), Decimal("0"))
    provider = payment_provider()
    number = booking.payments.count() + 1
    reference = booking.reference if number == 1 else f"{booking.reference}-{number}"
    provider_reference, instructions = provider.start(
        reference=reference, amount=amount, description=str(signups[0].session)
    )
    payment = Payment(
        booking=booking, provider=provider.name, provider_reference=provider_reference, amount=amount,
        instructions=instructions,
    )
    payment.full_clean()
    payment.save()
    Signup.objects.filter(pk__in=[s.pk for s in signups]).update(payment=payment)
    for signup in signups:
        signup.payment = payment
    return payment


def payment_paid_notification(*, provider_reference: str, amount: Decimal | str | None = None) -> Payment:
    """The provider says this payment is paid. Safe to call any number of times: acts once.

    Held seats become confirmed. A seat whose hold lapsed before the money arrived is given back if
    the class still has room; otherwise it stays expired for a coordinator to refund.
    """
    with transaction.atomic():
        found = Payment.objects.filter(provider_reference=provider_reference).first()
        if found is None:
            raise TrainingError(_("Unknown payment."))
        # Read under the classes' locks: a seat may have moved to another date since it was booked.
        sessions = lock_sessions_of(Signup.objects.filter(payment=found))
        payment = Payment.objects.select_for_update().get(pk=found.pk)
        payment.notifications += 1
        if payment.status == Payment.Status.PAID:
            payment.save(update_fields=["notifications"])
            return payment
        if amount is not None and Decimal(str(amount)) < payment.amount:
            payment.save(update_fields=["notifications"])
            raise TrainingError(_("The amount paid is less than the amount due."))
        payment.status = Payment.Status.PAID
        payment.paid_at = timezone.now()
        payment.save(update_fields=["status", "paid_at", "notifications"])
        for signup in Signup.objects.select_for_update().filter(payment=payment).order_by("pk"):
            session = sessions[signup.session_id]
            if signup.status == Signup.Status.PENDING_PAYMENT or (
                signup.status == Signup.Status.EXPIRED and seats_taken(session.pk) < session.capacity
                and session.starts_at > timezone.now()
            ):
                signup.status = Signup.Status.CONFIRMED
                signup.hold_expires_at = None
                signup.save(update_fields=["status", "hold_expires_at", "updated_at"])
                notify(signup, "confirmed")
            else:
                logger.warning("payment %s paid for sign-up %s in state %s", payment.pk, signup.pk, signup.status)
        for session in sessions.values():
            # Paying lowers the booker's unpaid holds: their attendees waiting for that reason may get a seat.
            offer_free_seats(session)
    return payment


def payment_mark_paid(*, payment_id: int, acting_user) -> Payment:
    """A coordinator records a bank transfer or paid invoice."""
    payment = Payment.objects.get(pk=payment_id)
    payment = payment_paid_notification(provider_reference=payment.provider_reference)
    log(instance=payment, action="training.payment_paid", user=acting_user)
    return payment
