"""Subscribers and the sending of issues to them.

A journal send is recorded by its own ledger, not by home's outbox: one ``Recipient`` row per
(delivery, subscriber) is the send record (100,000 outbox rows of 60 KB each would be wasteful).
Transactional mails (confirmations, test sends) still go through home's outbox.
"""

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from home.models import Language

__all__ = ["Subscriber", "Delivery", "DeliveryContent", "Recipient", "DeliveryLink", "Bounce", "InboundEmail"]


class Subscriber(models.Model):
    """A person's subscription to the e-journal. Name, email and company live on ``home.Person``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        ACTIVE = "active", _("active")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        BOUNCED = "bounced", _("bounced")
        COMPLAINED = "complained", _("complained")

    person = models.OneToOneField(
        "home.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="journal_subscription"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)
    product_lines = models.ManyToManyField(
        "home.ProductLine", verbose_name=_("product lines"), blank=True, related_name="+",
        help_text=_("None chosen means every product line."),
    )
    source = models.CharField(_("source"), max_length=100, blank=True)
    # The consent text shown on the form, kept until the address is confirmed and the consent recorded.
    pending_consent_text = models.TextField(blank=True, editable=False)
    soft_bounces = models.PositiveSmallIntegerField(_("soft bounces in a row"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "language"])]

    def __str__(self):
        return str(self.person)

    # The person's, labelled for the admin's listing, inspect view and export.
    @property
    @admin.display(description=_("email"))
    def email(self):
        return self.person.email

    @property
    @admin.display(description=_("name"))
    def name(self):
        return self.person.name

    @property
    @admin.display(description=_("company"))
    def company(self):
        return self.person.organisation.name if self.person.organisation_id else ""

    @property
    @admin.display(description=_("product lines"))
    def product_line_slugs(self):
        return " ".join(line.slug for line in self.product_lines.all())


class Delivery(models.Model):
    """One send of an issue to a segment. The same issue and segment always give the same row."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        BUILDING = "building", _("preparing")
        SENDING = "sending", _("sending")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    issue = models.ForeignKey(
        "newsletter.IssuePage", verbose_name=_("issue"), on_delete=models.PROTECT, related_name="deliveries"
    )
    issue_key = models.UUIDField(editable=False, help_text="The issue's translation key: one per issue, every language.")
    segment = models.JSONField(_("segment"), default=dict, blank=True)
    segment_key = models.CharField(_("segment"), max_length=300)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.SCHEDULED, db_index=True)
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    total = models.PositiveIntegerField(_("recipients"), default=0)
    # A problem of the mail server itself (refused sender, connection, authentication): the batches
    # wait and try again; no reader's status changes. Cleared by the next batch that gets through.
    transport_error = models.CharField(_("mail server problem"), max_length=300, blank=True)
    transport_error_at = models.DateTimeField(_("mail server problem since"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["issue_key", "segment_key"], name="delivery_one_per_issue_segment"),
        ]
        permissions = [("send_issue", _("Can send a journal issue"))]

    def __str__(self):
        return f"{self.issue} → {self.segment_label()}"

    def segment_label(self) -> str:
        """The segment as editors say it: all subscribers, or its languages and product lines."""
        from home.models import ProductLine

        names = dict(settings.LANGUAGES)
        languages = [str(names.get(code, code)) for code in self.segment.get("languages") or []]
        slugs = self.segment.get("product_lines") or []
        lines = [str(line) for line in ProductLine.objects.filter(slug__in=slugs)] if slugs else []
        parts = []
        if languages:
            parts.append(_("language: %(names)s") % {"names": ", ".join(languages)})
        if lines:
            parts.append(_("product lines: %(names)s") % {"names": ", ".join(lines)})
        return "; ".join(parts) or str(_("all subscribers"))

    segment_label.short_description = _("segment")

    @property
    def under_way(self):
        return self.state in {self.State.BUILDING, self.State.SENDING}


class DeliveryContent(models.Model):
    """The issue as rendered for one language of a delivery, frozen: later edits do not change it."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="contents")
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    page = models.ForeignKey("wagtailcore.Page", null=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(_("subject"), max_length=255)
    html = models.TextField(_("HTML"))
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rendered issue")
        constraints = [models.UniqueConstraint(fields=["delivery", "language"], name="delivery_content_language")]

    def __str__(self):
        return f"{self.delivery_id}/{self.language}: {self.subject}"


class Recipient(models.Model):
    """The send ledger: one row per (delivery, subscriber), and one per (issue, subscriber).

    Batches move rows queued -> sending -> sent (or failed / skipped) inside transactions, so a
    subscriber is sent an issue once; a worker that dies leaves its rows in "sending" until the sweep
    puts them back in the queue.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="recipients")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="receipts")
    issue_key = models.UUIDField(editable=False)
    rid = models.CharField(max_length=24, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=10)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The batch that holds the row while it is "sending": results are written only under this token.
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    # A deferred row (4xx reply, pacing) waits in the queue until then.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("first click"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "subscriber"], name="recipient_once_per_delivery"),
            models.UniqueConstraint(fields=["issue_key", "subscriber"], name="recipient_once_per_issue"),
        ]
        indexes = [models.Index(fields=["delivery", "state"])]

    def __str__(self):
        return f"{self.delivery_id}/{self.subscriber_id}: {self.state}"


class DeliveryLink(models.Model):
    """A link of a delivery's email, registered when the delivery was built. Clicks redirect only here."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(_("address"), max_length=2000)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        verbose_name = _("link")
        constraints = [models.UniqueConstraint(fields=["delivery", "url"], name="delivery_link_unique")]

    def __str__(self):
        return self.url


class Bounce(models.Model):
    """A bounce or complaint about an address, from SMTP or from the inbound mailbox."""

    class Kind(models.TextChoices):
        HARD = "hard", _("hard bounce")
        SOFT = "soft", _("soft bounce")
        COMPLAINT = "complaint", _("complaint")

    email = models.EmailField(_("email"))
    subscriber = models.ForeignKey(Subscriber, null=True, blank=True, on_delete=models.SET_NULL, related_name="bounces")
    recipient = models.ForeignKey(Recipient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status code"), max_length=20, blank=True)
    diagnostic = models.CharField(_("diagnostic"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("bounce")
        verbose_name_plural = _("bounces")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.email}: {self.kind}"


class InboundEmail(models.Model):
    """An email that came back to us (bounce, complaint, reply), kept so it is processed once."""

    class Kind(models.TextChoices):
        NEW = "new", _("not processed yet")
        BOUNCE = "bounce", _("bounce")
        COMPLAINT = "complaint", _("complaint")
        REPLY = "reply", _("reply")
        AUTO_REPLY = "auto_reply", _("automatic reply")
        IGNORED = "ignored", _("ignored")
        UNMATCHED = "unmatched", _("to be checked by a person")

    message_id = models.CharField(max_length=300, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.NEW)
    raw = models.BinaryField(editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return f"{self.message_id}: {self.kind}"
