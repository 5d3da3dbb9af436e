"""Sign-ups through the services: holds, the waiting list and its offers, cancelling, moving, emails.

The capacity race: 100 people sign up at the same moment for the last free seat: exactly one gets it.

Each thread has its own database connection and real transactions (``transaction=True``). Runs on
the SQLite default (IMMEDIATE transactions + busy timeout: nobody sees "database is locked") and on
PostgreSQL when DATABASE_URL points at it (``SELECT ... FOR UPDATE`` on the class, then recount)."""

import base64
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone, translation
from icalendar import Calendar

from home.models import Consent, OutboxMessage, Person
from training.models import ClassSession, CourseLesson, Signup
from training.services import TrainingError, sessions
from training.services import signups as services
from training.services.signups import signup_create

from ..signup_helpers import catalog, course, person_data, session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Error messages are matched in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def notified():
    """Collect the emails the services ask for, and let a test send them like the worker would."""
    calls = []
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit", side_effect=lambda *a: calls.append(a)):
        yield calls


def send_all(calls):
    for signup_id, kind, extra in list(calls):
        services.signup_notify(signup_id=signup_id, kind=kind, extra=extra)
    calls.clear()


@pytest.fixture
def klass(home_pages):
    return session(course(catalog(home_pages)), capacity=2)


def _signup(klass, n, **kwargs):
    return services.signup_create(session_id=klass.pk, **person_data(n), company="华东电力", serial_number="SN1",
                                  **kwargs)


def test_seats_are_held_then_the_waiting_list(klass, notified):
    a, b, c = (_signup(klass, n) for n in (1, 2, 3))
    assert [a.status, b.status, c.status] == ["pending_payment", "pending_payment", "waiting"]
    assert a.hold_expires_at > timezone.now() + timedelta(hours=70)
    klass.refresh_from_db()
    assert klass.status == ClassSession.Status.FULL
    assert [kind for _id, kind, _x in notified] == ["held", "held", "waiting"]
    assert a.payment.amount == klass.price
    assert Consent.objects.filter(person=a.person, purpose="training_terms", granted=True).exists()


def test_free_class_confirms_at_once(home_pages, notified):
    free = session(course(catalog(home_pages), price=0))
    signup = _signup(free, 1)
    assert signup.status == Signup.Status.CONFIRMED
    assert signup.payment is None


def test_company_books_several_seats_naming_attendees(home_pages, notified):
    """Four seats: one booker holds at most two of them unpaid, the third attendee waits."""
    klass = session(course(catalog(home_pages)), capacity=4)
    booking = services.booking_create(
        session_id=klass.pk, attendees=[person_data(1), person_data(2), person_data(3)], company="华东电力",
        serial_number="C-1", language="en",
    )
    statuses = list(booking.signups.order_by("pk").values_list("status", flat=True))
    assert statuses == ["pending_payment", "pending_payment", "waiting"]
    assert booking.contact.email == "attendee1@example.com"
    assert booking.signups.first().person.organisation.name == "华东电力"
    assert booking.payments.get().amount == 2 * klass.price


def test_invalid_mobile_is_refused_and_nothing_is_booked(klass, notified):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.signup_create(session_id=klass.pk, name="王五", email="wang@example.com", mobile="12345")
    assert not Signup.objects.exists()


def test_same_person_cannot_sign_up_twice(klass, notified):
    _signup(klass, 1)
    with pytest.raises(TrainingError, match="already signed up"):
        _signup(klass, 1)


def test_no_signups_after_the_deadline(home_pages, notified):
    late = session(course(catalog(home_pages)), days=2, deadline_days=3)
    with pytest.raises(TrainingError, match="deadline"):
        _signup(late, 1)


