"""Call scripts: ordered steps a caller walks through, authored as snippets with drafts."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin, RevisionMixin

__all__ = ["CallPurpose", "CallScript"]


class CallPurpose(models.TextChoices):
    WELCOME = "welcome", _("activation welcome call")
    SIX_MONTHLY = "six_monthly", _("six-monthly callback")
    COMPLAINT_FOLLOWUP = "complaint_followup", _("complaint follow-up")
    QUALITY_CONTROL = "quality_control", _("quality-control call")
    INBOUND = "inbound", _("inbound call")


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
