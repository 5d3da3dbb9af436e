"""Migration 0003: lessons of a course's language copies get one key per position, and progress
recorded on two copies of one lesson becomes one row."""

import importlib
import uuid

import pytest
from django.apps import apps
from django.utils import timezone

from training.models import CourseLesson, CoursePage, LessonProgress

from . import certificate_helpers as h

pytestmark = pytest.mark.django_db
migration = importlib.import_module("training.migrations.0003_lesson_translation_keys")


def test_keys_by_position_and_duplicates_merged(home_pages):
    basic = h.course(home_pages, title="入门", level=CoursePage.Level.BASIC_VIDEO, lessons=("一", "二"), months=0)
    english = basic.get_translation(h.Locale.objects.get(language_code="en")).specific
    for lesson in CourseLesson.objects.all():  # as before the migration: every copy its own key
        CourseLesson.objects.filter(pk=lesson.pk).update(translation_key=uuid.uuid4())
    person = h.person(name="冯刚")
    zh_first = basic.lessons.get(sort_order=0)
    en_first = english.lessons.get(sort_order=0)
    earlier = timezone.now() - timezone.timedelta(days=3)
    LessonProgress.objects.create(person=person, lesson=zh_first, course_key=uuid.uuid4(), lesson_key=uuid.uuid4(),
                                  seconds_watched=50)
    LessonProgress.objects.create(person=person, lesson=en_first, course_key=uuid.uuid4(), lesson_key=uuid.uuid4(),
                                  seconds_watched=10, completed_at=earlier)
    migration.fill_keys(apps, None)
    zh_keys = list(basic.lessons.order_by("sort_order").values_list("translation_key", flat=True))
    en_keys = list(english.lessons.order_by("sort_order").values_list("translation_key", flat=True))
    assert zh_keys == en_keys and len(set(zh_keys)) == 2
    [merged] = LessonProgress.objects.all()
    assert merged.seconds_watched == 50 and merged.completed_at == earlier
    assert merged.lesson_key == zh_keys[0] and merged.course_key == basic.translation_key
