import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from wagtail.models import ModelLogEntry

from home.exceptions import HomeError
from home.models import Organisation, Person
from home.services.people import person_keep_apart, person_match_or_create, person_merge

pytestmark = pytest.mark.django_db


def test_staff_input_finds_the_same_person_by_email_or_mobile_and_fills_in():
    first = person_match_or_create(name="王伟", email="Wang.Wei@Example.com", organisation_name="华安科技")
    by_email = person_match_or_create(name="王伟", email="wang.wei@example.com ", mobile="13900001111", update=True)
    by_mobile = person_match_or_create(mobile="+86 139 0000 1111", name="Wang Wei")
    assert first.pk == by_email.pk == by_mobile.pk
    assert Person.objects.count() == 1
    person = Person.objects.get()
    assert person.mobile == "+8613900001111"
    assert person.name == "王伟"
    assert person.organisation.name == "华安科技"


def test_public_input_attaches_only_when_every_identifier_agrees():
    known = person_match_or_create(name="王伟", email="wang.wei@example.com", mobile="13900001111", language="zh-hans",
                                   organisation_name="华安科技")
    both = person_match_or_create(name="Intruder", email="WANG.WEI@example.com", mobile="139 0000 1111",
                                  language="en", organisation_name="Evil Corp")
    email_only = person_match_or_create(name="Intruder", email="wang.wei@example.com", language="en")
    mobile_only = person_match_or_create(name="Intruder", mobile="+8613900001111", organisation_name="Evil Corp")
    assert both.pk == email_only.pk == mobile_only.pk == known.pk
    known.refresh_from_db()
    assert (known.name, known.language, known.organisation.name) == ("王伟", "zh-hans", "华安科技")


def test_a_strangers_mobile_with_a_new_email_leaves_the_known_person_alone_and_is_flagged():
    known = person_match_or_create(name="王伟", email="wang.wei@example.com", mobile="13900001111")
    stranger = person_match_or_create(name="Mallory", email="mallory@example.com", mobile="13900001111",
                                      organisation_name="Evil Corp")
    again = person_match_or_create(name="Mallory", email="mallory@example.com", mobile="13900001111")
    known.refresh_from_db()
    assert stranger.pk != known.pk and again.pk == stranger.pk
    assert stranger.duplicate_of_id == known.pk
    assert (known.name, known.email, known.organisation) == ("王伟", "wang.wei@example.com", None)
    # A known email with another mobile is kept apart too.
    other = person_match_or_create(email="wang.wei@example.com", mobile="13700001111")
    assert other.pk != known.pk and other.duplicate_of_id == known.pk
    assert Person.objects.filter(duplicate_of=None).count() == 1


def test_bidi_controls_are_stripped_from_names():
    person = person_match_or_create(name="Ali\u202ecod.exe\u202c\x00  Bob", email="a@example.com")
    assert person.name == "Alicod.exe Bob"


def test_merge_moves_records_fills_blanks_and_is_logged(django_user_model):
    from home.models import Consent

    manager = django_user_model.objects.create_user("manager", password="x")
    known = person_match_or_create(name="王伟", email="wang.wei@example.com")
    flagged = person_match_or_create(name="Wang", email="wang.wei@example.com", mobile="13900001111")
    assert flagged.duplicate_of_id == known.pk
    Consent.objects.create(person=flagged, purpose=Consent.Purpose.values[0], granted=True, source="test")
    merged = person_merge(flagged_id=flagged.pk, acting_user=manager)
    assert merged.pk == known.pk
    assert not Person.objects.filter(pk=flagged.pk).exists()
    known.refresh_from_db()
    assert (known.name, known.mobile) == ("王伟", "+8613900001111")
    assert known.consents.count() == 1
    entry = ModelLogEntry.objects.get(action="home.person_merge")
    assert entry.user_id == manager.pk and entry.object_id == str(known.pk)


def test_keep_apart_refused_while_an_identifier_is_shared(django_user_model):
    manager = django_user_model.objects.create_user("manager", password="x")
    person_match_or_create(email="wang.wei@example.com", mobile="13900001111")
    flagged = person_match_or_create(email="other@example.com", mobile="13900001111")
    with pytest.raises(HomeError):
        person_keep_apart(flagged_id=flagged.pk, acting_user=manager)
    assert Person.objects.get(pk=flagged.pk).duplicate_of_id is not None


def test_organisation_matched_ignoring_case_and_spaces():
    person_match_or_create(email="a@example.com", organisation_name="Acme  Hosting")
    person_match_or_create(email="b@example.com", organisation_name="acme hosting")
    assert Organisation.objects.count() == 1


def test_invalid_input_creates_nothing():
    with pytest.raises(ValidationError):
        person_match_or_create(email="broken", name="x")
    with pytest.raises(ValidationError):
        person_match_or_create(name="nobody")
    assert not Person.objects.exists()


NEEDS_POSTGRES = "needs PostgreSQL: run with DATABASE_URL=postgres://... (SQLite serialises writers, so there is no race)"


def _race(count, target):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_subscriptions_of_one_email_both_answer_200_and_make_one_person(home_pages):
    if connection.vendor != "postgresql":
        pytest.skip(NEEDS_POSTGRES)
    from django.test import Client

    def subscribe():
        response = Client().post("/zh-hans/journal/subscribe/", {
            "email": "first.time@example.com", "name": "First", "language": "zh-hans", "consent": "on"}, follow=True)
        return response.status_code

    results, errors = _race(2, subscribe)
    assert errors == [] and results == [200, 200]
    assert Person.objects.filter(email="first.time@example.com").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_submissions_of_one_email_make_one_person():
    if connection.vendor != "postgresql":
        pytest.skip(NEEDS_POSTGRES)
    results, errors = _race(8, lambda: person_match_or_create(email="new@example.com", name="New").pk)
    assert errors == []
    assert len(set(results)) == 1 and len(results) == 8
    assert Person.objects.filter(email="new@example.com").count() == 1
