"""Lesson progress keyed on the lesson's and the course's translation_key, shared by language copies.

Existing lessons get one key per position in their course across the course's language copies
(copies were made with the same lessons in the same order); existing progress rows take their
lesson's keys, and rows that now name the same lesson for one learner are merged.
"""

import uuid

from django.db import migrations, models

NAMESPACE = uuid.UUID("6f1c1f0e-8a7b-4c39-9a57-0b2f8a4c7d21")


def fill_keys(apps, schema_editor):
    CourseLesson = apps.get_model("training", "CourseLesson")
    LessonProgress = apps.get_model("training", "LessonProgress")
    position = {}
    for lesson in CourseLesson.objects.select_related("page").order_by("page_id", "sort_order", "pk"):
        course_key = lesson.page.translation_key
        index = position.setdefault(lesson.page_id, 0)
        position[lesson.page_id] = index + 1
        lesson.translation_key = uuid.uuid5(NAMESPACE, f"{course_key}:{index}")
        lesson.save(update_fields=["translation_key"])
    kept = {}
    for progress in LessonProgress.objects.select_related("lesson__page").order_by("pk"):
        progress.course_key = progress.lesson.page.translation_key
        progress.lesson_key = progress.lesson.translation_key
        learner = ("p", progress.person_id) if progress.person_id else ("u", progress.user_id)
        other = kept.get((learner, progress.course_key, progress.lesson_key))
        if other is None:
            progress.save(update_fields=["course_key", "lesson_key"])
            kept[(learner, progress.course_key, progress.lesson_key)] = progress
            continue
        other.seconds_watched = max(other.seconds_watched, progress.seconds_watched)
        if progress.completed_at and (other.completed_at is None or progress.completed_at < other.completed_at):
            other.completed_at = progress.completed_at
        other.save(update_fields=["seconds_watched", "completed_at"])
        progress.delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0002_assessment_certificate_lessonprogress"), ("home", "0003_loginattempt_rightsrequest")]

    operations = [
        migrations.AddField("courselesson", "translation_key", models.UUIDField(null=True, editable=False)),
        migrations.AddField("lessonprogress", "course_key", models.UUIDField(null=True, verbose_name="course")),
        migrations.AddField("lessonprogress", "lesson_key", models.UUIDField(null=True, verbose_name="lesson")),
        migrations.AddField("lessonprogress", "position_seconds",
                            models.PositiveIntegerField(default=0, verbose_name="last position (seconds)")),
        migrations.RemoveConstraint("lessonprogress", "lesson_progress_user_unique"),
        migrations.RemoveConstraint("lessonprogress", "lesson_progress_person_unique"),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField("courselesson", "translation_key",
                              models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
        migrations.AlterField("lessonprogress", "course_key", models.UUIDField(db_index=True, verbose_name="course")),
        migrations.AlterField("lessonprogress", "lesson_key", models.UUIDField(verbose_name="lesson")),
        migrations.AlterField("lessonprogress", "lesson", models.ForeignKey(
            help_text="The language copy last watched.", on_delete=models.deletion.CASCADE, related_name="progress",
            to="training.courselesson")),
        migrations.AddConstraint("lessonprogress", models.UniqueConstraint(
            condition=models.Q(user__isnull=False), fields=("user", "course_key", "lesson_key"),
            name="lesson_progress_user_key_unique")),
        migrations.AddConstraint("lessonprogress", models.UniqueConstraint(
            condition=models.Q(person__isnull=False), fields=("person", "course_key", "lesson_key"),
            name="lesson_progress_person_key_unique")),
    ]
