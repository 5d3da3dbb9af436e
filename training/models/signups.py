"""Bookings, sign-ups (one attendee's place in one class) and payments."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from .catalogue import ClassSession

__all__ = ["Booking", "Signup", "Payment", "signup_token"]


def signup_token() -> str:
    """The private key of a sign-up's links (cancel, move, accept an offer): 32 random bytes."""
    return secrets.token_urlsafe(32)


def booking_reference() -> str:
    """A short reference customers write on a bank transfer. Not a secret: it opens nothing."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "TR-" + "".join(secrets.choice(alphabet) for _ in range(8))


class Booking(models.Model):
    """One sign-up form sent: a contact person booking one or more seats, paid together."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, default=booking_reference)
    contact = models.ForeignKey("home.Person", verbose_name=_("contact"), on_delete=models.PROTECT, related_name="+")
    company = models.CharField(_("company"), max_length=200, blank=True)
    serial_number = models.CharField(_("product serial or contract number"), max_length=100, blank=True)
    # A keyed hash of the network address the booking came from (never the address itself): one
    # booker's unpaid seats per class are counted by contact and by this key (made-up contacts sent
    # from one address are one booker).
    booker_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.reference


class Signup(models.Model):
    """One attendee's place in one class: a held or confirmed seat, or a place on the waiting list."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Seat held, payment pending")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("Waiting list")
        OFFERED = "offered", _("Seat offered")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    # Statuses that take a seat: seats held plus confirmed never exceed the class's capacity.
    SEAT_STATUSES = (Status.PENDING_PAYMENT, Status.CONFIRMED, Status.OFFERED)
    ACTIVE_STATUSES = (*SEAT_STATUSES, Status.WAITING)

    session = models.ForeignKey(ClassSession, verbose_name=_("class"), on_delete=models.PROTECT, related_name="signups")
    person = models.ForeignKey("home.Person", verbose_name=_("attendee"), on_delete=models.PROTECT, related_name="+")
    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), null=True, blank=True, on_delete=models.SET_NULL, related_name="signups"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, db_index=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=signup_token, editable=False)
    hold_expires_at = models.DateTimeField(_("hold expires"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    payment = models.ForeignKey(
        "training.Payment", verbose_name=_("payment"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="signups",
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    cancelled_by_staff = models.BooleanField(default=False)
    prerequisite_missing = models.BooleanField(
        _("required course missing"), default=False,
        help_text=_("Booked without the required basic course; the coordinator checks before the class."),
    )
    # The iCalendar SEQUENCE of this sign-up's invitation: raised on every change sent to the attendee.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["session", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=models.Q(status__in=["pending_payment", "confirmed", "waiting", "offered"]),
                name="signup_one_active_per_person_and_class",
            ),
        ]
        permissions = [("mark_attendance", "Can mark attendance")]

    def __str__(self):
        return f"{self.person} · {self.session_id} · {self.get_status_display()}"

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEAT_STATUSES


class Payment(models.Model):
    """What a booking owes and whether the provider has told us it is paid."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    booking = models.ForeignKey(Booking, verbose_name=_("booking"), on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("provider"), max_length=40)
    provider_reference = models.CharField(_("provider reference"), max_length=100, unique=True)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=10, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    instructions = models.TextField(_("payment instructions"), blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    notifications = models.PositiveIntegerField(_("paid notifications received"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.provider_reference} · {self.amount} · {self.get_status_display()}"
