"""Journey (issue 21): a customer who booked earlier signs in with an emailed link, watches a lesson of
a basic course in Chinese, sees it counted on the English page too, and finds on "My page" the
booking, the certificate PDF and the journal preferences. In zh-hans, mail through the loopback SMTP
server, sent by a real worker."""

import re
import time

import pytest
from django.utils import timezone

from newsletter.models import Subscriber
from training.models import CoursePage
from training.services.certificates import certificate_create
from training.services.signups import booking_create

from ..training import certificate_helpers as ch
from ..training import signup_helpers as sh

SHOTS = "/tmp/shots/21"
EMAIL = "zhou.jie@customer.example.cn"


def _mail_to(smtp_server, address, subject_part, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for item in smtp_server.messages:
            if address in item["to"] and subject_part in item["message"]["Subject"]:
                return item["message"]
        time.sleep(0.2)
    raise AssertionError(f"no email to {address} about {subject_part!r}")


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_customer_signs_in_watches_a_lesson_and_finds_everything_on_my_page(
    page, live_server, home_pages, smtp_server, celery_worker, settings
):
    from django.core.cache import cache

    cache.clear()
    # Earlier: 周杰 booked a class for himself and a colleague, holds a certificate and reads the journal.
    klass = sh.session(sh.course(sh.catalog(home_pages), title="防火墙认证工程师"), city="杭州 Hangzhou")
    booking = booking_create(session_id=klass.pk, company="华东电力", attendees=[
        sh.person_data(1, name="周杰", email=EMAIL), sh.person_data(2, name="王工"),
    ])
    customer = booking.contact
    earlier = ch.course(home_pages, title="安全网关认证工程师", months=24)
    certificate = certificate_create(person=customer, course=earlier, class_date=timezone.localdate())
    Subscriber.objects.create(person=customer, status=Subscriber.Status.ACTIVE)
    basic = ch.course(home_pages, title="安全网关入门", title_en="Security gateways: the basics",
                      level=CoursePage.Level.BASIC_VIDEO, lessons=("产品概览", "安装与配置", "维护"), months=0)

    # Asks for a sign-in link from the header.
    page.goto(live_server.url + "/zh-hans/")
    page.get_by_role("banner").get_by_role("link", name="登录").click()
    page.wait_for_url(re.compile(r"/zh-hans/signin/$"))
    assert page.title().startswith("登录") and page.locator("html").get_attribute("lang") == "zh-Hans"
    page.screenshot(path=f"{SHOTS}/signin.png", full_page=True)
    page.get_by_label("电子邮箱或手机号码").fill(EMAIL.upper())
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/zh-hans/signin/code/$"))
    page.screenshot(path=f"{SHOTS}/signin_sent.png", full_page=True)

    # Follows the link in the email (the worker sent it to the loopback SMTP server).
    mail = _mail_to(smtp_server, EMAIL, "登录链接")
    text = mail.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+(/zh-hans/signin/link/[\w-]+/)", text).group(1)
    page.goto(live_server.url + link)
    page.get_by_role("button", name="登录我的页面").click()
    page.wait_for_url(re.compile(r"/zh-hans/my/$"))

    # Watches the first lesson on the Chinese page of the basic course.
    page.goto(live_server.url + basic.get_url())
    assert "已看完 0 / 3 课" in page.locator("#lessons-progress").inner_text()
    page.get_by_role("button", name=re.compile("标记为已观看.*产品概览")).click()
    page.wait_for_url(re.compile(basic.get_url() + "$"))
    assert "已看完 1 / 3 课" in page.locator("#lessons-progress").inner_text()
    page.screenshot(path=f"{SHOTS}/course_zh.png", full_page=True)

    # The English page of the same course counts it too.
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/en/"))
    assert "1 of 3 lessons watched" in page.locator("#lessons-progress").inner_text()
    assert page.get_by_role("button", name=re.compile("Watched")).count() == 1

    # My page, back in Chinese, from the header.
    page.get_by_role("link", name="中文").click()
    page.get_by_role("banner").get_by_role("link", name="我的页面").click()
    page.wait_for_url(re.compile(r"/zh-hans/my/$"))
    assert page.title().startswith("我的页面")
    page.screenshot(path=f"{SHOTS}/my_page.png", full_page=True)
    bookings = page.locator("#my-bookings-heading + table")
    assert "防火墙认证工程师" in bookings.inner_text() and "王工" in bookings.inner_text()
    assert "安全网关入门" in page.content() and "已看完 1 / 3 课" in page.content()

    pdf_link = page.get_by_role("link", name=re.compile(f"PDF.*{certificate.number}"))
    pdf = page.context.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    page.get_by_role("link", name=re.compile("付款、改期或取消.*周杰")).click()
    page.wait_for_url(re.compile(r"/zh-hans/training/booking/[\w-]{43}/$"))
    assert "周杰" in page.content()
    page.go_back()
    page.get_by_role("link", name="期刊偏好设置").click()
    page.wait_for_url(re.compile(r"/zh-hans/journal/preferences/"))
    assert EMAIL in page.content()
    page.screenshot(path=f"{SHOTS}/preferences.png", full_page=True)

    # The staff admin stays closed to the customer.
    page.goto(live_server.url + "/admin/")
    assert "/admin/login/" in page.url
