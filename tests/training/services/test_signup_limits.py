"""Limits that stop seat hoarding but not customers, holds that lapse on time, the prerequisite rule,
calendar invitations that follow every change, and class rows read only under their lock.

The threaded test runs on PostgreSQL when DATABASE_URL points at it (and on the SQLite default)."""

import threading
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connections
from django.utils import timezone, translation
from icalendar import Calendar

from training.models import ClassSession, CourseLesson, CoursePage, Signup
from training.services import TrainingError, payments
from training.services import signups as services
from training.services.lessons import lesson_progress_record

from ..signup_helpers import catalog, course, person_data, session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def notified():
    calls = []
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit", side_effect=lambda *a: calls.append(a)):
        yield calls


def _book(klass, numbers, address="203.0.113.7"):
    return services.booking_create(
        session_id=klass.pk, attendees=[person_data(n) for n in numbers], company="匿名公司", serial_number="SN-1",
        booker_address=address,
    )


def _statuses(booking):
    return list(booking.signups.order_by("pk").values_list("status", flat=True))


def test_seat_hoarding_beyond_the_cap_goes_to_the_waiting_list(home_pages, notified):
    """The reported abuse: three posts of five made-up attendees from one address. Five seats are held
    (half the class), the other ten wait, and five seats stay free for real customers."""
    klass = session(course(catalog(home_pages)), capacity=10)
    hoard = [_book(klass, range(10 * k + 1, 10 * k + 6)) for k in range(3)]
    assert _statuses(hoard[0]) == ["pending_payment"] * 5
    assert _statuses(hoard[1]) == _statuses(hoard[2]) == ["waiting"] * 5
    customer = _book(klass, [100, 101], address="198.51.100.1")
    assert _statuses(customer) == ["pending_payment"] * 2
    klass.refresh_from_db()
    assert klass.status == ClassSession.Status.OPEN
    # A freed seat skips the hoarder's waiting attendees while they are at the cap.
    services.signup_cancel(token=customer.signups.first().token)
    assert not Signup.objects.filter(session=klass, status=Signup.Status.OFFERED).exists()
    assert hoard[0].booker_key == hoard[2].booker_key and "203.0.113.7" not in hoard[0].booker_key


def test_paying_lets_the_bookers_waiting_attendees_in(home_pages, notified, settings):
    settings.TRAINING_PAYMENT_PROVIDER = "training.services.payments.InMemoryPaymentProvider"
    klass = session(course(catalog(home_pages)), capacity=4)
    booking = _book(klass, [1, 2, 3, 4])
    assert _statuses(booking) == ["pending_payment", "pending_payment", "waiting", "waiting"]
    payments.payment_paid_notification(provider_reference=booking.payments.get().provider_reference)
    assert _statuses(booking) == ["confirmed", "confirmed", "offered", "offered"]


def test_lapsed_hold_frees_its_seat_for_the_next_booking_before_the_sweep(home_pages, notified):
    klass = session(course(catalog(home_pages)), capacity=2)
    held = _book(klass, [1], address="10.0.0.1")
    _book(klass, [2], address="10.0.0.2")
    Signup.objects.filter(booking=held).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    late = _book(klass, [3], address="10.0.0.3")
    assert _statuses(late) == ["pending_payment"]
    assert _statuses(held) == ["expired"]


def test_expired_hold_offers_the_seat_to_the_waiting_list(home_pages, notified):
    klass = session(course(catalog(home_pages)), capacity=2)
    held = _book(klass, [1], address="10.0.0.1")
    _book(klass, [2], address="10.0.0.2")
    waiting = _book(klass, [3], address="10.0.0.3")
    assert _statuses(waiting) == ["waiting"]
    Signup.objects.filter(booking=held).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    assert services.holds_expire() == 1
    assert _statuses(waiting) == ["offered"]
    assert ("offer" in [kind for _pk, kind, _x in notified])


# The prerequisite rule -------------------------------------------------------------------------


@pytest.fixture
def advanced(home_pages):
    cat = catalog(home_pages)
    basic = course(cat, level=CoursePage.Level.BASIC_VIDEO, price=0)
    CourseLesson.objects.create(page=basic, title="Overview", video_url="https://example.com/v")
    return course(cat, prerequisite_course=basic)


def test_advanced_class_without_the_basic_course_is_refused_with_a_clear_message(advanced, notified):
    klass = session(advanced)
    with pytest.raises(TrainingError, match=r"测试学员1 must first complete the basic course .* before booking"):
        _book(klass, [1])
    assert not Signup.objects.exists()


def test_watching_the_basic_course_lets_the_attendee_book(advanced, notified, django_user_model):
    from home.services.people import person_match_or_create

    klass = session(advanced)
    person = person_match_or_create(**person_data(1))
    lesson = advanced.prerequisite_course.lessons.get()
    lesson_progress_record(person=person, lesson_id=lesson.pk, completed=True)
    assert _statuses(_book(klass, [1])) == ["pending_payment"]


