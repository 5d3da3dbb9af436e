"""Customers and their devices, care teams, call scripts, calls, satisfaction ratings and surveys."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin, RevisionMixin
from wagtail.search import index

__all__ = [
    "CareTeam",
    "CustomerAccount",
    "Device",
    "CallScript",
    "CallPurpose",
    "Call",
    "CallAttempt",
    "SatisfactionRating",
    "SurveyInvitation",
]


class CareTeam(models.Model):
    """A team of care staff. Staff see the calls of their own teams only."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="care_teams"
    )

    panels = [FieldPanel("name"), FieldPanel("members")]

    class Meta:
        verbose_name = _("care team")
        verbose_name_plural = _("care teams")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CustomerAccount(index.Indexed, models.Model):
    """A customer: a company (home.Organisation, contacts are its people) or a private person."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("company")
        PERSON = "person", _("private person")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    organisation = models.OneToOneField(
        "home.Organisation", verbose_name=_("organisation"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="customer_account",
    )
    person = models.OneToOneField(
        "home.Person", verbose_name=_("person"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="customer_account", help_text=_("For a private customer: the person."),
    )
    address = models.TextField(_("address"), blank=True)
    team = models.ForeignKey(
        CareTeam, verbose_name=_("care team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("key-account specialist"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="key_accounts",
    )
    direct_line = models.CharField(_("direct line"), max_length=40, blank=True)
    mailbox = models.EmailField(_("key-account mailbox"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    search_fields = [index.AutocompleteField("address")]

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="company", organisation__isnull=False, person__isnull=True)
                           | models.Q(kind="person", person__isnull=False, organisation__isnull=True)),
                name="care_customer_company_or_person",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        if self.organisation_id:
            return self.organisation.name
        if self.person_id:
            return str(self.person)
        return f"#{self.pk}"

    @property
    def is_key_account(self):
        return bool(self.organisation_id and self.organisation.is_key_account)

    def clean(self):
        if self.kind == self.Kind.COMPANY and (not self.organisation_id or self.person_id):
            raise ValidationError({"organisation": _("A company customer needs an organisation and no person.")})
        if self.kind == self.Kind.PERSON and (not self.person_id or self.organisation_id):
            raise ValidationError({"person": _("A private customer needs a person and no organisation.")})


class Device(models.Model):
    """A registered device or service of a customer."""

    customer = models.ForeignKey(CustomerAccount, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="devices")
    product_line = models.ForeignKey("home.ProductLine", verbose_name=_("product line"), on_delete=models.PROTECT,
                                     related_name="+")
    model = models.CharField(_("model"), max_length=100)
    serial = models.CharField(_("serial number"), max_length=100, unique=True)
    service_station = models.CharField(_("service station"), max_length=100, blank=True)
    activated_on = models.DateField(_("activation date"), null=True, blank=True, db_index=True)
    warranty_until = models.DateField(_("warranty end"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["customer_id", "activated_on", "pk"]

    def __str__(self):
        return f"{self.model} ({self.serial})"

    def clean(self):
        if self.activated_on and self.warranty_until and self.warranty_until < self.activated_on:
            raise ValidationError({"warranty_until": _("The warranty cannot end before the activation date.")})


# Scripts -----------------------------------------------------------------------------------------


class CallPurpose(models.TextChoices):
    WELCOME = "welcome", _("activation welcome call")
    SIX_MONTHLY = "six_monthly", _("six-monthly callback")
    COMPLAINT_FOLLOWUP = "complaint_followup", _("complaint follow-up")
    QUALITY_CONTROL = "quality_control", _("quality-control call")


class BranchBlock(blocks.StructBlock):
    answer = blocks.CharBlock(
        label=_("on answer"),
        help_text=_('The answer, e.g. "yes", "no", a choice, a number; "<=3" or ">=4" compare numbers; "*" any.'),
    )
    goto = blocks.IntegerBlock(label=_("go to step"), min_value=0, help_text=_("Step number; 0 ends the script."))

    class Meta:
        label = _("branch")


class SayBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("say"))
    branches = blocks.ListBlock(BranchBlock(), label=_("branches"), default=[])

    class Meta:
        icon = "openquote"
        label = _("Say this")
        description = _("Text the caller reads out.")


class AskBlock(blocks.StructBlock):
    question = blocks.TextBlock(label=_("question"))
    answer_kind = blocks.ChoiceBlock(
        label=_("answer"),
        choices=[("yes_no", _("yes / no")), ("choice", _("choice")), ("number", _("number")), ("text", _("text")),
                 ("rating", _("rating 1-5"))],
        default="yes_no",
    )
    choices = blocks.ListBlock(blocks.CharBlock(label=_("choice")), label=_("choices"), default=[])
    branches = blocks.ListBlock(BranchBlock(), label=_("branches"), default=[])

    class Meta:
        icon = "help"
        label = _("Ask and record the answer")
        description = _("A question whose answer is stored with the call.")


class ChecklistBlock(blocks.StructBlock):
    item = blocks.TextBlock(label=_("checklist item"))
    branches = blocks.ListBlock(BranchBlock(), label=_("branches"), default=[])

    class Meta:
        icon = "tick-inverse"
        label = _("Checklist item")
        description = _("Something the caller checks and ticks (done / not done).")


class CallScript(DraftStateMixin, RevisionMixin, models.Model):
    """Ordered steps a caller walks through; steps may branch on an answer."""

    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=30, choices=CallPurpose.choices, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    steps = StreamField(
        [("say", SayBlock()), ("ask", AskBlock()), ("checklist", ChecklistBlock())], blank=True,
        verbose_name=_("steps"),
    )
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="callscript")

    panels = [FieldPanel("name"), FieldPanel("purpose"), FieldPanel("language"), FieldPanel("steps")]

    class Meta:
        verbose_name = _("call script")
        verbose_name_plural = _("call scripts")
        ordering = ["purpose", "language", "name"]

    def __str__(self):
        return self.name

    @property
    def revisions(self):
        return self._revisions


# Calls -------------------------------------------------------------------------------------------


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
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} · {self.customer}"

    def clean(self):
        if self.state == self.State.CLOSED and not self.disposition:
            raise ValidationError({"disposition": _("A call can't be closed without an outcome.")})


class CallAttempt(models.Model):
    """Every time someone dialled: who, when, the outcome and what was noted."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="attempt_log")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    disposition = models.CharField(_("outcome"), max_length=20, choices=Call.Disposition.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.call_id} · {self.disposition}"


