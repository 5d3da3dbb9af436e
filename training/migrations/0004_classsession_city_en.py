"""One city name per language: "杭州 Hangzhou" becomes city "杭州" and city_en "Hangzhou"."""

import re

from django.db import migrations, models

# A Chinese name, spaces, then a name starting with a Latin letter: "杭州 Hangzhou", "北京  Beijing".
BILINGUAL = re.compile(r"^\s*(?P<zh>[^\x00-\x7f][^A-Za-z]*?)\s+(?P<en>[A-Za-z].*?)\s*$")
LATIN_ONLY = re.compile(r"^[\x00-\x7f]+$")


def split_city(value: str) -> tuple[str, str]:
    """(Chinese, English) from an old free-text city. A name in one language only keeps it in its field."""
    value = (value or "").strip()
    match = BILINGUAL.match(value)
    if match:
        return match["zh"].strip(), match["en"]
    if LATIN_ONLY.match(value):
        return value, value  # the Chinese field is required; the English name is known
    return value, ""


def forwards(apps, schema_editor):
    ClassSession = apps.get_model("training", "ClassSession")
    for klass in ClassSession.objects.only("pk", "city", "city_en").iterator():
        city, city_en = split_city(klass.city)
        if (city, city_en) != (klass.city, klass.city_en):
            ClassSession.objects.filter(pk=klass.pk).update(city=city, city_en=city_en)


def backwards(apps, schema_editor):
    ClassSession = apps.get_model("training", "ClassSession")
    for klass in ClassSession.objects.only("pk", "city", "city_en").iterator():
        if klass.city_en and klass.city_en != klass.city:
            ClassSession.objects.filter(pk=klass.pk).update(city=f"{klass.city} {klass.city_en}"[:60])


class Migration(migrations.Migration):

    dependencies = [
        ("training", "0003_signup_limits_calendar_prerequisite_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="classsession",
            name="city_en",
            field=models.CharField(blank=True, max_length=60, verbose_name="city (English)"),
        ),
        migrations.AlterField(
            model_name="classsession",
            name="city",
            field=models.CharField(max_length=60, verbose_name="city (Chinese)"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
