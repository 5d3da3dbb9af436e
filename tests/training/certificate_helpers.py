"""Builders for certificate tests: plain functions, so other test modules are unaffected."""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Locale

from home.models import Person, ProductLine
from home.roles import sync_roles
from training.models import Assessment, CatalogPage, ClassSession, CourseLesson, CoursePage, Signup

_seq = itertools.count(1)


def product_line():
    line, _ = ProductLine.objects.get_or_create(
        slug="firewall", defaults={"name_zh_hans": "安全网关", "name_en": "Security gateways"}
    )
    return line


def catalog(home_pages):
    zh = CatalogPage.objects.child_of(home_pages["zh-hans"]).first()
    if zh is None:
        zh = home_pages["zh-hans"].add_child(instance=CatalogPage(title="培训与认证", slug="training"))
    en_locale = Locale.objects.get(language_code="en")
    if zh.get_translation_or_none(en_locale) is None:
        en = zh.copy_for_translation(en_locale)
        en.title = "Training and certification"
        en.save_revision().publish()
    return zh


def course(home_pages, *, title="安全网关认证工程师", title_en="Certified security gateway engineer", months=24,
           level=CoursePage.Level.ADVANCED_CERTIFICATION, lessons=(), prerequisite=None):
    n = next(_seq)
    page = CoursePage(title=title, slug=f"cert-course-{n}", level=level, product_line=product_line(),
                      certificate_validity_months=months, prerequisite_course=prerequisite)
    for order, lesson_title in enumerate(lessons):
        page.lessons.add(CourseLesson(title=lesson_title, video_url="https://example.com/v", sort_order=order))
    catalog(home_pages).add_child(instance=page)
    page.save_revision().publish()
    if title_en:
        en = page.copy_for_translation(Locale.objects.get(language_code="en"))
        en.title = title_en
        en.save_revision().publish()
    return page


def session(course_page, *, days=-1, status=ClassSession.Status.OPEN, city="上海", city_en="Shanghai"):
    starts = timezone.now().replace(microsecond=0) + timedelta(days=days)
    return ClassSession.objects.create(
        course=course_page, starts_at=starts, ends_at=starts + timedelta(hours=8), city=city, city_en=city_en, venue="世纪大道 100 号",
        trainer="王老师", capacity=10, signup_deadline=starts - timedelta(days=3), status=status,
    )


def person(name="张伟", email=None, organisation=None, language="zh-hans"):
    n = next(_seq)
    return Person.objects.create(name=name, email=email or f"holder{n}@example.com", language=language,
                                 organisation=organisation)


def attendee(session_obj, *, name="张伟", attended=True, result=Assessment.Result.PASSED, holder=None, **person_kw):
    holder = holder or person(name=name, **person_kw)
    signup = Signup.objects.create(session=session_obj, person=holder, status=Signup.Status.CONFIRMED,
                                   attended=attended)
    if result is not None:
        Assessment.objects.create(signup=signup, result=result)
    return signup


def staff(role=None, *, superuser=False, username=None):
    sync_roles()
    user = get_user_model().objects.create_user(
        username=username or f"staff{next(_seq)}", password="x", email=f"staff{next(_seq)}@example.com",
        is_staff=True, is_superuser=superuser,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user
