import pytest
from django.urls import reverse
from django.utils import timezone

from care import selectors
from care.models import Call
from care.services.customers import contact_add
from care.services.devices import device_register
from home.models import AccessLog, Person
from newsletter import selectors as journal_selectors
from newsletter.services.engagement import reply_create
from tests.care.calls_fixtures import *  # noqa: F403
from tests.training import signup_helpers
from training import selectors as training_selectors
from training.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(teams, make_customer, product_line):
    customer = make_customer(team=teams["east"], mobile="13800138001")
    contact_add(customer=customer, name="李娜", mobile="13800138002", email="li.na@example.com")
    device_register(customer=customer, product_line=product_line, model="SG-6000", serial="SN-200",
                    activated_on=timezone.localdate())
    return Call.objects.get(customer=customer)


def test_call_screen_masks_numbers_until_revealed_and_logs_each_reveal_once(client, call, staff_east, staff_south,
                                                                              teams):
    client.force_login(staff_east)
    url = reverse("care_call_work", args=[call.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "+8613800138001" not in html and "+8613800138002" not in html and "•••• 8001" in html
    assert "SG-6000" in html and "SN-200" in html
    assert not AccessLog.objects.exists()  # looking at the call screen reveals no number
    wang = call.customer.organisation.people.get(name="王伟")
    for _twice in range(2):
        response = client.post(url, {"action": "reveal", "person": wang.pk}, follow=True)
    html = response.content.decode()
    assert "+8613800138001" in html and "+8613800138002" not in html
    [entry] = AccessLog.objects.all()
    assert entry.user == staff_east and entry.person == wang and entry.path == url and entry.created_at
    # Someone else's reveal is their own entry; a person of another customer can't be revealed here.
    teams["east"].members.add(staff_south)
    client.force_login(staff_south)
    assert "+8613800138001" not in client.get(url).content.decode()
    client.post(url, {"action": "reveal", "person": wang.pk})
    assert AccessLog.objects.filter(person=wang).count() == 2
    stranger = Person.objects.create(name="路人", mobile="+8613700137000")
    assert client.post(url, {"action": "reveal", "person": stranger.pk}).status_code in (302, 404)
    assert not AccessLog.objects.filter(person=stranger).exists()


def test_lists_mask_phone_numbers(client, call, staff_east, manager):
    for user in (staff_east, manager):
        client.force_login(user)
        for url in (reverse("care_calls:index"), reverse("care_queue:index"), reverse("care_customers:index")):
            html = client.get(url).content.decode()
            assert "13800138001" not in html, url
        assert "•••• 8001" in client.get(reverse("care_calls:index")).content.decode()
    assert not AccessLog.objects.exists()


def test_queue_shows_my_calls_due_today(client, call, staff_east):
    Call.objects.filter(pk=call.pk).update(due_at=timezone.now() - timezone.timedelta(hours=1))
    client.force_login(staff_east)
    html = client.get(reverse("care_queue:index")).content.decode()
    assert reverse("care_call_work", args=[call.pk]) in html
    assert "•••• 8001" in html and "+8613800138001" not in html
    assert call.assignee == staff_east


def test_other_apps_are_read_through_their_selectors_and_a_failure_raises(call, monkeypatch):
    """No adapter turns a missing or failing selector of another app into an empty list."""

    def broken(**kwargs):
        raise RuntimeError("boom")

    person_id = call.contact_id
    monkeypatch.setattr(training_selectors, "signups_for_person", broken)
    with pytest.raises(RuntimeError, match="boom"):
        selectors.people_training_signups([person_id])
    monkeypatch.setattr(training_selectors, "certificates_valid_for_organisation", broken)
    with pytest.raises(RuntimeError, match="boom"):
        selectors.customer_valid_certificates(call.customer, [person_id])
    monkeypatch.delattr(journal_selectors, "replies_of_person")
    with pytest.raises(AttributeError):
        selectors.people_journal_replies([person_id])


def test_call_screen_shows_journal_replies_and_certificates_from_their_apps(client, call, staff_east, home_pages):
    contact = call.contact
    course = signup_helpers.course(signup_helpers.catalog(home_pages))
    session = signup_helpers.session(course)
    Certificate.objects.create(number="HCNA-0042", person=contact, holder_name="王伟", course=course,
                               course_title_zh_hans=course.title, session=session, class_date=timezone.localdate(),
                               issued_on=timezone.localdate())
    reply_create(issue_id=None, body="很有帮助", email="li.na@example.com", name="李娜")
    client.force_login(staff_east)
    html = client.get(reverse("care_call_work", args=[call.pk])).content.decode()
    certificates = html.split('id="certificates"')[1].split("</section>")[0]
    replies = html.split('id="replies"')[1].split("</section>")[0]
    assert "HCNA-0042 王伟" in certificates and "李娜: -" in replies


def test_call_screen_fails_when_another_apps_selector_fails(client, call, staff_east, monkeypatch):
    """A failing cross-app read raises instead of showing an empty list."""

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(journal_selectors, "replies_of_person", broken)
    client.force_login(staff_east)
    with pytest.raises(RuntimeError, match="boom"):
        client.get(reverse("care_call_work", args=[call.pk]))