# Satisfaction ------------------------------------------------------------------------------------


class SatisfactionRating(models.Model):
    """A 1-5 rating and what it rates: the staff member, the service station, the product line."""

    class Source(models.TextChoices):
        CALL = "call", _("in a call")
        SURVEY = "survey", _("survey link")

    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    customer = models.ForeignKey(CustomerAccount, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="ratings")
    person = models.ForeignKey("home.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    call = models.OneToOneField(Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="rating")
    staff_member = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    service_station = models.CharField(_("service station"), max_length=100, blank=True)
    product_line = models.ForeignKey("home.ProductLine", verbose_name=_("product line"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    complaint = models.ForeignKey("care.Complaint", verbose_name=_("complaint"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="ratings")
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="care_rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.score}/5 · {self.customer}"


class SurveyInvitation(models.Model):
    """A one-time survey link emailed after a resolved complaint or a repair."""

    token = models.CharField(max_length=64, unique=True, editable=False)
    customer = models.ForeignKey(CustomerAccount, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="survey_invitations")
    person = models.ForeignKey("home.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("for"), max_length=40, help_text=_('For example "complaint-12" or "repair-4".'))
    staff_member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    service_station = models.CharField(_("service station"), max_length=100, blank=True)
    product_line = models.ForeignKey("home.ProductLine", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    complaint = models.ForeignKey("care.Complaint", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="survey_invitations")
    expires_at = models.DateTimeField(_("expires"))
    rating = models.OneToOneField(SatisfactionRating, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="invitation")
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "person", "reason"], name="care_survey_once_per_reason"),
        ]

    def __str__(self):
        return f"{self.customer} · {self.reason}"

    @property
    def is_expired(self):
        from django.utils import timezone

        return self.expires_at < timezone.now()
