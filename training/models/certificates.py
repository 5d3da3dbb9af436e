"""Certificates, the trainer's assessment of each attendee, and progress through video lessons."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

__all__ = ["Assessment", "Certificate", "LessonProgress", "certificate_number_new"]

# Crockford's base32 without I, L, O and U: nothing to misread on paper or over the phone.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_RANDOM_CHARS = 10  # 50 random bits per year


def certificate_number_new(year: int | None = None) -> str:
    """A fresh random number such as ``C2026K7Q2MX9D4T``: "C", the year, ten random characters."""
    year = year or timezone.localdate().year
    return f"C{year}" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_RANDOM_CHARS))


def certificate_pdf_path(instance, filename):
    return f"certificates/{instance.issued_on:%Y}/{instance.number}.pdf"


class Certificate(models.Model):
    """A certificate earned by passing a class. Revocation is stored; expiry follows from the date
    (``state``), so a lapsed certificate shows as expired the day after its last valid day without
    waiting for any job."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")

    class State(models.TextChoices):
        """What a reader is told: the stored status combined with the expiry date."""

        VALID = "valid", _("Valid")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    number = models.CharField(_("certificate number"), max_length=20, unique=True, editable=False)
    person = models.ForeignKey(
        "home.Person", verbose_name=_("holder"), on_delete=models.PROTECT, related_name="certificates"
    )
    holder_name = models.CharField(_("holder name at issue"), max_length=120)
    course = models.ForeignKey(
        "training.CoursePage", verbose_name=_("course"), on_delete=models.PROTECT, related_name="certificates"
    )
    course_title_zh_hans = models.CharField(_("course title (Chinese)"), max_length=255)
    course_title_en = models.CharField(_("course title (English)"), max_length=255, blank=True)
    product_line = models.ForeignKey(
        "home.ProductLine", verbose_name=_("product line"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    session = models.ForeignKey(
        "training.ClassSession", verbose_name=_("class"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="certificates",
    )
    signup = models.OneToOneField(
        "training.Signup", verbose_name=_("sign-up"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="certificate",
    )
    class_date = models.DateField(_("class date"))
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True, db_index=True,
                                  help_text=_("Empty: the certificate does not expire."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID, db_index=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to=certificate_pdf_path, blank=True)
    pdf_rendered_at = models.DateTimeField(_("PDF made at"), null=True, blank=True)
    reminded_60_at = models.DateTimeField(_("60-day reminder sent"), null=True, blank=True)
    reminded_14_at = models.DateTimeField(_("14-day reminder sent"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("issued by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-pk"]
        permissions = [
            ("issue_certificate", _("Can issue certificates for a class")),
            ("revoke_certificate", _("Can revoke certificates")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=models.F("issued_on")),
                name="certificate_expires_after_issue",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.holder_name}"

    def state_on(self, day) -> str:
        if self.status == self.Status.REVOKED:
            return self.State.REVOKED
        if self.expires_on is not None and self.expires_on < day:
            return self.State.EXPIRED
        return self.State.VALID

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    def get_state_display(self):
        return self.State(self.state).label

    @property
    def course_title(self):
        if (get_language() or "").startswith("en") and self.course_title_en:
            return self.course_title_en
        return self.course_title_zh_hans


class Assessment(models.Model):
    """The trainer's verdict on one attendee of a class, with an optional practical checklist.

    ``checklist`` is a list of ``{"item": "...", "done": true}``.
    """

    class Result(models.TextChoices):
        PENDING = "pending", _("Not assessed yet")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    signup = models.OneToOneField("training.Signup", verbose_name=_("sign-up"), on_delete=models.CASCADE,
                                  related_name="assessment")
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.PENDING)
    checklist = models.JSONField(_("practical checklist"), default=list, blank=True)
    notes = models.TextField(_("trainer's notes"), blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("assessed by"))
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self):
        return f"{self.signup} {self.get_result_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if not isinstance(self.checklist, list) or not all(
            isinstance(row, dict) and isinstance(row.get("item"), str) and isinstance(row.get("done"), bool)
            for row in self.checklist
        ):
            raise ValidationError({"checklist": _('Give a list of {"item": "...", "done": true/false}.')})


class LessonProgress(models.Model):
    """How far one learner got through one video lesson, in whichever language they watched it.

    Keyed on the lesson's and the course's ``translation_key``: the copies of a lesson in the course's
    languages share one row. Learners are people (signed in through ``home.customers``); rows of
    staff users who watched through the admin sign-in keep ``user`` and get the person their email
    matches."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    person = models.ForeignKey("home.Person", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="lesson_progress")
    lesson = models.ForeignKey("training.CourseLesson", on_delete=models.CASCADE, related_name="progress",
                               help_text=_("The language copy last watched."))
    course_key = models.UUIDField(_("course"), db_index=True)
    lesson_key = models.UUIDField(_("lesson"))
    seconds_watched = models.PositiveIntegerField(_("seconds watched"), default=0)
    position_seconds = models.PositiveIntegerField(_("last position (seconds)"), default=0)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "course_key", "lesson_key"], condition=models.Q(user__isnull=False),
                                    name="lesson_progress_user_key_unique"),
            models.UniqueConstraint(fields=["person", "course_key", "lesson_key"],
                                    condition=models.Q(person__isnull=False), name="lesson_progress_person_key_unique"),
            models.CheckConstraint(condition=models.Q(user__isnull=False) | models.Q(person__isnull=False),
                                   name="lesson_progress_has_learner"),
        ]

    def __str__(self):
        return f"{self.user or self.person} · {self.lesson_id}"
