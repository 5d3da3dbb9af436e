"""Demo certificates: one valid, one expiring soon, one expired, one revoked, held by engineers of a
demo customer; and a class held last week whose attendees are assessed but not yet certified, so a
coordinator can try issuing. Runs after the catalogue loader; idempotent."""

from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from home.services.people import person_match_or_create

from ..models import Assessment, Certificate, ClassSession, CoursePage, Signup
from ..services.certificates import certificate_create, certificate_render_pdf, certificate_revoke

COMPANY = "华东电力 East China Power"
# name, email, mobile, months since issue (negative: days), revoked reason
HOLDERS = [
    ("张伟", "zhang.wei@example.com", "13800138001", 1, ""),
    ("李娜", "li.na@example.com", "13800138002", None, ""),  # expires in 40 days
    ("王芳", "wang.fang@example.com", "13800138004", 25, ""),
    ("赵磊", "zhao.lei@example.com", "13800138005", 3, "考核资料不实 / assessment records were not genuine"),
]
ATTENDEES = [
    ("孙丽", "sun.li@example.com", "13800138006", Assessment.Result.PASSED),
    ("周杰", "zhou.jie@example.com", "13800138007", Assessment.Result.FAILED),
    ("吴敏", "wu.min@example.com", "13800138008", Assessment.Result.PENDING),
]


def _course():
    return (
        CoursePage.objects.filter(level=CoursePage.Level.ADVANCED_CERTIFICATION, locale__language_code="zh-hans",
                                  product_line__slug="firewall").first()
        or CoursePage.objects.filter(level=CoursePage.Level.ADVANCED_CERTIFICATION).order_by("pk").first()
    )


def _certificates(course, today):
    numbers = []
    for name, email, mobile, months, reason in HOLDERS:
        person = person_match_or_create(name=name, email=email, mobile=mobile, organisation_name=COMPANY,
                                        update=False)
        certificate = Certificate.objects.filter(person=person, course=course).first()
        if certificate is None:
            if months is None:
                issued = today + timedelta(days=40) - relativedelta(months=course.certificate_validity_months)
            else:
                issued = today - relativedelta(months=months)
            certificate = certificate_create(person=person, course=course, class_date=issued - timedelta(days=1),
                                             issued_on=issued)
            if reason:
                certificate_revoke(certificate_id=certificate.pk, reason=reason, acting_user=None)
        certificate_render_pdf(certificate_id=certificate.pk, send=False)
        numbers.append((certificate.number, name, certificate.state))
    return numbers


def _class_to_certify(course, today):
    tz = timezone.get_current_timezone()
    starts = timezone.make_aware(datetime.combine(today - timedelta(days=7), time(9, 0)), tz)
    session = ClassSession.objects.filter(course=course, starts_at=starts).first()
    if session is None:
        session = ClassSession.objects.create(
            course=course, starts_at=starts, ends_at=starts + timedelta(hours=8), city="北京", city_en="Beijing",
            venue="海淀区中关村大街 1 号 培训中心 3 楼 / Training Centre, 1 Zhongguancun St, Haidian",
            trainer="王老师 Wang Lei", capacity=10, price=course.price, signup_deadline=starts - timedelta(days=3),
            status=ClassSession.Status.COMPLETED, min_attendance=1,
        )
    for name, email, mobile, result in ATTENDEES:
        person = person_match_or_create(name=name, email=email, mobile=mobile, organisation_name=COMPANY,
                                        update=False)
        signup, _created = Signup.objects.get_or_create(
            session=session, person=person, defaults={"status": Signup.Status.CONFIRMED, "attended": True},
        )
        Assessment.objects.get_or_create(signup=signup, defaults={
            "result": result, "checklist": [{"item": "配置 VPN / VPN set-up", "done": True},
                                            {"item": "双机热备 / HA failover", "done": result == Assessment.Result.PASSED}],
        })
    return session


def load_demo(pages, stdout=None):
    course = _course()
    if course is None:
        if stdout:
            stdout.write("certificates: no certification course yet, nothing to do")
        return
    today = timezone.localdate()
    numbers = _certificates(course, today)
    _class_to_certify(course, today)
    if stdout:
        stdout.write("certificates (verify at /zh-hans/certificates/verify/): "
                     + ", ".join(f"{number} {name} {state}" for number, name, state in numbers))