def test_cancelling_offers_the_seat_to_the_next_in_line(klass, notified):
    a, _b, c, d = (_signup(klass, n) for n in (1, 2, 3, 4))
    services.signup_cancel(token=a.token)
    c.refresh_from_db()
    d.refresh_from_db()
    assert c.status == Signup.Status.OFFERED
    assert c.offer_expires_at > timezone.now()
    assert d.status == Signup.Status.WAITING
    assert ("offer" in [kind for _id, kind, _x in notified if _id == c.pk])
    # the offer runs out: the seat goes to the next person
    Signup.objects.filter(pk=c.pk).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    assert services.holds_expire() == 1
    c.refresh_from_db()
    d.refresh_from_db()
    assert c.status == Signup.Status.EXPIRED
    assert d.status == Signup.Status.OFFERED
    # accepted in time: a held seat with its own payment
    accepted = services.offer_accept(token=d.token)
    assert accepted.status == Signup.Status.PENDING_PAYMENT
    assert accepted.payment is not None
    with pytest.raises(TrainingError):
        services.offer_accept(token=d.token)
    assert Signup.objects.filter(session=klass, status__in=Signup.SEAT_STATUSES).count() == 2


def test_expired_hold_releases_the_seat(klass, notified):
    a, _b, c = (_signup(klass, n) for n in (1, 2, 3))
    Signup.objects.filter(pk=a.pk).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    assert services.holds_expire() == 1
    assert services.holds_expire() == 0  # idempotent
    a.refresh_from_db()
    c.refresh_from_db()
    assert a.status == Signup.Status.EXPIRED
    assert c.status == Signup.Status.OFFERED


def test_declining_an_offer_passes_it_on(klass, notified):
    a, _b, c, d = (_signup(klass, n) for n in (1, 2, 3, 4))
    services.signup_cancel(token=a.token)
    services.offer_decline(token=c.token)
    d.refresh_from_db()
    assert d.status == Signup.Status.OFFERED


def test_cancel_after_the_deadline_is_refused(home_pages, notified):
    soon = session(course(catalog(home_pages)), days=10, deadline_days=3)
    signup = _signup(soon, 1)
    ClassSession.objects.filter(pk=soon.pk).update(signup_deadline=timezone.now() - timedelta(hours=1))
    with pytest.raises(TrainingError, match="deadline"):
        services.signup_cancel(token=signup.token)


def test_move_to_another_date_of_the_same_course(home_pages, notified):
    page = course(catalog(home_pages))
    first, second = session(page, capacity=1), session(page, days=40, capacity=1)
    a = _signup(first, 1)
    waiting = _signup(first, 2)
    moved = services.signup_move(token=a.token, session_id=second.pk)
    assert moved.session_id == second.pk
    waiting.refresh_from_db()
    assert waiting.status == Signup.Status.OFFERED
    other_course = session(course(catalog(home_pages)))
    with pytest.raises(TrainingError, match="same course"):
        services.signup_move(token=a.token, session_id=other_course.pk)
    b = _signup(second, 3)
    assert b.status == Signup.Status.WAITING
    third = session(page, days=50, capacity=1)
    _signup(third, 4)
    with pytest.raises(TrainingError, match="full"):
        services.signup_move(token=a.token, session_id=third.pk)


def test_class_with_too_few_attendees_is_cancelled_and_everyone_told(home_pages, notified):
    page = course(catalog(home_pages), price=0)
    short = session(page, capacity=5, min_attendance=3)
    later = session(page, days=45)
    a, b = _signup(short, 1), _signup(short, 2)
    ClassSession.objects.filter(pk=short.pk).update(signup_deadline=timezone.now() - timedelta(minutes=5))
    notified.clear()
    assert sessions.sessions_check_minimum() == [short.pk]
    short.refresh_from_db()
    assert short.status == ClassSession.Status.CANCELLED
    assert {s.status for s in Signup.objects.filter(session=short)} == {"cancelled"}
    send_all(notified)
    messages = OutboxMessage.objects.filter(kind="training.session_cancelled")
    assert {m.to_email for m in messages} == {a.person.email, b.person.email}
    body = messages[0].text
    assert "人数不足" in body or "too few" in body.lower()
    assert timezone.localtime(later.starts_at).strftime("%Y-%m-%d") in body


