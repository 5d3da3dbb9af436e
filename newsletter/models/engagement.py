"""What readers send back: answers to an issue's questions and polls, and replies to the editors."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["SectionAnswer", "ReaderReply"]


class SectionAnswer(models.Model):
    """One reader's answer to one interactive section ("was this helpful?" or a poll) of an issue.

    ``reader_key`` is a hash of the reader's email token or web session: one answer per reader per
    section; answering again changes the answer, it does not add one.
    """

    class Source(models.TextChoices):
        WEB = "web", _("web page")
        EMAIL = "email", _("email")

    issue = models.ForeignKey("newsletter.IssuePage", verbose_name=_("issue"), on_delete=models.CASCADE,
                              related_name="answers")
    block_id = models.CharField(_("section"), max_length=64)
    choice = models.CharField(_("answer"), max_length=20)
    reader_key = models.CharField(max_length=64, editable=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "block_id", "reader_key"], name="answer_one_per_reader"),
        ]

    def __str__(self):
        return f"{self.issue_id}/{self.block_id}: {self.choice}"


class ReaderReply(models.Model):
    """A reader's message to the editors about an issue; the care team works through them."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        IN_PROGRESS = "in_progress", _("in progress")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed, no answer needed")

    class Source(models.TextChoices):
        WEB = "web", _("web page")
        EMAIL = "email", _("email")

    issue = models.ForeignKey("newsletter.IssuePage", verbose_name=_("issue"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="replies")
    person = models.ForeignKey("home.Person", verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="journal_replies")
    name = models.CharField(_("name"), max_length=120, blank=True)
    email = models.EmailField(_("email"))
    body = models.TextField(_("message"), help_text=_("Sanitised HTML."))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW,
                              db_index=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("internal note"), blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("reader reply")
        verbose_name_plural = _("reader replies")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name or self.email}: {self.issue or '-'}"
