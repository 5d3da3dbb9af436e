"""Public forms cannot rewrite a known person: the booking and complaint forms with a stranger's mobile."""

from unittest import mock

import pytest
from django.core.cache import cache

from care.models import Complaint
from home.models import OutboxMessage, Person
from home.services.people import person_match_or_create
from tests.training.signup_helpers import catalog, course, session
from training.models import Signup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


@pytest.fixture
def victim():
    return person_match_or_create(name="王伟", email="wang.wei@example.com", mobile="13900001111", language="zh-hans",
                                  organisation_name="华安科技")


def test_booking_with_a_strangers_mobile_and_a_new_email_leaves_the_stored_person_unchanged(client, home_pages, victim):
    klass = session(course(catalog(home_pages)), capacity=3)
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit"):
        response = client.post(f"/zh-hans/training/book/{klass.pk}/", {
            "attendee-TOTAL_FORMS": "1", "attendee-INITIAL_FORMS": "0", "attendee-MIN_NUM_FORMS": "1",
            "attendee-MAX_NUM_FORMS": "5", "attendee-0-name": "Mallory", "attendee-0-email": "mallory@example.com",
            "attendee-0-mobile": "139 0000 1111", "company": "Evil Corp", "serial_number": "FW-1", "accept_terms": "on",
        }, follow=True)
    assert response.redirect_chain, response.content.decode()[-3000:]
    before = (victim.name, victim.email, victim.language, victim.organisation_id)
    victim.refresh_from_db()
    assert (victim.name, victim.email, victim.language, victim.organisation_id) == before
    signup = Signup.objects.get()
    assert signup.person_id != victim.pk
    assert signup.person.email == "mallory@example.com" and signup.person.duplicate_of_id == victim.pk
    assert not Signup.objects.filter(person=victim).exists()


def test_complaints_from_other_addresses_with_one_mobile_do_not_land_on_the_known_person(client, home_pages, victim):
    for n in range(3):
        response = client.post("/zh-hans/care/complaints/new/", {
            "kind": Complaint.Kind.COMPLAINT, "category": Complaint.Category.values[0], "summary": f"投诉 {n}",
            "description": "内容", "name": f"冒名者{n}", "email": f"x{n}@example.com", "mobile": "13900001111",
        })
        assert response.status_code == 302
    assert not Complaint.objects.filter(person=victim).exists()
    assert Complaint.objects.values("person").distinct().count() == 3
    assert not OutboxMessage.objects.filter(to_email=victim.email).exists()
    assert Person.objects.filter(duplicate_of=victim).count() == 3
