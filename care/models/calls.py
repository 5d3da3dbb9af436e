"""Calls to make and every try at them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .customers import CareTeam, CustomerAccount, Device
from .scripts import CallPurpose, CallScript

__all__ = ["Call", "CallAttempt"]


class Call(models.Model):
    """One call to make, created by a rule; worked by care staff until it is closed with an outcome."""

    class State(models.TextChoices):
        OPEN = "open", _("to do")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    class Disposition(models.TextChoices):
        COMPLETED = "completed", _("reached and completed")
        NO_ANSWER = "no_answer", _("no answer")
        BUSY = "busy", _("busy")
        WRONG_NUMBER = "wrong_number", _("wrong number")
        CALLBACK = "callback", _("call back at a requested time")
        REFUSED = "refused", _("refused")

    customer = models.ForeignKey(CustomerAccount, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="calls")
    contact = models.ForeignKey("home.Person", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    device = models.ForeignKey(Device, verbose_name=_("device"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="calls")
    purpose = models.CharField(_("purpose"), max_length=30, choices=CallPurpose.choices)
    period_key = models.CharField(
        _("period"), max_length=60, help_text=_("What this call is for, so a rule never creates it twice.")
    )
    due_at = models.DateTimeField(_("due"), db_index=True, help_text=_("When to call (not before)."))
    deadline = models.DateField(_("deadline"), help_text=_("The call is overdue after this day."))
    team = models.ForeignKey(CareTeam, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="calls")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="care_calls")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("failed tries"), default=0)
    disposition = models.CharField(_("outcome"), max_length=20, choices=Disposition.choices, blank=True)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    script = models.ForeignKey(CallScript, verbose_name=_("script"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="calls")
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    complaint = models.ForeignKey("care.Complaint", verbose_name=_("complaint"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="calls")
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    days_late = models.PositiveSmallIntegerField(
        _("days late"), null=True, blank=True,
        help_text=_("Days after the deadline the call was closed (0: on time); the deadline itself never moves."),
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["due_at", "pk"]
        permissions = [("work_call", _("Can work calls")), ("view_all_calls", _("Can see every team's calls"))]
        constraints = [
            models.UniqueConstraint(fields=["customer", "purpose", "period_key"], name="care_call_once_per_period"),
            models.CheckConstraint(
                condition=~models.Q(state="closed", disposition=""), name="care_call_closed_has_outcome"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            # figures: coverage, completed calls per period, per assignee
            models.Index(fields=["state", "closed_at"]),
            models.Index(fields=["assignee", "state", "closed_at"]),
            # each one's queue: due today, overdue (counted from the index alone)
            models.Index(fields=["assignee", "state", "deadline", "due_at"], name="care_call_queue_idx"),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} · {self.customer}"

    @property
    def is_late(self) -> bool:
        """Closed after its deadline, or still open with the deadline passed."""
        if self.days_late is not None:
            return self.days_late > 0
        return self.state == self.State.OPEN and self.deadline < timezone.localdate()

    def clean(self):
        if self.state == self.State.CLOSED and not self.disposition:
            raise ValidationError({"disposition": _("A call can't be closed without an outcome.")})


class CallAttempt(models.Model):
    """Every time someone dialled: who, when, the outcome and what was noted."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="attempt_log")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    disposition = models.CharField(_("outcome"), max_length=20, choices=Call.Disposition.choices)
    note = models.TextField(_("note"), blank=True)
    # The service passes its own "now", so the retry time and the attempt share one instant.
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.call_id} · {self.disposition}"