def test_confirmation_email_in_the_attendees_language_with_a_valid_ics(home_pages, notified):
    free = session(course(catalog(home_pages), price=0))
    signup = services.signup_create(session_id=free.pk, language="en", **person_data(7))
    send_all(notified)
    message = OutboxMessage.objects.get(kind="training.confirmed")
    assert message.to_email == "attendee7@example.com"
    assert "Certified firewall engineer" in message.subject
    assert f"/en/training/booking/{signup.token}/" in message.text
    (ics,) = message.attachments
    assert ics["mimetype"] == "text/calendar"
    calendar = Calendar.from_ical(base64.b64decode(ics["content_b64"]))
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == free.starts_at
    assert "Certified firewall engineer" in str(event["summary"])
    assert str(event["status"]) == "CONFIRMED"
    # The city in the attendee's language, in the mail and in the calendar.
    assert "Shanghai" in message.text and "上海" not in message.text and "上海" not in message.html
    assert str(event["location"]).endswith(", Shanghai")


def test_chinese_attendee_gets_chinese_email(klass, notified):
    _signup(klass, 1)
    send_all(notified)
    message = OutboxMessage.objects.get(kind="training.held")
    assert "防火墙认证工程师" in message.subject
    assert "/zh-hans/training/booking/" in message.text
    assert "TR-" in message.text  # the reference to quote on the bank transfer
    assert "上海" in message.text and "Shanghai" not in message.text and "Shanghai" not in message.html


def test_emails_are_queued_once_and_stale_ones_dropped(klass, notified):
    a, _b, c = (_signup(klass, n) for n in (1, 2, 3))
    services.signup_cancel(token=a.token)
    calls = list(notified)
    send_all(notified)
    for call in calls:  # the worker runs every task twice
        services.signup_notify(signup_id=call[0], kind=call[1], extra=call[2])
    assert OutboxMessage.objects.filter(kind="training.offer").count() == 1
    services.offer_decline(token=c.token)
    assert services.signup_notify(signup_id=c.pk, kind="offer", extra="again") is None


def test_reminders_two_days_before_and_payment_reminders(home_pages, notified):
    page = course(catalog(home_pages), price=0)
    soon = session(page, days=1, deadline_days=0.5)
    signup = _signup(soon, 1)
    notified.clear()
    assert services.class_reminders_send() == 1
    send_all(notified)
    services.class_reminders_send()
    send_all(notified)
    assert OutboxMessage.objects.filter(kind="training.reminder", to_email=signup.person.email).count() == 1

    paid_class = session(course(catalog(home_pages)))
    held = _signup(paid_class, 2)
    Signup.objects.filter(pk=held.pk).update(hold_expires_at=timezone.now() + timedelta(hours=10))
    notified.clear()
    assert services.payment_reminders_send() == 1
    send_all(notified)
    reminder = OutboxMessage.objects.get(kind="training.payment_reminder")
    assert reminder.to_email == held.person.email


def test_coordinator_cancels_one_attendee(klass, notified):
    user = get_user_model().objects.create_user("coord", password="x" * 12)
    a, _b, c = (_signup(klass, n) for n in (1, 2, 3))
    services.signup_cancel_by_staff(signup_id=a.pk, acting_user=user, reason="duplicate")
    send_all(notified)
    assert OutboxMessage.objects.filter(kind="training.cancelled_by_staff", to_email=a.person.email).exists()
    assert OutboxMessage.objects.filter(kind="training.offer", to_email=c.person.email).exists()


def test_attendance_marking(home_pages, notified):
    user = get_user_model().objects.create_user("coord", password="x" * 12)
    free = session(course(catalog(home_pages), price=0))
    signup = _signup(free, 1)
    services.signup_mark_attendance(signup_id=signup.pk, attended=True, acting_user=user)
    signup.refresh_from_db()
    assert signup.attended is True


