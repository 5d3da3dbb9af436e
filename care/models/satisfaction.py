"""Satisfaction ratings and the one-time survey links that collect them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .calls import Call
from .customers import CustomerAccount

__all__ = ["SatisfactionRating", "SurveyInvitation"]


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
        return self.expires_at < timezone.now()
