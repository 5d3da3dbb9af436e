import pytest
from django.core.exceptions import ValidationError

from home.models import Organisation, Person
from home.services.people import person_match_or_create

pytestmark = pytest.mark.django_db


def test_same_person_is_found_by_email_or_mobile():
    first = person_match_or_create(name="王伟", email="Wang.Wei@Example.com", organisation_name="华安科技")
    by_email = person_match_or_create(name="王伟", email="wang.wei@example.com ", mobile="13900001111")
    by_mobile = person_match_or_create(mobile="+86 139 0000 1111", name="Wang Wei", update=False)
    assert first.pk == by_email.pk == by_mobile.pk
    assert Person.objects.count() == 1
    person = Person.objects.get()
    assert person.mobile == "+8613900001111"
    assert person.name == "王伟"
    assert person.organisation.name == "华安科技"


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
