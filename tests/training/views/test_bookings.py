"""The private links of a sign-up open only that sign-up; another's or a guessed token shows nothing.

In Chromium: a customer signs up from the catalogue, gets the confirmation with a valid .ics, cancels
through the private link, and the next person on the waiting list receives the offer."""

import re
from unittest import mock

import pytest
from icalendar import Calendar

from training.models import Signup
from training.services import payments
from training.services import signups as services

from ..signup_helpers import catalog, course, person_data, session

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


def _mail_to(smtp_server, address, subject_part, timeout=90):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for item in smtp_server.messages:
            if address in item["to"] and subject_part in item["message"]["Subject"]:
                return item["message"]
        time.sleep(0.2)
    raise AssertionError(f"no email to {address} about {subject_part!r}: {[m['message']['Subject'] for m in smtp_server.messages]}")


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_signup_confirm_cancel_and_offer_to_the_next(page, live_server, home_pages, smtp_server, celery_worker, settings):
    from django.core.cache import cache

    cache.clear()
    klass = session(course(catalog(home_pages), title="防火墙认证工程师"), capacity=1, city="杭州", city_en="Hangzhou")

    page.goto(live_server.url + "/zh-hans/training/")
    page.get_by_role("link", name=re.compile("报名.*杭州")).click()
    page.get_by_label("学员姓名").first.fill("李雷")
    page.get_by_label("学员电子邮箱").first.fill("li.lei@example.com")
    page.get_by_label("学员手机号码").first.fill("138 0013 8000")
    page.get_by_label("公司名称").fill("华东电力")
    page.get_by_label("产品序列号或合同号").fill("FW-2026-0001")
    page.get_by_label(re.compile("我接受培训条款")).check()
    page.get_by_role("button", name="预订座位").click()
    page.wait_for_url(re.compile(r"/zh-hans/training/booking/[\w-]{43}/$"))
    assert "座位已保留，待付款" in page.locator("#signup-status").inner_text()

    # Someone else finds the class full and joins the waiting list.
    waiting = services.signup_create(session_id=klass.pk, **person_data(2, name="韩梅梅", email="han@example.com"))
    assert waiting.status == Signup.Status.WAITING

    # The bank transfer arrives (the same notification twice): the seat is confirmed, once.
    signup = Signup.objects.get(person__email="li.lei@example.com")
    for _ in range(2):
        payments.payment_paid_notification(provider_reference=signup.payment.provider_reference)

    confirmation = _mail_to(smtp_server, "li.lei@example.com", "预订确认")
    ics = next(part for part in confirmation.iter_attachments() if part.get_content_type() == "text/calendar")
    event = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("dtstart") == klass.starts_at
    assert "防火墙认证工程师" in str(event["summary"])
    assert "杭州" in str(event["location"]) and "Hangzhou" not in str(event["location"])

    text = confirmation.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/training/booking/[\w-]+/", text).group(0)
    private_path = "/" + link.split("/", 3)[3]
    page.goto(live_server.url + private_path)
    assert "李雷" in page.content()
    page.get_by_role("button", name="取消报名").click()
    page.wait_for_url(re.compile(r"/training/booking/"))
    assert "已取消" in page.locator("#signup-status").inner_text()

    offer = _mail_to(smtp_server, "han@example.com", "有空位")
    waiting.refresh_from_db()
    assert waiting.status == Signup.Status.OFFERED
    assert waiting.token in offer.get_body(("plain",)).get_content()
    assert signup.token not in offer.get_body(("plain",)).get_content()
