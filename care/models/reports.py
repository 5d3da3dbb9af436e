"""Monthly key-account service reports, kept as the PDF that was sent."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["KeyAccountReport"]


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