def test_prerequisite_is_checked_when_booking(home_pages, notified):
    """The attendee has not watched the basic course's lesson nor holds its certificate: refused."""
    cat = catalog(home_pages)
    basic = course(cat, level="basic_video", price=0)
    CourseLesson.objects.create(page=basic, title="Overview", video_url="https://example.com/v")
    advanced = course(cat, prerequisite_course=basic)
    klass = session(advanced)
    with pytest.raises(TrainingError, match="basic course"):
        _signup(klass, 1)
    assert not Signup.objects.exists()



@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_email_renders_in_both_languages(home_pages, notified, language):
    klass = session(course(catalog(home_pages)))
    signup = services.signup_create(session_id=klass.pk, language=language, **person_data(9))
    for kind in services.EMAIL_KINDS:
        Signup.objects.filter(pk=signup.pk).update(status={
            "offer": "offered", "waiting": "waiting", "reminder": "confirmed"}.get(kind, "pending_payment"))
        message = services.signup_notify(signup_id=signup.pk, kind=kind, extra=language)
        assert message is not None, kind
        assert "{%" not in message.text and "{{" not in message.html, kind
        assert signup.token in message.text, kind
        if language == "zh-hans":
            assert "您好" in message.text, kind
        else:
            assert "Dear" in message.text, kind


THREADS = 100
ROUNDS = 10


def _connection_slots() -> int:
    """How many connections the threads may hold at once.

    SQLite: all 100. PostgreSQL refuses clients beyond ``max_connections`` (100 by default, shared
    with this test's own connection and anything else on the server), so the threads queue for a
    free slot the way requests queue for a pooled connection in a web server; all of them still
    race for the same last seat.
    """
    if connection.vendor != "postgresql":
        return THREADS
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int - (SELECT count(*) FROM pg_stat_activity)")
        free = cursor.fetchone()[0]
    return max(4, min(THREADS, free - 10))


def _race(session_id, offset):
    barrier = threading.Barrier(THREADS)
    slots = threading.BoundedSemaphore(_connection_slots())
    results, errors = [], []
    lock = threading.Lock()

    def worker(n):
        try:
            barrier.wait(timeout=60)
            with slots:
                try:
                    signup = signup_create(session_id=session_id, **person_data(offset + n), company="竞速公司")
                finally:
                    connections.close_all()
            with lock:
                results.append(signup.status)
        except Exception as exc:  # anything reaching the user counts as a failure
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_last_seat_goes_to_exactly_one_of_100_concurrent_signups(home_pages):
    page = course(catalog(home_pages), translate=False)
    # The emails are rendered by a worker later; here only the seats matter.
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit"):
        for round_no in range(ROUNDS):
            klass = session(page, capacity=10, days=30 + round_no)
            for n in range(9):  # nine seats already taken
                person = Person.objects.create(**person_data(900000 + round_no * 100 + n))
                Signup.objects.create(session=klass, person=person, status=Signup.Status.CONFIRMED)

            results, errors = _race(klass.pk, offset=round_no * 1000)

            assert errors == [], f"round {round_no} on {connection.vendor}: {errors[:3]}"
            assert sorted(results).count(Signup.Status.PENDING_PAYMENT) == 1, round_no
            assert results.count(Signup.Status.WAITING) == THREADS - 1, round_no
            held = Signup.objects.filter(session=klass, status__in=Signup.SEAT_STATUSES).count()
            assert held == 10
            assert Signup.objects.filter(session=klass, status=Signup.Status.WAITING).count() == THREADS - 1
            klass.refresh_from_db()
            assert klass.status == "full"


@pytest.mark.django_db(transaction=True)
def test_a_full_class_answers_with_the_waiting_list_not_an_error(home_pages):
    page = course(catalog(home_pages), translate=False)
    klass = session(page, capacity=1)
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit"):
        first = signup_create(session_id=klass.pk, **person_data(1))
        second = signup_create(session_id=klass.pk, **person_data(2))
    assert first.status == Signup.Status.PENDING_PAYMENT
    assert second.status == Signup.Status.WAITING
    with pytest.raises(TrainingError):
        with mock.patch("training.tasks.signup_notify_task.delay_on_commit"):
            signup_create(session_id=klass.pk, **person_data(2))
