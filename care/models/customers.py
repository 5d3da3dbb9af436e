"""Customers and their devices, and the care teams that look after them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from home.identity import phone_key

__all__ = ["CareTeam", "CustomerAccount", "Device"]


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


class CustomerAccount(models.Model):
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
    direct_line_key = models.CharField(max_length=40, blank=True, editable=False,
                                       help_text="home.identity.phone_key of the direct line, for the search.")
    mailbox = models.EmailField(_("key-account mailbox"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["pk"]
        indexes = [models.Index(fields=["direct_line_key"], name="care_customer_line_key",
                                opclasses=["varchar_pattern_ops"])]  # prefix search; opclasses: PostgreSQL only
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="company", organisation__isnull=False, person__isnull=True)
                           | models.Q(kind="person", person__isnull=False, organisation__isnull=True)),
                name="care_customer_company_or_person",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.direct_line_key = phone_key(self.direct_line)
        if kwargs.get("update_fields") is not None and "direct_line" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "direct_line_key"}
        super().save(*args, **kwargs)

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
