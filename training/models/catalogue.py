"""The training catalogue: catalogue and course pages, video lessons, and class sessions."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

__all__ = ["CatalogPage", "CoursePage", "CourseLesson", "ClassSession", "city_in_language"]


class CatalogPage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["training.CoursePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("training catalogue")

    def get_context(self, request, *args, **kwargs):
        from ..forms import CatalogFilterForm
        from ..selectors import catalogue_courses, session_cities

        context = super().get_context(request, *args, **kwargs)
        form = CatalogFilterForm(request.GET or None, cities=session_cities())
        filters = form.cleaned_data if form.is_valid() else {}
        context["filter_form"] = form
        context["courses"] = catalogue_courses(catalog=self, **filters)
        return context


class CoursePage(Page):
    class Level(models.TextChoices):
        BASIC_VIDEO = "basic_video", _("Basic (video)")
        ADVANCED_CERTIFICATION = "advanced_certification", _("Advanced certification (in person)")

    class PrerequisitePolicy(models.TextChoices):
        REFUSE = "refuse", _("Refuse the booking")
        FLAG = "flag", _("Accept and flag it for the coordinator")

    level = models.CharField(_("level"), max_length=30, choices=Level.choices, default=Level.ADVANCED_CERTIFICATION)
    product_line = models.ForeignKey(
        "home.ProductLine", verbose_name=_("product line"), on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    outline = RichTextField(_("outline"), blank=True, features=["h3", "bold", "italic", "ol", "ul", "link"])
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    duration_hours = models.DecimalField(_("duration (hours)"), max_digits=5, decimal_places=1, default=7)
    price = models.DecimalField(_("price (CNY)"), max_digits=10, decimal_places=2, default=0)
    certificate_title = models.CharField(
        _("certificate"), max_length=200, blank=True, help_text=_("The certificate the course leads to, if any.")
    )
    certificate_validity_months = models.PositiveSmallIntegerField(
        _("certificate validity (months)"), default=24, help_text=_("0 means the certificate does not expire.")
    )
    prerequisite_course = models.ForeignKey(
        "training.CoursePage",
        verbose_name=_("required basic course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"level": "basic_video"},
        help_text=_("A basic course the attendee must have completed before booking a class."),
    )
    prerequisite_policy = models.CharField(
        _("when the required course is missing"), max_length=10, choices=PrerequisitePolicy.choices,
        default=PrerequisitePolicy.REFUSE,
        help_text=_("Refuse the booking, or accept it and show the coordinator who still needs the basic course."),
    )

    search_fields = Page.search_fields + [
        index.SearchField("summary"), index.SearchField("outline"), index.FilterField("product_line"),
    ]
    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("level"), FieldPanel("product_line"), FieldPanel("duration_hours"), FieldPanel("price")],
            heading=_("Course"),
        ),
        FieldPanel("summary"),
        FieldPanel("outline"),
        FieldPanel("prerequisites"),
        FieldPanel("prerequisite_course"),
        FieldPanel("prerequisite_policy"),
        MultiFieldPanel(
            [FieldPanel("certificate_title"), FieldPanel("certificate_validity_months")], heading=_("Certificate")
        ),
        InlinePanel("lessons", label=_("Video lessons")),
    ]
    parent_page_types = ["training.CatalogPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("course")

    @property
    def is_basic(self) -> bool:
        return self.level == self.Level.BASIC_VIDEO

    def clean(self):
        super().clean()
        if self.prerequisite_course_id and self.prerequisite_course_id == self.pk:
            raise ValidationError({"prerequisite_course": _("A course cannot require itself.")})

    def get_context(self, request, *args, **kwargs):
        from ..selectors import course_lessons_context, course_upcoming_sessions

        context = super().get_context(request, *args, **kwargs)
        context["sessions"] = course_upcoming_sessions(course=self)
        context.update(course_lessons_context(request=request, course=self))
        return context


class CourseLesson(Orderable):
    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(_("title"), max_length=200)
    video_url = models.URLField(_("video address"), help_text=_("A video page or embed address (https)."))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=10)
    # Shared by the copies of this lesson in the course's other languages (copied with the page), so
    # progress made on one language's page shows on all of them.
    translation_key = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)

    panels = [FieldPanel("title"), FieldPanel("video_url"), FieldPanel("duration_minutes")]

    class Meta(Orderable.Meta):
        verbose_name = _("video lesson")
        verbose_name_plural = _("video lessons")

    def __str__(self):
        return self.title

    @property
    def is_video_file(self) -> bool:
        """A video file the page can play itself (and so resume), rather than another site's player."""
        return self.video_url.lower().split("?")[0].endswith((".mp4", ".webm", ".ogv", ".ogg"))


def city_in_language(city: str, city_en: str, language: str | None = None) -> str:
    """Chinese name on Chinese pages, English name elsewhere; the other one when a name is missing."""
    if (language or get_language() or "").startswith("zh"):
        return city or city_en
    return city_en or city


class ClassSession(models.Model):
    """One class of a course on one day in one city. Operational data, edited by coordinators."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FULL = "full", _("Full")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")

    course = models.ForeignKey(CoursePage, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    city = models.CharField(_("city (Chinese)"), max_length=60)
    city_en = models.CharField(_("city (English)"), max_length=60, blank=True)
    venue = models.CharField(_("venue"), max_length=300)
    trainer = models.CharField(_("trainer"), max_length=120, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=10)
    price = models.DecimalField(_("price (CNY)"), max_digits=10, decimal_places=2, default=0)
    signup_deadline = models.DateTimeField(_("sign-up deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    min_attendance = models.PositiveSmallIntegerField(_("minimum attendance"), default=4)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="classsession_capacity_positive"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="classsession_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.course.title} · {self.city_name} · {timezone.localtime(self.starts_at):%Y-%m-%d}"

    @property
    def city_name(self) -> str:
        """The city in the active language (the page's or the recipient's), else in the other one."""
        return city_in_language(self.city, self.city_en)

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A class must end after it starts.")})
        if self.starts_at and self.signup_deadline and self.signup_deadline > self.starts_at:
            raise ValidationError({"signup_deadline": _("The sign-up deadline must be before the class starts.")})
