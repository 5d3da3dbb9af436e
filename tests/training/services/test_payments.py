"""Payments: the provider interface, and a paid notification that may arrive many times."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from training.models import Payment, Signup
from training.services import TrainingError, payments
from training.services import signups as services

from ..signup_helpers import catalog, course, person_data, session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def memory_provider(settings):
    settings.TRAINING_PAYMENT_PROVIDER = "training.services.payments.InMemoryPaymentProvider"
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit") as notify:
        yield notify


@pytest.fixture
def booking(home_pages):
    klass = session(course(catalog(home_pages), price=Decimal("2800")), capacity=4)
    return services.booking_create(session_id=klass.pk, attendees=[person_data(1), person_data(2)], company="华东电力")


def test_held_seats_open_one_payment_with_the_provider(booking):
    payment = booking.payments.get()
    assert payment.provider == "memory"
    assert payment.amount == Decimal("5600")
    assert payments.InMemoryPaymentProvider.payments[payment.provider_reference]["paid"] is False
    assert set(payment.signups.values_list("status", flat=True)) == {"pending_payment"}


def test_same_paid_notification_many_times_acts_once(booking, memory_provider):
    payment = booking.payments.get()
    notification = payments.InMemoryPaymentProvider.pay(payment.provider_reference)
    memory_provider.reset_mock()
    for _ in range(3):
        payments.payment_paid_notification(**{k: notification[k] for k in ("provider_reference", "amount")})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.notifications == 3
    assert set(booking.signups.values_list("status", flat=True)) == {"confirmed"}
    confirmations = [c for c in memory_provider.call_args_list if c.args[1] == "confirmed"]
    assert len(confirmations) == 2  # one per attendee, not one per notification


def test_short_payment_is_refused(booking):
    payment = booking.payments.get()
    with pytest.raises(TrainingError):
        payments.payment_paid_notification(provider_reference=payment.provider_reference, amount="100.00")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


def test_unknown_payment_is_refused(db):
    with pytest.raises(TrainingError):
        payments.payment_paid_notification(provider_reference="MEM-nothing")


def test_money_after_the_hold_lapsed_gets_the_seat_back_if_free(booking):
    Signup.objects.filter(booking=booking).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    services.holds_expire()
    assert set(booking.signups.values_list("status", flat=True)) == {"expired"}
    payment = booking.payments.get()
    payments.payment_paid_notification(provider_reference=payment.provider_reference)
    assert set(booking.signups.values_list("status", flat=True)) == {"confirmed"}


def test_coordinator_records_a_bank_transfer(home_pages, settings):
    settings.TRAINING_PAYMENT_PROVIDER = payments.DEFAULT_PROVIDER
    klass = session(course(catalog(home_pages)), capacity=3)
    signup = services.signup_create(session_id=klass.pk, **person_data(5))
    payment = signup.payment
    assert payment.provider == "bank_transfer"
    assert payment.provider_reference == signup.booking.reference
    assert signup.booking.reference in payment.instructions
    user = get_user_model().objects.create_user("coord", password="x" * 12)
    payments.payment_mark_paid(payment_id=payment.pk, acting_user=user)
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CONFIRMED