def test_flag_policy_accepts_and_marks_the_signup_for_the_coordinator(advanced, notified):
    CoursePage.objects.filter(pk=advanced.pk).update(prerequisite_policy=CoursePage.PrerequisitePolicy.FLAG)
    klass = session(advanced)
    booking = _book(klass, [1])
    signup = booking.signups.get()
    assert signup.status == Signup.Status.PENDING_PAYMENT
    assert signup.prerequisite_missing is True


# Calendars -------------------------------------------------------------------------------------


def _invite(signup, kind):
    message = services.signup_notify(signup_id=signup.pk, kind=kind, extra=str(signup.session_id))
    (ics,) = [a for a in message.attachments if a["filename"].endswith(".ics")]
    import base64

    calendar = Calendar.from_ical(base64.b64decode(ics["content_b64"]))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_moved_booking_keeps_its_uid_with_a_higher_sequence(home_pages, notified):
    page = course(catalog(home_pages))
    first, second = session(page, days=20), session(page, days=27)
    signup = _book(first, [1]).signups.get()
    held_cal, held = _invite(signup, "held")
    assert str(held_cal["method"]) == "REQUEST"
    assert str(held["status"]) == "TENTATIVE"
    services.signup_move(token=signup.token, session_id=second.pk)
    signup.refresh_from_db()
    moved_cal, moved = _invite(signup, "moved")
    assert str(moved["uid"]) == str(held["uid"])
    assert int(moved["sequence"]) > int(held["sequence"])
    assert str(moved_cal["method"]) == "REQUEST"
    assert str(moved["status"]) == "TENTATIVE"  # still unpaid
    assert moved.decoded("dtstart") == second.starts_at
    services.signup_cancel(token=signup.token)
    signup.refresh_from_db()
    cancel_cal, cancelled = _invite(signup, "cancelled")
    assert str(cancel_cal["method"]) == "CANCEL"
    assert str(cancelled["uid"]) == str(held["uid"])
    assert int(cancelled["sequence"]) > int(moved["sequence"])
    assert str(cancelled["status"]) == "CANCELLED"


def test_reminder_the_day_before_with_venue_and_map(home_pages, notified):
    klass = session(course(catalog(home_pages), price=0), days=20)
    signup = _book(klass, [1]).signups.get()
    ClassSession.objects.filter(pk=klass.pk).update(
        starts_at=timezone.now() + timedelta(hours=20), ends_at=timezone.now() + timedelta(hours=28),
        signup_deadline=timezone.now() + timedelta(hours=1))
    notified.clear()
    assert services.class_reminders_send() == 1
    message = services.signup_notify(signup_id=signup.pk, kind="reminder", extra=str(klass.pk))
    assert "浦东新区世纪大道 100 号" in message.text
    assert "https://uri.amap.com/search?keyword=" in message.text and "uri.amap.com" in message.html
    assert "明天" in message.subject  # the attendee booked in Chinese


# Reading classes under their lock ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_move_and_payment_never_raise_nor_offer_on_the_wrong_class(home_pages, settings):
    """Each round: a held seat on class A is moved to class B while its payment arrives. Whatever the
    order, nothing raises, the seat ends confirmed on B, and A's freed seat is offered on A."""
    settings.TRAINING_PAYMENT_PROVIDER = "training.services.payments.InMemoryPaymentProvider"
    page = course(catalog(home_pages), translate=False, price=Decimal("100"))
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit"):
        for round_no in range(8):
            old = session(page, capacity=1, days=20 + round_no)
            new = session(page, capacity=1, days=40 + round_no)
            mover = _book(old, [round_no * 10 + 1], address=f"10.1.{round_no}.1").signups.get()
            waiting = _book(old, [round_no * 10 + 2], address=f"10.2.{round_no}.1").signups.get()
            reference = mover.payment.provider_reference
            barrier = threading.Barrier(2)
            errors = []

            def run(action):
                try:
                    barrier.wait(timeout=30)
                    action()
                except Exception as exc:  # anything reaching the user counts
                    errors.append(f"{type(exc).__name__}: {exc}")
                finally:
                    connections.close_all()

            threads = [
                threading.Thread(target=run, args=(lambda: services.signup_move(token=mover.token, session_id=new.pk),)),
                threading.Thread(target=run, args=(lambda: payments.payment_paid_notification(provider_reference=reference),)),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            assert errors == [], f"round {round_no}: {errors}"
            mover.refresh_from_db()
            waiting.refresh_from_db()
            assert (mover.session_id, mover.status) == (new.pk, Signup.Status.CONFIRMED), round_no
            assert waiting.session_id == old.pk and waiting.status == Signup.Status.OFFERED, round_no
            assert Signup.objects.filter(session=new, status__in=Signup.SEAT_STATUSES).count() == 1
