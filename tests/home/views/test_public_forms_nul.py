"""A NUL (or another control character) in any field of any public form gives a form error or 400,
never a server error; and every public URL of the apps is either covered here or has no form."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver

from care.models import Complaint
from care.services.satisfaction import survey_send
from home.forms import has_control_characters
from tests.care.calls_fixtures import *  # noqa: F403
from tests.training.signup_helpers import catalog, course, session

pytestmark = pytest.mark.django_db

NUL = "abc\x00def"
# Public URLs with a form, and those without one (a page, a GET link, a file download).
WITH_FORM = {"subscribe", "preferences", "reply", "answer", "signup", "signup_move", "certificate_verify", "survey",
             "complaint_new", "gift_address", "privacy_request", "consent_manage"}
WITHOUT_FORM = {"healthz", "feed", "subscribe_done", "confirm", "unsubscribe", "open", "click", "inbound", "signup_manage",
                "signup_cancel", "offer_accept", "offer_decline", "certificate_verify_number", "lesson_progress",
                "complaint_thanks", "complaint_status", "privacy_request_sent", "privacy_confirm", "privacy_download"}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def _public_names():
    names = set()

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name in {"newsletter", "training", "care", "home"}:
                    walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_public_url_is_listed():
    assert _public_names() - WITH_FORM - WITHOUT_FORM == set()


def test_control_characters_are_recognised():
    assert has_control_characters("a\x00") and has_control_characters("a\u202eb") and has_control_characters("\x1b")
    assert not has_control_characters("两行\r\n文字\tTab")


def _assert_refused(response):
    assert response.status_code in (200, 400), response.status_code
    body = response.content.decode()
    assert response.status_code == 400 or "请删除此栏中不可见的控制字符" in body, body[-800:]


def test_nul_in_the_public_forms_gives_a_form_error(client, home_pages):
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit"):
        klass = session(course(catalog(home_pages)), capacity=3)
        posts = {
            "/zh-hans/journal/subscribe/": {"email": "a@example.com", "name": NUL, "company": NUL, "language": "zh-hans",
                                            "consent": "on"},
            "/zh-hans/care/complaints/new/": {"kind": Complaint.Kind.COMPLAINT, "category": Complaint.Category.values[0],
                                              "summary": NUL, "description": NUL, "name": NUL,
                                              "email": "a@example.com", "mobile": "", "organisation": NUL},
            "/zh-hans/privacy/request/": {"kind": "access", "email": "a@example.com", "details": NUL},
            f"/zh-hans/training/book/{klass.pk}/": {
                "attendee-TOTAL_FORMS": "1", "attendee-INITIAL_FORMS": "0", "attendee-MIN_NUM_FORMS": "1",
                "attendee-MAX_NUM_FORMS": "5", "attendee-0-name": NUL, "attendee-0-email": "a@example.com",
                "attendee-0-mobile": "13800138000", "company": NUL, "serial_number": NUL, "accept_terms": "on"},
        }
        for url, data in posts.items():
            _assert_refused(client.post(url, data))
        _assert_refused(client.get("/zh-hans/certificates/verify/", {"number": NUL}))


def test_nul_in_the_survey_comment_is_refused_and_nothing_is_stored(client, teams, make_customer, product_line):
    customer = make_customer(team=teams["east"], email="wang.wei@huaan.example.com")
    invitation = survey_send(customer=customer, person=customer.organisation.people.get(), reason="repair-7",
                             product_line=product_line, service_station="站")
    response = client.post(f"/zh-hans/care/survey/{invitation.token}/", {"score": "5", "comment": NUL})
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.answered_at is None
    ok = client.post(f"/zh-hans/care/survey/{invitation.token}/", {"score": "5", "comment": "很好\r\n谢谢"})
    assert ok.status_code == 200
    invitation.refresh_from_db()
    assert invitation.answered_at is not None
