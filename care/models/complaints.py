"""Complaints and suggestions, work orders for support groups, gift campaigns, letters, key-account reports."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.models import DraftStateMixin, RevisionMixin

__all__ = [
    "Complaint",
    "SupportGroup",
    "WorkOrder",
    "LetterTemplate",
    "GiftCampaign",
    "GiftRecipient",
    "KeyAccountReport",
    "new_reference",
    "new_token",
]

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
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
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


class LetterTemplate(DraftStateMixin, RevisionMixin, models.Model):
    """A thank-you letter with merge fields, in both languages. Authored by care managers."""

    MERGE_FIELDS = ["name", "organisation", "kind", "feedback", "feedback_date", "changes", "gift"]

    name = models.CharField(_("name"), max_length=120)
    subject_zh_hans = models.CharField(_("subject (Chinese)"), max_length=200)
    body_zh_hans = models.TextField(_("letter (Chinese)"))
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("letter (English)"))
    signature = models.CharField(_("signature"), max_length=200, blank=True)
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="care_lettertemplate")

    panels = [
        FieldPanel("name"),
        HelpPanel(content=_(
            "Merge fields: {{ name }}, {{ organisation }}, {{ kind }}, {{ feedback }} (what they told us), "
            "{{ feedback_date }} (when), {{ changes }} (what we changed), {{ gift }}."
        )),
        MultiFieldPanel([FieldPanel("subject_zh_hans"), FieldPanel("body_zh_hans")], heading=_("Chinese")),
        MultiFieldPanel([FieldPanel("subject_en"), FieldPanel("body_en")], heading=_("English")),
        FieldPanel("signature"),
    ]

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def subject_for(self, language):
        return self.subject_en if (language or "").startswith("en") else self.subject_zh_hans

    def body_for(self, language):
        return self.body_en if (language or "").startswith("en") else self.body_zh_hans

    @property
    def revisions(self):
        return self._revisions


class GiftCampaign(models.Model):
    """A year-end thank-you campaign for customers who complained or made a suggestion."""

    class Audience(models.TextChoices):
        COMPLAINED = "complained", _("customers who complained")
        SUGGESTED = "suggested", _("customers who made a suggestion")
        BOTH = "both", _("both")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        LAUNCHED = "launched", _("launched")

    name = models.CharField(_("name"), max_length=150)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"), help_text=_("Inclusive."))
    audience = models.CharField(_("customers"), max_length=12, choices=Audience.choices, default=Audience.BOTH)
    gift_description = models.CharField(_("gift"), max_length=200)
    budget = models.DecimalField(_("budget (CNY)"), max_digits=10, decimal_places=2, default=0)
    letter_template = models.ForeignKey(LetterTemplate, verbose_name=_("letter template"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="campaigns")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    launched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gift campaign")
        verbose_name_plural = _("gift campaigns")
        ordering = ["-period_end", "-pk"]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})


class GiftRecipient(models.Model):
    """One customer of one campaign: their letter and their gift's way to them."""

    class State(models.TextChoices):
        EXCLUDED = "excluded", _("excluded: asked not to be contacted")
        ADDRESS_TO_CONFIRM = "address_to_confirm", _("address to confirm")
        CONFIRMED = "confirmed", _("address confirmed")
        SHIPPED = "shipped", _("shipped")
        DELIVERED = "delivered", _("delivered")
        RETURNED = "returned", _("returned")

    campaign = models.ForeignKey(GiftCampaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="recipients")
    person = models.ForeignKey("home.Person", verbose_name=_("customer"), on_delete=models.CASCADE,
                               related_name="care_gift_recipients")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.ADDRESS_TO_CONFIRM,
                             db_index=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    feedback = models.JSONField(_("what they told us"), default=list, blank=True,
                                help_text=_("References, dates, summaries and what we changed, at launch."))
    letter_subject = models.CharField(_("letter subject"), max_length=200, blank=True)
    letter_body = models.TextField(_("letter"), blank=True)
    address_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    ship_name = models.CharField(_("recipient name"), max_length=120, blank=True)
    ship_phone = models.CharField(_("phone"), max_length=30, blank=True)
    ship_address = models.TextField(_("postal address"), blank=True)
    ship_postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    confirmed_at = models.DateTimeField(_("address confirmed"), null=True, blank=True)
    courier = models.CharField(_("courier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gift recipient")
        verbose_name_plural = _("gift recipients")
        ordering = ["campaign", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="care_gift_recipient_once_per_campaign"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.person}"


class KeyAccountReport(models.Model):
    """A monthly service report for one key account, kept as the PDF that was sent."""

    organisation = models.ForeignKey("home.Organisation", verbose_name=_("key account"), on_delete=models.CASCADE,
                                     related_name="care_reports")
    month = models.DateField(_("month"), help_text=_("First day of the month reported on."))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    pdf = models.BinaryField(_("PDF"), editable=False)
    sent_to = models.EmailField(_("sent to"), blank=True)
    created_at = models.DateTimeField(_("generated"), auto_now_add=True)

    class Meta:
        verbose_name = _("key-account report")
        verbose_name_plural = _("key-account reports")
        ordering = ["-month", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "month"], name="care_report_once_per_month")]

    def __str__(self):
        return f"{self.organisation} {self.month:%Y-%m}"

    @property
    def month_label(self):
        return f"{self.month:%Y-%m}"
