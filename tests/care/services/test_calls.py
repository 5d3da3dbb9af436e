import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from care.models import Call, CallAttempt, SatisfactionRating
from care.services import CareError
from care.services.calls import call_log_outcome
from care.services.devices import device_register
from home.models import OutboxMessage
from tests.care.calls_fixtures import *  # noqa: F403
from tests.care.calls_fixtures import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(teams, make_customer, product_line):
    customer = make_customer(team=teams["east"], email="wang.wei@huaan.example.com")
    device_register(customer=customer, product_line=product_line, model="SG-6000", serial="SN-100",
                    service_station="上海浦东服务站", activated_on=timezone.localdate())
    return Call.objects.get(customer=customer)


def test_no_answer_retries_after_four_working_hours_then_emails(call, staff_east, django_capture_on_commit_callbacks):
    monday_3pm = local(2026, 11, 23, 15, 0)
    first = call_log_outcome(call_id=call.pk, disposition="no_answer", acting_user=staff_east, now=monday_3pm)
    assert first.state == Call.State.OPEN and first.attempts == 1
    assert first.due_at == local(2026, 11, 24, 10, 0)  # 3 hours on Monday + 1 on Tuesday
    second = call_log_outcome(call_id=call.pk, disposition="no_answer", acting_user=staff_east,
                              now=local(2026, 11, 24, 10, 5))
    assert second.due_at == local(2026, 11, 24, 14, 5) and second.attempts == 2
    assert not OutboxMessage.objects.filter(kind="care.call_unreached").exists()
    with django_capture_on_commit_callbacks():
        third = call_log_outcome(call_id=call.pk, disposition="no_answer", acting_user=staff_east,
                                 now=local(2026, 11, 24, 14, 10))
    assert third.state == Call.State.CLOSED and third.disposition == "no_answer" and third.attempts == 3
    email = OutboxMessage.objects.get(kind="care.call_unreached")
    assert email.to_email == "wang.wei@huaan.example.com"
    assert "王伟" in email.text and "我们" in email.subject
    assert CallAttempt.objects.filter(call=call).count() == 3
    with pytest.raises(CareError):
        call_log_outcome(call_id=call.pk, disposition="no_answer", acting_user=staff_east)


def test_the_next_try_cannot_be_logged_before_its_time(call, staff_east):
    first = call_log_outcome(call_id=call.pk, disposition="no_answer", acting_user=staff_east,
                             now=local(2026, 11, 23, 15, 0))
    assert first.due_at == local(2026, 11, 24, 10, 0)
    for early in (local(2026, 11, 23, 15, 1), local(2026, 11, 24, 9, 59)):
        with pytest.raises(CareError) as error:
            call_log_outcome(call_id=call.pk, disposition="no_answer", acting_user=staff_east, now=early)
        assert "2026-11-24 10:00" in str(error.value)
    call.refresh_from_db()
    assert call.attempts == 1 and call.state == Call.State.OPEN and CallAttempt.objects.filter(call=call).count() == 1
    assert not OutboxMessage.objects.filter(kind="care.call_unreached").exists()
    second = call_log_outcome(call_id=call.pk, disposition="no_answer", acting_user=staff_east,
                              now=local(2026, 11, 24, 10, 0))
    assert second.attempts == 2


def test_busy_retries_after_one_working_hour(call, staff_east):
    result = call_log_outcome(call_id=call.pk, disposition="busy", acting_user=staff_east,
                              now=local(2026, 11, 23, 17, 30))
    assert result.due_at == local(2026, 11, 24, 9, 30)


def test_callback_at_the_requested_time_but_not_in_quiet_hours(call, staff_east):
    now = local(2026, 11, 23, 15, 0)
    evening = call_log_outcome(call_id=call.pk, disposition="callback", acting_user=staff_east, now=now,
                               callback_at=local(2026, 11, 23, 19, 30))
    assert evening.due_at == local(2026, 11, 23, 19, 30) and evening.state == Call.State.OPEN
    assert evening.attempts == 0
    night = call_log_outcome(call_id=call.pk, disposition="callback", acting_user=staff_east, now=now,
                             callback_at=local(2026, 11, 23, 23, 0))
    assert night.due_at == local(2026, 11, 24, 8, 0)
    with pytest.raises(CareError):
        call_log_outcome(call_id=call.pk, disposition="callback", acting_user=staff_east, now=now)


def test_completed_call_with_rating_records_what_it_rates(call, staff_east):
    result = call_log_outcome(call_id=call.pk, disposition="completed", acting_user=staff_east, rating=5,
                              note="客户很满意")
    assert result.state == Call.State.CLOSED and result.closed_at
    rating = SatisfactionRating.objects.get()
    assert rating.score == 5 and rating.source == "call" and rating.staff_member == staff_east
    assert rating.product_line.slug == "firewall" and rating.service_station == "上海浦东服务站"
    assert "客户很满意" in result.notes


@pytest.mark.parametrize("disposition", ["wrong_number", "refused"])
def test_final_outcomes_close_the_call(call, staff_east, disposition):
    assert call_log_outcome(call_id=call.pk, disposition=disposition, acting_user=staff_east).state == "closed"


def test_a_call_cannot_be_closed_without_an_outcome(call, staff_east):
    with pytest.raises(CareError):
        call_log_outcome(call_id=call.pk, disposition="", acting_user=staff_east)
    call.state = Call.State.CLOSED
    with pytest.raises(ValidationError):
        call.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        call.save()
    assert Call.objects.get(pk=call.pk).state == Call.State.OPEN


def test_rating_only_in_a_completed_call(call, staff_east):
    with pytest.raises(CareError):
        call_log_outcome(call_id=call.pk, disposition="no_answer", acting_user=staff_east, rating=4)
    assert not SatisfactionRating.objects.exists()
