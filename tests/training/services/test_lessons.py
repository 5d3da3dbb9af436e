"""Progress through video lessons, recorded for signed-in customers across a course's languages, and
the prerequisite check."""

import pytest
from django.utils import timezone

from home.customers import SESSION_KEY
from training.models import CourseLesson, CoursePage, LessonProgress
from training.services.certificates import certificate_create, certificate_revoke
from training.services.lessons import prerequisite_met

from .. import certificate_helpers as h

pytestmark = pytest.mark.django_db

LESSONS = ("产品概览", "安装与配置", "维护")


@pytest.fixture
def courses(home_pages):
    basic = h.course(home_pages, title="安全网关入门", title_en="Security gateways: the basics",
                     level=CoursePage.Level.BASIC_VIDEO, lessons=LESSONS, months=0)
    advanced = h.course(home_pages, prerequisite=basic)
    return basic, advanced


def sign_in(client, person):
    session = client.session
    session[SESSION_KEY] = person.pk
    session.save()


@pytest.fixture
def learner(client):
    holder = h.person(name="张伟", email="zhang.wei@example.com")
    sign_in(client, holder)
    return holder


def mark(client, lesson, json=True, **data):
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post(f"/zh-hans/lessons/{lesson.pk}/progress/", {"completed": "1", **data}, **headers)


def test_anonymous_visitor_records_nothing(client, courses):
    lesson = courses[0].lessons.first()
    response = mark(client, lesson)
    assert response.status_code == 403 and "error" in response.json()
    assert not LessonProgress.objects.exists()


def test_get_is_refused(client, courses, learner):
    assert client.get(f"/zh-hans/lessons/{courses[0].lessons.first().pk}/progress/").status_code == 405


def test_watching_every_lesson_meets_the_prerequisite(client, courses, learner):
    basic, advanced = courses
    holder = learner
    assert prerequisite_met(person=holder, course=advanced) is False
    lessons = list(basic.lessons.order_by("sort_order"))
    for lesson in lessons[:-1]:
        response = mark(client, lesson)
        assert response.json() == {"lesson": lesson.pk, "seconds": 0, "position": 0, "completed": True}
    assert prerequisite_met(person=holder, course=advanced) is False
    assert mark(client, lessons[-1]).status_code == 200
    assert prerequisite_met(person=holder, course=advanced) is True
    progress = LessonProgress.objects.get(lesson=lessons[0])
    assert progress.user is None and progress.person == holder and progress.completed_at
    # marking again changes nothing and makes no second row
    mark(client, lessons[0])
    assert LessonProgress.objects.filter(lesson=lessons[0]).count() == 1


def test_seconds_watched_only_move_forward(client, courses, learner):
    lesson = courses[0].lessons.first()
    mark(client, lesson, completed="", seconds="120")
    mark(client, lesson, completed="", seconds="30")
    progress = LessonProgress.objects.get()
    assert progress.seconds_watched == 120 and progress.completed_at is None


def test_lessons_of_the_english_translation_count_too(client, courses, learner):
    basic, advanced = courses
    english = basic.get_translation(h.Locale.objects.get(language_code="en")).specific
    english_lessons = list(CourseLesson.objects.filter(page=english))
    assert len(english_lessons) == len(LESSONS)
    for lesson in english_lessons:
        mark(client, lesson)
    assert prerequisite_met(person=learner, course=advanced) is True


def test_someone_elses_progress_does_not_count(client, courses, learner):
    basic, advanced = courses
    for lesson in basic.lessons.all():
        mark(client, lesson)
    stranger = h.person(name="李娜")
    assert prerequisite_met(person=stranger, course=advanced) is False


def test_course_without_prerequisite_and_a_valid_certificate(courses):
    basic, advanced = courses
    holder = h.person(name="王芳")
    assert prerequisite_met(person=holder, course=basic) is True
    certificate = certificate_create(person=holder, course=basic, class_date=timezone.localdate())
    assert prerequisite_met(person=holder, course=advanced) is True
    certificate_revoke(certificate_id=certificate.pk, reason="x", acting_user=None)
    assert prerequisite_met(person=holder, course=advanced) is False


def test_plain_form_goes_back_to_the_page_and_never_elsewhere(client, courses, learner):
    lesson = courses[0].lessons.first()
    response = mark(client, lesson, json=False, next="/zh-hans/training/")
    assert response.status_code == 302 and response["Location"] == "/zh-hans/training/"
    response = mark(client, lesson, json=False, next="https://evil.example.net/")
    assert response["Location"] == "/"


def test_unknown_lesson(client, learner):
    assert mark(client, type("L", (), {"pk": 999999})()).status_code == 404


def test_a_staff_sign_in_is_not_a_learner(client, courses, admin_user):
    client.force_login(admin_user)
    response = mark(client, courses[0].lessons.first())
    assert response.status_code == 403 and not LessonProgress.objects.exists()


def test_progress_is_shared_by_the_language_copies(client, courses, learner):
    basic, advanced = courses
    english = basic.get_translation(h.Locale.objects.get(language_code="en")).specific
    zh_lessons = list(basic.lessons.order_by("sort_order"))
    en_lessons = list(english.lessons.order_by("sort_order"))
    assert [lesson.translation_key for lesson in zh_lessons] == [lesson.translation_key for lesson in en_lessons]
    mark(client, zh_lessons[0])
    mark(client, en_lessons[0])  # the same lesson in English: still one row
    mark(client, en_lessons[1], completed="", position="95")
    assert LessonProgress.objects.count() == 2
    html = client.get(english.get_url()).content.decode()
    assert "1 of 3 lessons watched" in html
    assert 'data-position="95"' in html and html.count(" disabled>") == 1
    zh_html = client.get(basic.get_url()).content.decode()
    assert "已看完 1 / 3 课" in zh_html and 'data-position="95"' in zh_html
    mark(client, zh_lessons[1])
    mark(client, en_lessons[2])
    assert prerequisite_met(person=learner, course=advanced) is True


def test_position_is_kept_to_resume_and_may_go_back(client, courses, learner):
    lesson = courses[0].lessons.first()
    mark(client, lesson, completed="", position="300", seconds="300")
    response = mark(client, lesson, completed="", position="40", seconds="40")
    assert response.json()["position"] == 40 and response.json()["seconds"] == 300
    assert mark(client, lesson, completed="", position="nonsense").status_code == 200
    assert LessonProgress.objects.get().position_seconds == 40


def test_course_page_offers_mark_as_watched_to_signed_in_customers(client, home_pages):
    from training.services.lessons import lesson_progress_record

    basic = h.course(home_pages, title="安全网关基础", level=CoursePage.Level.BASIC_VIDEO, lessons=["第一课", "第二课"])
    first, second = list(basic.lessons.all())
    url = basic.get_url()
    html = client.get(url).content.decode()
    assert "lesson-progress" not in html and 'href="/zh-hans/signin/"' in html  # anonymous: a way to sign in
    holder = h.person(name="刘洋")
    sign_in(client, holder)
    lesson_progress_record(person=holder, lesson_id=first.pk, completed=True)
    html = client.get(url).content.decode()
    assert html.count('class="lesson-progress"') == 2
    assert f'action="/zh-hans/lessons/{second.pk}/progress/"' in html
    assert html.count(" disabled>") == 1  # the first lesson shows as watched
    assert "js/lesson-progress.js" in html
