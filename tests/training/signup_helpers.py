"""Builders for catalogue and sign-up tests (plain functions, so other test modules are unaffected)."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from wagtail.models import Locale

from home.models import ProductLine
from training.models import CatalogPage, ClassSession, CoursePage

_seq = itertools.count(1)


def product_line(slug="firewall"):
    line, _ = ProductLine.objects.get_or_create(
        slug=slug, defaults={"name_zh_hans": "安全网关", "name_en": "Security gateways"}
    )
    return line


def catalog(home_pages):
    """The Chinese catalogue under the Chinese home page, translated to English."""
    zh = CatalogPage.objects.child_of(home_pages["zh-hans"]).first()
    if zh is None:
        zh = home_pages["zh-hans"].add_child(instance=CatalogPage(title="培训与认证", slug="training"))
    en_locale = Locale.objects.get(language_code="en")
    if zh.get_translation_or_none(en_locale) is None:
        en = zh.copy_for_translation(en_locale)
        en.title = "Training and certification"
        en.save_revision().publish()
    return zh


def course(catalog_page, *, title=None, level=CoursePage.Level.ADVANCED_CERTIFICATION, price=Decimal("2800"),
           line=None, translate=True, **fields):
    n = next(_seq)
    page = CoursePage(
        title=title or f"防火墙认证工程师 {n}", slug=f"course-{n}", level=level, product_line=line or product_line(),
        price=price, summary="一天面授课程", **fields,
    )
    catalog_page.add_child(instance=page)
    page.save_revision().publish()
    if translate:
        en_locale = Locale.objects.get(language_code="en")
        en = page.copy_for_translation(en_locale)
        en.title = f"Certified firewall engineer {n}"
        en.save_revision().publish()
    return page


def session(course_page, *, days=20, capacity=10, city="上海", city_en="Shanghai", price=None, deadline_days=None,
            **fields):
    starts = timezone.now().replace(microsecond=0) + timedelta(days=days)
    return ClassSession.objects.create(
        course=course_page,
        starts_at=starts,
        ends_at=starts + timedelta(hours=8),
        city=city,
        city_en=city_en,
        venue="浦东新区世纪大道 100 号",
        trainer="王老师",
        capacity=capacity,
        price=course_page.price if price is None else price,
        signup_deadline=starts - timedelta(days=3 if deadline_days is None else deadline_days),
        **fields,
    )


def person_data(n, **overrides):
    return {
        "name": f"测试学员{n}",
        "email": f"attendee{n}@example.com",
        "mobile": f"139{n:08d}",
        **overrides,
    }
