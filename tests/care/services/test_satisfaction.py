import re

import pytest
from django.utils import timezone

from care import selectors
from care.models import Call, SatisfactionRating, SurveyInvitation
from care.services.calls import call_log_outcome
from care.services.satisfaction import survey_send
from home.models import OutboxMessage
from tests.care.calls_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(teams, make_customer):
    return make_customer(team=teams["east"], email="wang.wei@huaan.example.com")


def _survey_path(customer, product_line, staff=None):
    person = customer.organisation.people.get()
    invitation = survey_send(customer=customer, person=person, reason="repair-7", product_line=product_line,
                             service_station="上海浦东服务站", staff_member=staff)
    email = OutboxMessage.objects.get(kind="care.survey")
    url = re.search(r"https?://\S+/care/survey/\S+/", email.text).group(0)
    return invitation, url.split("example.com", 1)[1]


def test_survey_link_takes_one_answer(client, customer, product_line, staff_east):
    invitation, path = _survey_path(customer, product_line, staff_east)
    assert path.startswith("/zh-hans/care/survey/") and invitation.token in path
    assert survey_send(customer=customer, person=invitation.person, reason="repair-7").pk == invitation.pk
    assert OutboxMessage.objects.filter(kind="care.survey").count() == 1

    page = client.get(path)
    assert page.status_code == 200 and 'name="score"' in page.content.decode()
    answered = client.post(path, {"score": "4", "comment": "维修很及时"})
    assert answered.status_code == 200
    rating = SatisfactionRating.objects.get()
    assert (rating.score, rating.source, rating.comment) == (4, "survey", "维修很及时")
    assert rating.staff_member == staff_east and rating.product_line == product_line
    assert rating.service_station == "上海浦东服务站"
    again = client.post(path, {"score": "1"})
    assert again.status_code == 400
    assert SatisfactionRating.objects.count() == 1


def test_expired_or_unknown_links_take_no_answer(client, customer, product_line):
    invitation, path = _survey_path(customer, product_line)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timezone.timedelta(days=1))
    assert client.post(path, {"score": "5"}).status_code == 400
    assert client.get("/zh-hans/care/survey/not-a-token/").status_code == 404
    assert not SatisfactionRating.objects.exists()


def test_invalid_scores_are_refused(client, customer, product_line):
    _invitation, path = _survey_path(customer, product_line)
    for score in ("0", "6", "abc", ""):
        assert client.post(path, {"score": score}).status_code == 400
    assert not SatisfactionRating.objects.exists()


def test_csat_response_rate_and_coverage(client, teams, make_customer, product_line, staff_east):
    from care.services.devices import device_register

    customers = [make_customer(f"客户{n}", team=teams["east"]) for n in range(4)]
    for n, customer in enumerate(customers):
        device_register(customer=customer, product_line=product_line, model="X", serial=f"C-{n}",
                        activated_on=timezone.localdate())
    calls = list(Call.objects.order_by("pk"))
    call_log_outcome(call_id=calls[0].pk, disposition="completed", acting_user=staff_east, rating=5)
    call_log_outcome(call_id=calls[1].pk, disposition="completed", acting_user=staff_east, rating=2)
    call_log_outcome(call_id=calls[2].pk, disposition="no_answer", acting_user=staff_east)
    _invitation, path = _survey_path(customers[3], product_line)
    person = customers[2].organisation.people.get()
    survey_send(customer=customers[2], person=person, reason="repair-8")
    client.post(path, {"score": "4"})

    assert selectors.csat() == {"ratings": 3, "satisfied": 2, "share": round(2 / 3, 4)}
    assert selectors.survey_response_rate() == {"sent": 2, "answered": 1, "share": 0.5}
    coverage = selectors.six_month_coverage()
    assert (coverage["active"], coverage["reached"], coverage["share"]) == (4, 2, 0.5)
