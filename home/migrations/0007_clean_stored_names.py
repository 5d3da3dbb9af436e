"""Strip bidirectional formatting and control characters from names stored before input was cleaned.

Public forms now pass names through ``home.identity.normalise_name``; this cleans what came in
before. An organisation whose cleaned name collides with another's (the key is unique) keeps its
number in the name, "名称 (#12)", so staff can see and merge the pair.
"""

from django.db import migrations

from home.identity import normalise_name


def clean_names(apps, schema_editor):
    Person = apps.get_model("home", "Person")
    Organisation = apps.get_model("home", "Organisation")
    for person in Person.objects.only("pk", "name").iterator():
        clean = normalise_name(person.name)
        if clean != person.name:
            Person.objects.filter(pk=person.pk).update(name=clean)
    for org in Organisation.objects.only("pk", "name", "name_key").iterator():
        clean = normalise_name(org.name)
        if clean == org.name:
            continue
        key = clean.casefold()
        if Organisation.objects.filter(name_key=key).exclude(pk=org.pk).exists():
            clean = f"{clean} (#{org.pk})"
            key = clean.casefold()
        Organisation.objects.filter(pk=org.pk).update(name=clean, name_key=key)


class Migration(migrations.Migration):

    dependencies = [
        ("home", "0006_merge_0004_customersignin_0005_loginattempt_to_axes"),
    ]

    operations = [
        migrations.RunPython(clean_names, migrations.RunPython.noop),
    ]
