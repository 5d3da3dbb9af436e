"""The shared base: site settings, the home page, the people every app links to, and the outbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


@register_setting(icon="site")
class ServiceSettings(BaseSiteSetting):
    hotline = models.CharField(_("service hotline"), max_length=40, default="400-800-8888")
    hours_zh_hans = models.CharField(_("service hours (Chinese)"), max_length=200, default="周一至周五 9:00–18:00")
    hours_en = models.CharField(_("service hours (English)"), max_length=200, default="Mon–Fri 9:00–18:00")
    care_email = models.EmailField(_("care team email"), default="care@example.com")

    panels = [FieldPanel("hotline"), FieldPanel("hours_zh_hans"), FieldPanel("hours_en"), FieldPanel("care_email")]

    class Meta:
        verbose_name = _("customer service")

    @property
    def hours(self):
        return self.hours_en if (get_language() or "").startswith("en") else self.hours_zh_hans


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["newsletter.JournalIndexPage", "newsletter.KnowledgeIndexPage", "training.CatalogPage", "home.StandardPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from .registry import home_sections

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = [section(request, self) for section in home_sections.items()]
        return context


class StandardPage(Page):
    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["home.HomePage", "home.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class Organisation(models.Model):
    """A customer company. Key accounts get a dedicated specialist (see care)."""

    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, unique=True, editable=False)
    is_key_account = models.BooleanField(_("key account"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = " ".join(self.name.split()).casefold()
        super().save(*args, **kwargs)


class Person(models.Model):
    """One human being, whichever app met them first. Matched by normalised email or mobile."""

    name = models.CharField(_("name"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True, default="")
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, default="")
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    do_not_contact = models.BooleanField(
        _("do not contact"), default=False, help_text=_("The person asked not to be contacted.")
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("possible duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="possible_duplicates",
        help_text=_("A public form gave details that conflict with this person's; staff decide whether to merge."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "pk"]
        permissions = [("merge_person", _("Can merge possible duplicate people"))]
        # The lookups of the care search (the unique constraints below are partial: no use to them). Every
        # lookup by mobile gives one, so people without a mobile (most of an imported list) stay out of it.
        indexes = [models.Index(fields=["email"], name="person_email_idx"),
                   models.Index(fields=["mobile"], name="person_mobile_idx", condition=~models.Q(mobile=""))]
        constraints = [
            # Only people not flagged as possible duplicates hold an email or mobile uniquely.
            models.UniqueConstraint(fields=["email"], condition=~models.Q(email="") & models.Q(duplicate_of=None),
                                    name="person_email_unique"),
            models.UniqueConstraint(fields=["mobile"], condition=~models.Q(mobile="") & models.Q(duplicate_of=None),
                                    name="person_mobile_unique"),
        ]

    def __str__(self):
        return self.name or self.email or self.mobile or f"#{self.pk}"

    @property
    def masked_mobile(self):
        from .identity import mask_mobile

        return mask_mobile(self.mobile)


class OutboxMessage(models.Model):
    """Every email the system sends is a row here, sent by a worker after the transaction commits."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    key = models.CharField(
        _("idempotency key"), max_length=200, unique=True, null=True, blank=True,
        help_text=_("Enqueueing the same key twice sends one message."),
    )
    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_email = models.EmailField(_("to"))
    from_email = models.CharField(_("from"), max_length=254, blank=True)
    reply_to = models.CharField(_("reply to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(default=list, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {self.to_email}"



class ProductLine(models.Model):
    """A product line (firewalls, hosting, mail, PCs...): managed data shared by every app."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    panels = [FieldPanel("name_zh_hans"), FieldPanel("name_en"), FieldPanel("slug"), FieldPanel("sort_order"),
              FieldPanel("active")]

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["sort_order", "slug"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh_hans


class Consent(models.Model):
    """A ledger of consents: one row each time a person gives or withdraws one. Never updated."""

    class Purpose(models.TextChoices):
        JOURNAL = "journal", _("e-journal subscription")
        TRAINING_TERMS = "training_terms", _("training terms")
        MARKETING = "marketing", _("marketing")
        CARE_CONTACT = "care_contact", _("care calls and letters")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=100, help_text=_("Form, import or channel it came from."))
    text = models.TextField(_("text agreed to"), blank=True)
    text_version = models.CharField(_("text version"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.person} {self.purpose} {'+' if self.granted else '-'}"


class AccessLog(models.Model):
    """Append-only: which staff member looked at whose personal data, and what."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="access_logs")
    what = models.CharField(_("what"), max_length=200)
    path = models.CharField(_("address"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user} → {self.person}: {self.what}"


# Personal data rights and staff account security (issue 10) ------------------------------------


def private_storage():
    """Files that must never be reachable by URL (rights-request archives): under VAR_DIR/private."""
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=getattr(settings, "PRIVATE_ROOT", settings.VAR_DIR / "private"), base_url=None)


class RightsRequest(models.Model):
    """A person's request to see, export, correct or erase their data, and what was done about it."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("access and export")
        ERASURE = "erasure", _("erasure")
        CORRECTION = "correction", _("correction")

    class Channel(models.TextChoices):
        PUBLIC = "public", _("public form")
        STAFF = "staff", _("entered by staff")

    class State(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("waiting for email confirmation")
        OPEN = "open", _("open")
        COMPLETED = "completed", _("completed")
        REFUSED = "refused", _("refused")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.STAFF)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN, db_index=True)
    email = models.EmailField(_("email searched"), blank=True)
    mobile = models.CharField(_("mobile searched"), max_length=20, blank=True)
    details = models.TextField(_("details"), blank=True, help_text=_("What the person asked for, in their words."))
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)
    outcome = models.TextField(_("outcome"), blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    token = models.CharField(max_length=64, unique=True, editable=False)
    archive = models.FileField(_("archive"), storage=private_storage, upload_to="rights/", blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.email or self.mobile} · {self.created_at:%Y-%m-%d}"


class CustomerSignin(models.Model):
    """One sign-in link and code sent to a customer. Only hashes are kept; each works once, briefly."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        SMS = "sms", _("text message")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="signins")
    channel = models.CharField(_("sent by"), max_length=5, choices=Channel.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    code_hash = models.CharField(max_length=64, editable=False)
    failed_codes = models.PositiveSmallIntegerField(_("wrong codes entered"), default=0)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer sign-in")
        verbose_name_plural = _("customer sign-ins")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.person} · {self.get_channel_display()} · {self.created_at:%Y-%m-%d %H:%M}"
