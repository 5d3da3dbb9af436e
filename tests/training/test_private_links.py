"""The private links of a sign-up open only that sign-up; another's or a guessed token shows nothing."""

from unittest import mock

import pytest

from training.models import Signup
from training.services import signups as services

from .signup_helpers import catalog, course, person_data, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_signups(home_pages):
    klass = session(course(catalog(home_pages)), capacity=5)
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit"):
        first = services.signup_create(session_id=klass.pk, **person_data(1, name="张三丰"))
        second = services.signup_create(session_id=klass.pk, **person_data(2, name="Alice Smith"))
    return first, second


def test_own_link_shows_own_booking_only(client, two_signups):
    first, second = two_signups
    response = client.get(f"/zh-hans/training/booking/{first.token}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "张三丰" in body
    assert "Alice Smith" not in body
    assert second.person.email not in body
    assert response["Cache-Control"].startswith("no-store")
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("token", [
    "x" * 43, "guess", "1", "A" * 64, "A" * 200,
])
def test_guessed_tokens_show_nothing(client, two_signups, token):
    response = client.get(f"/zh-hans/training/booking/{token}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "张三丰" not in body and "Alice" not in body


def test_prefix_of_a_real_token_shows_nothing(client, two_signups):
    first, _second = two_signups
    assert client.get(f"/en/training/booking/{first.token[:-1]}/").status_code == 404


def test_guessed_token_cannot_cancel(client, two_signups):
    first, _second = two_signups
    response = client.post(f"/zh-hans/training/booking/{'y' * 43}/cancel/")
    assert response.status_code == 404
    first.refresh_from_db()
    assert first.status == Signup.Status.PENDING_PAYMENT


def test_owner_cancels_through_the_link(client, two_signups):
    first, _second = two_signups
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit"):
        response = client.post(f"/en/training/booking/{first.token}/cancel/", follow=True)
    assert response.status_code == 200
    assert "Your sign-up is cancelled." in response.content.decode()
    first.refresh_from_db()
    assert first.status == Signup.Status.CANCELLED


def test_tokens_are_long_and_random(two_signups):
    first, second = two_signups
    assert len(first.token) >= 43
    assert first.token != second.token
