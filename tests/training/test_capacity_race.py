"""100 people sign up at the same moment for the last free seat: exactly one gets it.

Each thread has its own database connection and real transactions (``transaction=True``). Runs on
the SQLite default (IMMEDIATE transactions + busy timeout: nobody sees "database is locked") and on
PostgreSQL when DATABASE_URL points at it (``SELECT ... FOR UPDATE`` on the class, then recount).
"""

import threading
from unittest import mock

import pytest
from django.db import connection, connections

from home.models import Person
from training.models import Signup
from training.services import TrainingError
from training.services.signups import signup_create

from .signup_helpers import catalog, course, person_data, session

# The flush between transactional tests removes the Wagtail root page; home.setup recreates it after the flush.
pytestmark = pytest.mark.django_db(transaction=True)

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
