"""Monthly key-account service reports, kept as the PDF that was sent; the per-day counts the
dashboards chart."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["DayCount", "KeyAccountReport"]


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


class DayCount(models.Model):
    """How many calls were completed and complaints received or resolved on one (local) day, per
    assignee and team (calls) or kind, category and product line (complaints): what the dashboards
    chart, so that they read a few hundred rows instead of every call.

    Written only by ``care.services.daycounts``: the services that close calls and receive, change or
    resolve complaints recount the days they touched in their own transaction; a nightly task recounts
    everything. Deleting a user or product line sets it to NULL here as on the calls and complaints.
    """

    class Measure(models.TextChoices):
        CALLS_COMPLETED = "calls_completed", _("calls completed")
        COMPLAINTS_RECEIVED = "complaints_received", _("complaints received")
        COMPLAINTS_RESOLVED = "complaints_resolved", _("complaints resolved")

    day = models.DateField(_("day"))
    measure = models.CharField(_("measure"), max_length=30, choices=Measure.choices)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey("care.CareTeam", null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, blank=True)
    category = models.CharField(max_length=30, blank=True)
    product_line = models.ForeignKey("home.ProductLine", null=True, on_delete=models.SET_NULL, related_name="+")
    n = models.PositiveIntegerField(_("count"))
    hours = models.FloatField(_("hours to resolve (sum)"), default=0)

    class Meta:
        verbose_name = _("day count")
        verbose_name_plural = _("day counts")
        indexes = [models.Index(fields=["measure", "day"]), models.Index(fields=["measure", "assignee", "day"])]

    def __str__(self):
        return f"{self.day} {self.measure}: {self.n}"
