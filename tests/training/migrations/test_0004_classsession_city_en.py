"""The migration that splits "杭州 Hangzhou" into a Chinese and an English city name, and back."""

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

migration = importlib.import_module("training.migrations.0004_classsession_city_en")

BEFORE = ("training", "0003_signup_limits_calendar_prerequisite_policy")
AFTER = ("training", "0004_classsession_city_en")


@pytest.mark.parametrize(("old", "split"), [
    ("杭州 Hangzhou", ("杭州", "Hangzhou")),
    ("  北京   Beijing ", ("北京", "Beijing")),
    ("乌鲁木齐 Urumqi City", ("乌鲁木齐", "Urumqi City")),
    ("苏州", ("苏州", "")),
    ("Hangzhou", ("Hangzhou", "Hangzhou")),
])
def test_split_city(old, split):
    assert migration.split_city(old) == split


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_migration_splits_existing_cities_and_joins_them_back(home_pages):
    from ..signup_helpers import catalog, course

    page = course(catalog(home_pages), title="防火墙认证工程师")
    apps = _migrate(BEFORE)
    try:
        OldSession = apps.get_model("training", "ClassSession")
        starts = timezone.now() + timedelta(days=20)
        fields = {"course_id": page.pk, "starts_at": starts, "ends_at": starts + timedelta(hours=8), "venue": "x",
                  "signup_deadline": starts - timedelta(days=3)}
        pks = [OldSession.objects.create(city=city, **fields).pk for city in ("杭州 Hangzhou", "苏州")]

        apps = _migrate(AFTER)
        NewSession = apps.get_model("training", "ClassSession")
        rows = dict(NewSession.objects.filter(pk__in=pks).values_list("city", "city_en"))
        assert rows == {"杭州": "Hangzhou", "苏州": ""}

        apps = _migrate(BEFORE)
        OldSession = apps.get_model("training", "ClassSession")
        assert sorted(OldSession.objects.filter(pk__in=pks).values_list("city", flat=True)) == ["杭州 Hangzhou", "苏州"]
    finally:
        _migrate(AFTER)
