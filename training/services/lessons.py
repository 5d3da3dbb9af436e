"""Writes of video lessons: a learner's progress, and the prerequisite check it feeds (a course may
require a basic course: its lessons watched, or a certificate for it)."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from home.selectors import person_find

from ..models import Certificate, CourseLesson, LessonProgress
from . import TrainingError

LESSON_COURSE_FIELD = "page"  # CourseLesson's link to its course page


def _person_for_user(user):
    if not getattr(user, "email", ""):
        return None
    return person_find(email=user.email).first()


def lesson_progress_record(*, user, lesson_id: int, seconds_watched: int = 0, completed: bool = False) -> LessonProgress:
    """Record how far a signed-in learner got in a lesson. Progress only moves forward."""
    if not getattr(user, "is_authenticated", False):
        raise TrainingError(_("Sign in to keep track of the lessons you have watched."))
    try:
        lesson = CourseLesson.objects.get(pk=lesson_id)
    except CourseLesson.DoesNotExist:
        raise TrainingError(_("This lesson does not exist."))
    person = _person_for_user(user)
    with transaction.atomic():
        progress = LessonProgress.objects.select_for_update().filter(user=user, lesson=lesson).first()
        if progress is None and person is not None:
            progress = LessonProgress.objects.select_for_update().filter(person=person, lesson=lesson).first()
        if progress is None:
            progress = LessonProgress(user=user, lesson=lesson)
        if progress.person_id is None and person is not None:
            progress.person = person
        progress.seconds_watched = max(progress.seconds_watched, max(int(seconds_watched or 0), 0))
        if completed and progress.completed_at is None:
            progress.completed_at = timezone.now()
        progress.full_clean(validate_unique=False, validate_constraints=False)
        progress.save()
    return progress


def _lessons_of(course) -> list:
    return list(CourseLesson.objects.filter(**{LESSON_COURSE_FIELD: course}))


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
    learner = Q(person=person)
    if person.email:
        learner |= Q(user__email__iexact=person.email)
    done = set(
        LessonProgress.objects.filter(learner, completed_at__isnull=False).values_list("lesson_id", flat=True)
    )
    for page in translations:
        lessons = _lessons_of(page)
        if lessons and all(lesson.pk in done for lesson in lessons):
            return True
    return not any(_lessons_of(page) for page in translations)
