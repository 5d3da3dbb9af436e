"""A signed-in customer's "My page": each app's section, in both languages, only their own records."""

import pytest
from django.utils import timezone

from care.models import Complaint
from home.customers import SESSION_KEY
from home.models import RightsRequest
from newsletter.models import Subscriber
from training.models import Signup
from training.services.certificates import certificate_create
from training.services.lessons import lesson_progress_record
from training.services.signups import booking_create

from ...training import certificate_helpers as ch
from ...training import signup_helpers as sh

pytestmark = pytest.mark.django_db


def sign_in(client, person):
    session = client.session
    session[SESSION_KEY] = person.pk
    session.save()


@pytest.fixture
def booking(home_pages):
    course = sh.course(sh.catalog(home_pages), title="防火墙认证工程师")
    session = sh.session(course, capacity=10)
    return booking_create(session_id=session.pk, company="上海某某科技", attendees=[
        sh.person_data(1, name="周经理"), sh.person_data(2, name="工程师甲"), sh.person_data(3, name="工程师乙"),
    ])


def test_the_colleague_who_booked_sees_every_seat_and_the_engineer_only_theirs(client, booking):
    signups = list(booking.signups.order_by("pk"))
    sign_in(client, booking.contact)
    html = client.get("/zh-hans/my/").content.decode()
    assert "我的页面" in html and html.count("/zh-hans/training/booking/") == 3
    assert "工程师甲" in html and "工程师乙" in html and "由您预订" in html
    for signup in signups:
        assert f'href="/zh-hans/training/booking/{signup.token}/"' in html  # the existing private pages
    sign_in(client, signups[1].person)
    html = client.get("/en/my/").content.decode()
    assert html.count("/en/training/booking/") == 1 and signups[1].token in html and "My page" in html
    assert signups[2].token not in html


def test_an_offered_seat_is_listed_to_accept(client, booking):
    signup = booking.signups.order_by("pk").last()
    Signup.objects.filter(pk=signup.pk).update(status=Signup.Status.OFFERED,
                                               offer_expires_at=timezone.now() + timezone.timedelta(days=1))
    sign_in(client, signup.person)
    html = client.get("/zh-hans/my/").content.decode()
    assert "为您保留的座位" in html and "接受或放弃" in html and signup.token in html


def test_certificates_with_pdf_verification_and_recertification(client, home_pages):
    holder = ch.person(name="陈静")
    course = ch.course(home_pages, months=24)
    certificate = certificate_create(person=holder, course=course, class_date=timezone.localdate())
    stranger = ch.person(name="孙磊")
    sign_in(client, holder)
    html = client.get("/zh-hans/my/").content.decode()
    assert certificate.number in html and f"/zh-hans/certificates/verify/{certificate.number}/" in html
    assert f"请在 {certificate.expires_on:%Y-%m-%d} 前重新认证" in html
    response = client.get(f"/zh-hans/my/certificates/{certificate.number}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    sign_in(client, stranger)
    assert client.get(f"/zh-hans/my/certificates/{certificate.number}.pdf").status_code == 404
    client.post("/zh-hans/signout/")
    assert client.get(f"/zh-hans/my/certificates/{certificate.number}.pdf").status_code == 404


def test_video_courses_journal_complaints_and_data_requests(client, home_pages):
    holder = ch.person(name="吴芳", email="wu.fang@example.com")
    basic = ch.course(home_pages, title="安全网关入门", title_en="Gateways: the basics",
                      level=ch.CoursePage.Level.BASIC_VIDEO, lessons=("一", "二", "三"), months=0)
    lesson_progress_record(person=holder, lesson_id=basic.lessons.first().pk, completed=True)
    subscriber = Subscriber.objects.create(person=holder, status=Subscriber.Status.ACTIVE)
    complaint = Complaint.objects.create(person=holder, summary="设备发热", description="<p>发热</p>")
    RightsRequest.objects.create(kind=RightsRequest.Kind.ACCESS, email=holder.email, token="t" * 40,
                                 state=RightsRequest.State.OPEN)
    sign_in(client, holder)
    html = client.get("/en/my/").content.decode()
    assert "Gateways: the basics</a>: <span" in html and "1 of 3 lessons watched" in html
    assert "/en/journal/preferences/" in html and "Journal preferences" in html
    assert complaint.reference in html and f"/en/care/complaints/status/{complaint.status_token}/" in html
    assert "access and export" in html
    zh = client.get("/zh-hans/my/").content.decode()
    assert "安全网关入门</a>：<span" in zh and "已看完 1 / 3 课" in zh and "期刊偏好设置" in zh
    preferences = client.get(f"/en/journal/preferences/{zh.split('/journal/preferences/')[1].split('/')[0]}/")
    assert preferences.status_code == 200 and subscriber.person.email in preferences.content.decode()


def test_my_page_needs_a_sign_in(client):
    assert client.get("/zh-hans/my/")["Location"] == "/zh-hans/signin/"
