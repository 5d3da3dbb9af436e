"""Year-end gift campaigns for customers who gave feedback, and the thank-you letter templates."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.models import DraftStateMixin, RevisionMixin

from .complaints import new_token

__all__ = ["LetterTemplate", "GiftCampaign", "GiftRecipient"]


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
    gift_description = models.CharField(_("gift (Chinese)"), max_length=200)
    gift_description_en = models.CharField(_("gift (English)"), max_length=200)
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
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})

    def gift_for(self, language):
        return self.gift_description_en if (language or "").startswith("en") else self.gift_description


class GiftRecipient(models.Model):
    """One customer of one campaign: their letter and their gift's way to them."""

    class State(models.TextChoices):
        EXCLUDED = "excluded", _("excluded: asked not to be contacted")
        ADDRESS_TO_CONFIRM = "address_to_confirm", _("address to confirm")
        CONFIRMED = "confirmed", _("address confirmed")
        SHIPPED = "shipped", _("shipped")
        DELIVERED = "delivered", _("delivered")
        RETURNED = "returned", _("returned")

    class ConfirmedBy(models.TextChoices):
        CUSTOMER = "customer", _("the customer")
        STAFF = "staff", _("care staff")

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
    confirmed_by = models.CharField(
        _("address confirmed by"), max_length=10, choices=ConfirmedBy.choices, blank=True,
        help_text=_("An address staff entered or corrected counts as confirmed by staff."),
    )
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

    @property
    def gift(self):
        """The gift named in the recipient's language."""
        return self.campaign.gift_for(self.language)
