"""The catalogue and course pages, the sign-up form, the home page section and the demo content."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from home.models import Consent
from training.models import CatalogPage, ClassSession, CourseLesson, CoursePage, Signup
from training.selectors import catalogue_courses

from ..signup_helpers import catalog, course, product_line, session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def notify():
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit") as m:
        yield m


@pytest.fixture
def cat(home_pages):
    return catalog(home_pages)


def test_catalogue_lists_courses_with_seats_left_in_both_languages(client, cat):
    page = course(cat, title="防火墙认证工程师")
    klass = session(page, capacity=10, city="北京", city_en="Beijing")
    session(page, capacity=1, city="上海", city_en="Shanghai", days=40)
    Signup.objects.create(session=klass, person=_person(1), status=Signup.Status.CONFIRMED)
    body = client.get("/zh-hans/training/").content.decode()
    assert "防火墙认证工程师" in body
    assert ">北京<" in body and "Beijing" not in body
    assert ">9<" in body  # seats left
    en = client.get("/en/training/").content.decode()
    assert "Certified firewall engineer" in en
    assert ">Beijing<" in en and "北京" not in en and ">9<" in en


def _person(n):
    from home.models import Person

    return Person.objects.create(name=f"P{n}", email=f"p{n}@example.com")


def test_filters_by_product_line_level_city_and_month(client, cat):
    fw = course(cat, title="防火墙认证工程师")
    mail = course(cat, title="企业邮箱入门", level=CoursePage.Level.BASIC_VIDEO, price=Decimal(0),
                  line=product_line("mail"))
    s1 = session(fw, city="北京", city_en="Beijing", days=20)
    session(fw, city="上海", city_en="Shanghai", days=60)

    def titles(query):
        return client.get("/zh-hans/training/?" + query).content.decode()

    assert "企业邮箱入门" not in titles("product_line=firewall")
    assert "防火墙认证工程师" in titles("product_line=firewall")
    assert "防火墙认证工程师" not in titles("level=basic_video")
    assert "企业邮箱入门" in titles("level=basic_video")
    body = titles("city=北京")
    assert "防火墙认证工程师" in body and "企业邮箱入门" not in body and "<td>上海</td>" not in body
    assert "<td>北京</td>" in body
    month = timezone.localtime(s1.starts_at).strftime("%Y-%m")
    body = titles(f"month={month}")
    assert "<td>北京</td>" in body
    assert mail  # the basic course has no classes, so a month filter hides it
    assert "企业邮箱入门" not in body


def test_catalogue_query_count_does_not_grow_with_courses(cat, django_assert_max_num_queries):
    for _ in range(6):
        page = course(cat, translate=False)
        session(page)
        session(page, days=30)
    with django_assert_max_num_queries(3):
        courses = catalogue_courses(catalog=cat)
        assert sum(len(c.upcoming) for c in courses) == 12


def test_course_page_shows_outline_lessons_certificate_and_classes(client, cat):
    basic = course(cat, title="防火墙入门", level=CoursePage.Level.BASIC_VIDEO, price=Decimal(0), translate=False,
                   outline="<ol><li>安装</li></ol>")
    CourseLesson.objects.create(page=basic, title="第一课 安装", video_url="https://player.bilibili.com/x", sort_order=0)
    basic.save_revision().publish()
    advanced = course(cat, title="防火墙认证工程师", prerequisite_course=basic, certificate_title="认证工程师",
                      certificate_validity_months=24, translate=False)
    session(advanced, city="深圳", city_en="Shenzhen")
    body = client.get(basic.url).content.decode()
    assert "第一课 安装" in body and "安装" in body
    body = client.get(advanced.url).content.decode()
    assert "认证工程师" in body and "深圳" in body and "Shenzhen" not in body and "防火墙入门" in body


def test_signup_form_books_a_seat_and_records_consent(client, cat, notify):
    klass = session(course(cat), capacity=3)
    response = client.post(f"/zh-hans/training/book/{klass.pk}/", _form(), follow=True)
    assert response.status_code == 200
    signup = Signup.objects.get()
    assert response.redirect_chain[-1][0] == f"/zh-hans/training/booking/{signup.token}/"
    assert signup.person.mobile == "+8613800138000"
    assert signup.booking.serial_number == "FW-123"
    assert signup.language == "zh-hans"
    assert Consent.objects.filter(person=signup.person, purpose="training_terms").exists()


def _form(**overrides):
    data = {
        "attendee-TOTAL_FORMS": "5", "attendee-INITIAL_FORMS": "0", "attendee-MIN_NUM_FORMS": "1",
        "attendee-MAX_NUM_FORMS": "5",
        "attendee-0-name": "李雷", "attendee-0-email": "li.lei@example.com", "attendee-0-mobile": "138 0013 8000",
        "company": "华东电力", "serial_number": "FW-123", "accept_terms": "on",
    }
    data.update(overrides)
    return data


def test_company_books_several_named_seats_through_the_form(client, cat, notify):
    klass = session(course(cat), capacity=4)
    data = _form(**{
        "attendee-1-name": "韩梅梅", "attendee-1-email": "han@example.com", "attendee-1-mobile": "13800138001",
        "attendee-2-name": "Jim Green", "attendee-2-email": "jim@example.com", "attendee-2-mobile": "+447700900123",
    })
    response = client.post(f"/en/training/book/{klass.pk}/", data, follow=True)
    assert "1 attendee(s) are on the waiting list" in response.content.decode()
    assert list(Signup.objects.order_by("pk").values_list("status", flat=True)) == [
        "pending_payment", "pending_payment", "waiting"]


def test_bad_mobile_and_missing_terms_are_shown_on_the_form(client, cat, notify):
    klass = session(course(cat))
    response = client.post(f"/en/training/book/{klass.pk}/", _form(**{"attendee-0-mobile": "12345", "accept_terms": ""}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid mobile number" in body
    assert "This field is required" in body
    assert not Signup.objects.exists()


def test_mistakes_do_not_count_bookings_do(client, cat, notify, settings):
    """Six forms sent back with mistakes cost nothing; the third booking in the hour from one address
    is refused on the form with the entries kept."""
    settings.TRAINING_BOOKINGS_PER_ADDRESS = 2
    klass = session(course(cat), capacity=10)
    url = f"/en/training/book/{klass.pk}/"
    for _n in range(6):
        assert client.post(url, _form(serial_number="")).status_code == 200
    codes = [client.post(url, _form(**{"attendee-0-email": f"a{n}@example.com",
                                      "attendee-0-mobile": f"1380013800{n}"})).status_code for n in range(2)]
    assert codes == [302, 302]
    response = client.post(url, _form(**{"attendee-0-email": "a9@example.com", "attendee-0-mobile": "13800138009"}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Your network has made 2 bookings within the hour" in body
    assert 'value="a9@example.com"' in body and 'value="FW-123"' in body
    assert Signup.objects.count() == 2


def test_one_booker_email_is_limited_across_addresses(client, cat, notify, settings):
    settings.TRAINING_BOOKINGS_PER_BOOKER = 1
    first, second = session(course(cat)), session(course(cat))
    assert client.post(f"/en/training/book/{first.pk}/", _form(), REMOTE_ADDR="10.0.0.1").status_code == 302
    response = client.post(f"/en/training/book/{second.pk}/", _form(), REMOTE_ADDR="10.0.0.2")
    assert "li.lei@example.com has made 1 bookings within the hour" in response.content.decode()


def test_a_flood_of_posts_is_refused(client, cat, notify, settings):
    settings.TRAINING_SIGNUP_POSTS_PER_ADDRESS = 3
    klass = session(course(cat))
    codes = [client.post(f"/en/training/book/{klass.pk}/", _form(serial_number="")).status_code for _n in range(4)]
    assert codes == [200, 200, 200, 429]


@pytest.mark.parametrize("language,summary,label", [
    ("en", "Please correct the following", "Product serial or contract number"),
    ("zh-hans", "请更正以下内容", "产品序列号或合同号"),
])
def test_form_marks_required_fields_and_summarises_errors_with_links(client, cat, language, summary, label):
    klass = session(course(cat))
    page = client.get(f"/{language}/training/book/{klass.pk}/").content.decode()
    assert 'for="id_serial_number">' in page and 'class="required"' in page[page.index('for="id_serial_number"'):][:300]
    response = client.post(f"/{language}/training/book/{klass.pk}/", _form(serial_number="FW#?"))
    body = response.content.decode()
    assert summary in body
    assert body.index("error-summary") < body.index('<form method="post" novalidate>')
    assert f'<a href="#id_serial_number">{label}' in body
    assert 'value="FW#?"' in body and 'value="li.lei@example.com"' in body
    assert not Signup.objects.exists()


def test_closed_class_has_no_form(client, cat):
    klass = session(course(cat))
    ClassSession.objects.filter(pk=klass.pk).update(signup_deadline=timezone.now() - timedelta(hours=1))
    assert client.get(f"/en/training/book/{klass.pk}/").status_code == 404


def test_home_page_shows_upcoming_classes(client, cat):
    session(course(cat, title="防火墙认证工程师"), city="成都", city_en="Chengdu")
    body = client.get("/zh-hans/").content.decode()
    assert "防火墙认证工程师" in body and "成都" in body and "Chengdu" not in body
    en = client.get("/en/").content.decode()
    assert "Certified firewall engineer" in en and "Chengdu" in en and "成都" not in en


def test_demo_content_is_bilingual_and_idempotent(home_pages):
    from home.demo.pages import _product_lines
    from training.demo.catalogue import load_demo

    _product_lines()
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit"):
        load_demo(home_pages)
        counts = (CoursePage.objects.count(), ClassSession.objects.count(), Signup.objects.count())
        load_demo(home_pages)
    assert (CoursePage.objects.count(), ClassSession.objects.count(), Signup.objects.count()) == counts
    assert CatalogPage.objects.get(locale__language_code="en").url == "/en/training/"
    assert CatalogPage.objects.get(locale__language_code="zh-hans").url == "/zh-hans/training/"
    assert CoursePage.objects.filter(locale__language_code="en", level="basic_video").exists()
    assert CoursePage.objects.filter(locale__language_code="zh-hans", level="advanced_certification").exists()
    assert len(set(ClassSession.objects.values_list("city", flat=True))) >= 3
    # Every class names its city once per language: "北京" and "Beijing", never "北京 Beijing".
    for city, city_en in ClassSession.objects.values_list("city", "city_en"):
        assert city_en and city_en.isascii() and not city.isascii() and " " not in city
    assert counts[2] >= 3


def test_city_is_named_in_the_language_of_the_page_and_filters_in_both(client, cat):
    fw = course(cat, title="防火墙认证工程师")
    session(fw, city="杭州", city_en="Hangzhou")
    session(fw, city="上海", city_en="Shanghai", days=50)
    session(fw, city="苏州", city_en="", days=60)  # no English name yet: the Chinese one stands in

    zh = client.get("/zh-hans/training/").content.decode()
    assert "杭州" in zh and "Hangzhou" not in zh
    assert '<option value="杭州">杭州</option>' in zh
    en = client.get("/en/training/").content.decode()
    assert "Hangzhou" in en and "杭州" not in en
    assert '<option value="Hangzhou">Hangzhou</option>' in en and "<td>苏州</td>" in en

    zh = client.get("/zh-hans/training/?city=杭州").content.decode()
    assert "<td>杭州</td>" in zh and "<td>上海</td>" not in zh and "<td>苏州</td>" not in zh
    en = client.get("/en/training/?city=Hangzhou").content.decode()
    assert "<td>Hangzhou</td>" in en and "<td>Shanghai</td>" not in en and "<td>苏州</td>" not in en
    en = client.get("/en/training/?city=苏州").content.decode()
    assert "<td>苏州</td>" in en and "<td>Hangzhou</td>" not in en


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_city_filter_in_the_browser_in_both_languages(page, live_server, home_pages):
    import os

    fw = course(catalog(home_pages), title="防火墙认证工程师")
    session(fw, city="杭州", city_en="Hangzhou")
    session(fw, city="上海", city_en="Shanghai", days=50)
    os.makedirs("/tmp/shots/17", exist_ok=True)
    for prefix, city, other, hidden in (("zh-hans", "杭州", "上海", "Hangzhou"), ("en", "Hangzhou", "Shanghai", "杭州")):
        page.goto(f"{live_server.url}/{prefix}/training/")
        page.locator("select[name=city]").select_option(city)
        page.locator("form[aria-labelledby=filter-heading] button[type=submit]").click()
        table = page.locator("table").first
        assert table.get_by_role("cell", name=city, exact=True).is_visible()
        assert table.get_by_role("cell", name=other, exact=True).count() == 0
        assert hidden not in page.content()
        page.screenshot(path=f"/tmp/shots/17/catalogue_city_{prefix}.png", full_page=True)
