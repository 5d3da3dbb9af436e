"""Demo content of training: a catalogue in both languages, courses per product line, classes, sign-ups.

Idempotent: each piece is looked up before it is created.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from wagtail.models import Locale

from home.models import ProductLine

from ..models import CatalogPage, ClassSession, CourseLesson, CoursePage, Signup
from ..services.signups import booking_create

# (Chinese, English): each page shows the name in its own language.
CITIES = [("北京", "Beijing"), ("上海", "Shanghai"), ("深圳", "Shenzhen"), ("成都", "Chengdu")]
VENUES = {
    "北京": "海淀区中关村大街 1 号 培训中心 3 楼 / Training Centre, 1 Zhongguancun St, Haidian",
    "上海": "浦东新区世纪大道 100 号 12 楼 / 12F, 100 Century Avenue, Pudong",
    "深圳": "南山区科技园 8 栋 / Building 8, Science Park, Nanshan",
    "成都": "高新区天府大道 500 号 / 500 Tianfu Avenue, Hi-tech Zone",
}
TRAINERS = ["王老师 Wang Lei", "陈老师 Chen Jing", "李老师 Li Na"]

DEMO_ATTENDEES = [
    ("张伟", "zhang.wei@example.com", "13800138001", "华东电力 East China Power"),
    ("李娜", "li.na@example.com", "13800138002", "华东电力 East China Power"),
    ("Tom Becker", "tom.becker@example.com", "+4915112345678", "Becker Logistik"),
    ("刘洋", "liu.yang@example.com", "13800138003", "蓝海物流 Blue Sea Logistics"),
]


def _courses(product_line):
    zh, en = product_line.name_zh_hans, product_line.name_en
    return [
        {
            "slug": f"{product_line.slug}-basics",
            "level": CoursePage.Level.BASIC_VIDEO,
            "price": Decimal("0"),
            "hours": Decimal("3"),
            "zh": (f"{zh}入门（视频课程）", f"通过视频学习{zh}的安装、配置与日常维护。",
                   "<ol><li>产品概览</li><li>安装与初始配置</li><li>日常维护与故障排查</li></ol>", "无"),
            "en": (f"{en}: the basics (video)", f"Learn to install, configure and look after {en.lower()} by video.",
                   "<ol><li>Product overview</li><li>Installation and first set-up</li><li>Day-to-day care and troubleshooting</li></ol>",
                   "None"),
            "certificate": ("", ""),
            "lessons": [("产品概览 / Overview", 12), ("安装与配置 / Installation", 25), ("维护 / Maintenance", 18)],
        },
        {
            "slug": f"{product_line.slug}-certified-engineer",
            "level": CoursePage.Level.ADVANCED_CERTIFICATION,
            "price": Decimal("2800"),
            "hours": Decimal("7"),
            "zh": (f"{zh}认证工程师（面授）", f"一天面授课程，小班教学（最多 10 人），考核通过后获得{zh}认证工程师证书。",
                   "<ol><li>高级配置</li><li>高可用与备份</li><li>实操考核</li></ol>",
                   f"已完成“{zh}入门”视频课程，并有半年以上实际使用经验。"),
            "en": (f"{en}: certified engineer (classroom)",
                   f"A one-day classroom course in small classes (at most 10 people), leading to the certified engineer certificate for {en.lower()}.",
                   "<ol><li>Advanced configuration</li><li>High availability and backup</li><li>Practical assessment</li></ol>",
                   f"The “{en}: the basics” video course and six months of hands-on experience."),
            "certificate": (f"{zh}认证工程师", f"Certified {en} Engineer"),
            "lessons": [],
        },
    ]


def _translate(page, locale, fields: dict):
    translated = page.get_translation_or_none(locale)
    if translated is None:
        translated = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    return translated


def _catalog(pages):
    zh_home, en_home = pages["zh-hans"], pages["en"]
    catalog = CatalogPage.objects.child_of(zh_home).first()
    if catalog is None:
        catalog = zh_home.add_child(instance=CatalogPage(
            title="培训与认证", slug="training",
            intro="<p>视频基础课程随时学习；认证课程一天面授，每班最多 10 人，在多个城市定期开班。</p>",
        ))
    en_locale = en_home.locale
    if catalog.get_translation_or_none(en_locale) is None:
        _translate(catalog, en_locale, {
            "title": "Training and certification", "slug": "training",
            "intro": "<p>Basic courses by video, any time; certification courses in person, one day, at most "
                     "10 people a class, held regularly in several cities.</p>",
        })
    return catalog


def _course(catalog, product_line, spec, en_locale):
    course = CoursePage.objects.child_of(catalog).filter(slug=spec["slug"]).first()
    title, summary, outline, prerequisites = spec["zh"]
    if course is None:
        course = CoursePage(
            title=title, slug=spec["slug"], level=spec["level"], product_line=product_line, summary=summary,
            outline=outline, prerequisites=prerequisites, duration_hours=spec["hours"], price=spec["price"],
            certificate_title=spec["certificate"][0], certificate_validity_months=24 if spec["certificate"][0] else 0,
        )
        for order, (lesson_title, minutes) in enumerate(spec["lessons"]):
            course.lessons.add(CourseLesson(
                title=lesson_title, video_url=f"https://player.bilibili.com/player.html?bvid=BV1demo{product_line.slug}{order}",
                duration_minutes=minutes, sort_order=order,
            ))
        catalog.add_child(instance=course)
        course.save_revision().publish()
    if course.get_translation_or_none(en_locale) is None:
        title, summary, outline, prerequisites = spec["en"]
        _translate(course, en_locale, {
            "title": title, "summary": summary, "outline": outline, "prerequisites": prerequisites,
            "certificate_title": spec["certificate"][1],
        })
    return course


def _sessions(course, index):
    if course.level != CoursePage.Level.ADVANCED_CERTIFICATION or ClassSession.objects.filter(course=course).exists():
        return
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    for n in range(3):
        day = today + timedelta(days=14 + 21 * n + 3 * index)
        city, city_en = CITIES[(index + n) % len(CITIES)]
        starts = timezone.make_aware(datetime.combine(day, time(9, 0)), tz)
        ClassSession.objects.create(
            course=course, starts_at=starts, ends_at=starts + timedelta(hours=8), city=city, city_en=city_en,
            venue=VENUES[city],
            trainer=TRAINERS[(index + n) % len(TRAINERS)], capacity=10, price=course.price,
            signup_deadline=starts - timedelta(days=3), min_attendance=4,
        )


def _signups():
    if Signup.objects.exists():
        return
    session = ClassSession.objects.filter(status=ClassSession.Status.OPEN).order_by("starts_at").first()
    if session is None:
        return
    name, email, mobile, company = DEMO_ATTENDEES[0]
    booking_create(
        session_id=session.pk,
        attendees=[{"name": n, "email": e, "mobile": m} for n, e, m, c in DEMO_ATTENDEES if c == company],
        company=company, serial_number="FW-2026-000123", language="zh-hans", source="demo",
    )
    name, email, mobile, company = DEMO_ATTENDEES[2]
    booking_create(session_id=session.pk, attendees=[{"name": name, "email": email, "mobile": mobile}],
                   company=company, serial_number="C-88812", language="en", source="demo")


def load_demo(pages, stdout=None):
    en_locale = Locale.objects.get(language_code="en")
    catalog = _catalog(pages)
    for index, product_line in enumerate(ProductLine.objects.filter(active=True)):
        for spec in _courses(product_line):
            course = _course(catalog, product_line, spec, en_locale)
            _sessions(course, index)
    _signups()
    basics = {c.product_line_id: c for c in CoursePage.objects.filter(level=CoursePage.Level.BASIC_VIDEO)}
    for course in CoursePage.objects.filter(level=CoursePage.Level.ADVANCED_CERTIFICATION, prerequisite_course=None):
        basic = basics.get(course.product_line_id)
        if basic and basic.locale_id == course.locale_id:
            course.prerequisite_course = basic
            course.save_revision().publish()
    if stdout:
        stdout.write(f"training: {CoursePage.objects.count()} course pages, {ClassSession.objects.count()} classes")
