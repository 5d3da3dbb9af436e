"""Complaints and suggestions, and the work orders that escalate them to support groups."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["Complaint", "SupportGroup", "WorkOrder", "new_reference", "new_token"]

# No 0/O/1/I/L: a reference is read out over the phone.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    return "C" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Complaint(models.Model):
    """A complaint or suggestion from any channel, tracked until it is closed."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("complaint")
        SUGGESTION = "suggestion", _("suggestion")

    class Channel(models.TextChoices):
        WEB = "web", _("online form")
        PHONE = "phone", _("phone")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("email")
        IM = "im", _("instant messaging")

    class Category(models.TextChoices):
        PRODUCT = "product", _("product quality")
        NETWORK = "network", _("network or service outage")
        DELIVERY = "delivery", _("delivery and installation")
        REPAIR = "repair", _("repair and warranty")
        BILLING = "billing", _("billing")
        STAFF = "staff", _("staff conduct")
        OTHER = "other", _("other")

    class Severity(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")
        CRITICAL = "critical", _("critical")

    class State(models.TextChoices):
        NEW = "new", _("new")
        IN_PROGRESS = "in_progress", _("in progress")
        ESCALATED = "escalated", _("escalated to a support group")
        WAITING = "waiting", _("waiting for the customer")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")

    reference = models.CharField(_("reference"), max_length=12, unique=True, default=new_reference, editable=False)
    status_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMPLAINT)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.PHONE)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, default=Category.OTHER)
    product_line = models.ForeignKey(
        "home.ProductLine", verbose_name=_("product line"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    summary = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("description"), help_text=_("Sanitised HTML."))
    person = models.ForeignKey(
        "home.Person", verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="care_complaints",
    )
    organisation = models.ForeignKey(
        "home.Organisation", verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="care_complaints",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="care_complaints_responsible",
        help_text=_("Whoever first received it, until it is handed over."),
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.NEW, db_index=True)
    resolution = models.TextField(_("what we changed"), blank=True)
    checklist = models.JSONField(_("checklist"), default=list, blank=True,
                                 help_text=_("Items of the complaint follow-up script: text and done."))
    checklist_skip_reason = models.TextField(_("why the checklist was not finished"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True, db_index=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("complaint or suggestion")
        verbose_name_plural = _("complaints and suggestions")
        ordering = ["-received_at", "-pk"]
        permissions = [("view_complaint_report", _("Can view the complaint report"))]

    def __str__(self):
        return f"{self.reference} {self.summary}"

    @property
    def is_open(self):
        return self.state not in {self.State.RESOLVED, self.State.CLOSED}

    @property
    def checklist_open_items(self):
        return [item["text"] for item in self.checklist if not item.get("done")]

    @property
    def is_response_overdue(self):
        return bool(self.first_responded_at is None and self.first_response_due_at
                    and self.first_response_due_at < timezone.now())

    @property
    def is_resolution_overdue(self):
        return bool(self.is_open and self.resolution_due_at and self.resolution_due_at < timezone.now())

    @property
    def current_work_order(self):
        return self.work_orders.filter(closed_at__isnull=True).order_by("-opened_at").first()


class SupportGroup(models.Model):
    """A second-line team a complaint can be escalated to (network, hardware, billing...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    email = models.EmailField(_("team mailbox"), blank=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("managers"), blank=True, related_name="care_support_groups_managed",
        help_text=_("Notified when a work order of this group is overdue."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("support group")
        verbose_name_plural = _("support groups")
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkOrder(models.Model):
    """An escalation of a complaint to a support group, with a due time counted in working hours."""

    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE,
                                  related_name="work_orders")
    support_group = models.ForeignKey(SupportGroup, verbose_name=_("support group"), on_delete=models.PROTECT,
                                      related_name="work_orders")
    note = models.TextField(_("note"), blank=True)
    checklist = models.JSONField(_("checklist"), default=list, blank=True,
                                 help_text=_("Items of the complaint follow-up script: text and done."))
    sla_hours = models.PositiveSmallIntegerField(_("SLA (working hours)"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), db_index=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True,
                                     help_text=_("The clock stops while we wait for the customer."))
    overdue_notified_at = models.DateTimeField(_("overdue flagged"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["due_at", "pk"]

    def __str__(self):
        return f"{self.complaint.reference} → {self.support_group}"

    @property
    def is_overdue(self):
        return self.closed_at is None and self.paused_at is None and self.due_at < timezone.now()

