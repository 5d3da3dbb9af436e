"""Writes of video lessons: a learner's progress, and the prerequisite check it feeds (a course may
require a basic course: its lessons watched, or a certificate for it).

Progress is kept per person and per lesson across the course's language copies: rows are keyed on
the course's and the lesson's ``translation_key``, never on one copy's id.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Certificate, CourseLesson, LessonProgress
from . import TrainingError

MAX_POSITION = 24 * 3600  # no lesson runs a day; larger numbers are noise


def lesson_progress_record(*, person, lesson_id: int, seconds_watched: int = 0, position_seconds: int | None = None,
                           completed: bool = False) -> LessonProgress:
    """Record how far a signed-in customer got in a lesson: the position to resume at, the time
    watched (which only moves forward) and, once, that it was watched to the end."""
    if person is None:
        raise TrainingError(_("Sign in to keep track of the lessons you have watched."))
    lesson = CourseLesson.objects.select_related("page").filter(pk=lesson_id).first()
    if lesson is None:
        raise TrainingError(_("This lesson does not exist."))
    course_key = lesson.page.translation_key
    with transaction.atomic():
        progress, _created = LessonProgress.objects.select_for_update().get_or_create(
            person=person, course_key=course_key, lesson_key=lesson.translation_key, defaults={"lesson": lesson},
        )
        progress.lesson = lesson
        progress.seconds_watched = min(max(progress.seconds_watched, int(seconds_watched or 0)), MAX_POSITION)
        if position_seconds is not None:
            progress.position_seconds = min(max(int(position_seconds), 0), MAX_POSITION)
        if completed and progress.completed_at is None:
            progress.completed_at = timezone.now()
        progress.full_clean(validate_unique=False, validate_constraints=False)
        progress.save()
    return progress


def prerequisite_met(*, person, course) -> bool:
    """Whether ``person`` may book ``course``: it has no prerequisite, or they completed every video
    lesson of the prerequisite course (in any of its languages), or they hold a certificate for it."""
    course = course.specific
    prerequisite = getattr(course, "prerequisite_course", None)
    if prerequisite is None:
        return True
    if person is None:
        return False
    translations = list(prerequisite.get_translations(inclusive=True))
    if Certificate.objects.filter(person=person, course__in=translations, status=Certificate.Status.VALID).exists():
        return True
    lesson_keys = set(CourseLesson.objects.filter(page__in=translations).values_list("translation_key", flat=True))
    if not lesson_keys:
        return True
    learner = Q(person=person)
    if person.email:  # progress recorded before customers could sign in, by a staff user of this email
        learner |= Q(user__email__iexact=person.email)
    done = set(
        LessonProgress.objects.filter(learner, course_key=prerequisite.translation_key, completed_at__isnull=False)
        .values_list("lesson_key", flat=True)
    )
    # Every lesson of one language copy: a lesson added to one copy only is still required there.
    for page in translations:
        keys = {lesson.translation_key for lesson in page.specific.lessons.all()}
        if keys and keys <= done:
            return True
    return False
