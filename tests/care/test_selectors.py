"""The customer's whole story on the call screen, newest first, filterable by kind."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import Call, Complaint
from care.selectors import customer_timeline
from care.services.complaints import complaint_create
from home.models import Person
from newsletter.services.engagement import reply_create
from tests.training import signup_helpers
from training.models import Certificate
from training.services.signups import signup_create

from .calls_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(teams, make_customer, home_pages):
    customer = make_customer(team=teams["east"], email="wang.wei@example.com", mobile="13800138001")
    person = Person.objects.get(email="wang.wei@example.com")
    call = Call.objects.create(customer=customer, contact=person, purpose="six_monthly", period_key="t1",
                               due_at=timezone.now() - timedelta(days=40), deadline=timezone.localdate(),
                               team=teams["east"])
    complaint_create(acting_user=None, channel="phone", kind="complaint", category="network", severity="high",
                     summary="网络中断", description="办公室网络中断两小时", email="wang.wei@example.com",
                     received_at=timezone.now() - timedelta(days=30), notify=False)
    course = signup_helpers.course(signup_helpers.catalog(home_pages))
    session = signup_helpers.session(course)
    signup_create(session_id=session.pk, name="王伟", email="wang.wei@example.com", mobile="13800138001")
    Certificate.objects.create(number="CTEST0000001", person=person, holder_name="王伟", course=course,
                               course_title_zh_hans=course.title, session=session, class_date=timezone.localdate(),
                               issued_on=timezone.localdate() - timedelta(days=10))
    reply_create(issue_id=None, body="<p>很有帮助<script>alert(1)</script></p>", email="wang.wei@example.com",
                 name="王伟")
    return {"customer": customer, "person": person, "call": call}


def test_timeline_has_every_kind_newest_first(story):
    entries = customer_timeline(story["customer"], [story["person"].pk])
    assert {entry["kind"] for entry in entries} == {"call", "complaint", "signup", "certificate", "reply"}
    moments = [entry["when"] for entry in entries]
    assert moments == sorted(moments, reverse=True)
    assert any("网络中断" in entry["title"] for entry in entries)
    assert not any("<script>" in entry["detail"] for entry in entries)


def test_timeline_on_the_call_screen_filters_by_kind(client, story, staff_east):
    client.force_login(staff_east)
    url = reverse("care_call_work", args=[story["call"].pk])
    html = client.get(url).content.decode()
    for kind in ("call", "complaint", "signup", "certificate", "reply"):
        assert f'data-kind="{kind}"' in html, kind
    signups = html.split('id="signups"')[1].split("</section>")[0]
    assert "王伟" in signups  # the sign-up itself, read through training.selectors (not "None.")
    only = client.get(url + "?kind=complaint").content.decode()
    timeline = only.split('id="timeline"')[1]
    assert 'data-kind="complaint"' in timeline
    assert 'data-kind="call"' not in timeline and 'data-kind="reply"' not in timeline
    assert Complaint.objects.count() == 1
