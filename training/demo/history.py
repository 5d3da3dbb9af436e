"""A year of classes for the demo, so that the coordinators' charts have a shape by week, month,
quarter and year: a class every few days with its attendance (and no-shows) and the certificates it
led to, and the coming classes filling up, some full with a waiting list.

Rows are written in bulk (the services would send mail at each step); idempotent by ``DOMAIN``.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from home.models import Person

from ..models import Certificate, ClassSession, CoursePage, Signup
from ..services.certificates import certificate_create

DOMAIN = "trainee.demo.example.com"
DAYS = 400
# Seats taken and waiting list of the coming classes after the first (which the demo books itself).
COMING = [(10, 3), (9, 0), (10, 1), (6, 0), (4, 0), (10, 2), (7, 0), (3, 0)]


def load_history(stdout=None):
    if Person.objects.filter(email__endswith=f"@{DOMAIN}").exists():
        return
    courses = list(CoursePage.objects.filter(level=CoursePage.Level.ADVANCED_CERTIFICATION,
                                             locale__language_code="zh-hans").order_by("pk"))
    if not courses:
        return
    rng = random.Random(21)
    people = iter(Person.objects.bulk_create(
        [Person(name=f"学员{n:03d}", email=f"t{n:03d}@{DOMAIN}") for n in range(1400)]))
    today = timezone.localdate()
    past = _past_classes(rng, today, courses, people)
    _coming_classes(people)
    if stdout is not None:
        stdout.write(f"training: {past} past demo classes with attendance and certificates\n")


def _at(day):
    return datetime.combine(day, time(9, 0), tzinfo=timezone.get_current_timezone())


def _past_classes(rng, today, courses, people):
    sessions = []
    for n, back in enumerate(range(DAYS, 0, -3)):
        course = courses[n % len(courses)]
        starts = _at(today - timedelta(days=back))
        city, city_en = [("北京", "Beijing"), ("上海", "Shanghai"), ("广州", "Guangzhou")][n % 3]
        sessions.append(ClassSession(
            course=course, starts_at=starts, ends_at=starts + timedelta(hours=8), city=city, city_en=city_en,
            venue="培训中心 / Training centre", trainer="王老师 Wang Lei", capacity=10, price=course.price,
            signup_deadline=starts - timedelta(days=3), status=ClassSession.Status.COMPLETED, min_attendance=1,
        ))
    ClassSession.objects.bulk_create(sessions)
    signups, certified = [], []
    for session in sessions:
        for _i in range(rng.randint(5, 10)):
            came = rng.random() < 0.85
            signup = Signup(session=session, person=next(people), status=Signup.Status.CONFIRMED, attended=came)
            signups.append(signup)
            if came and rng.random() < 0.7:
                certified.append(signup)
    Signup.objects.bulk_create(signups)
    for signup in certified:
        session = signup.session
        day = timezone.localtime(session.starts_at).date()
        issued = min(day + timedelta(days=rng.randint(1, 9)), today)  # after the assessment is marked
        certificate = certificate_create(person=signup.person, course=session.course, class_date=day,
                                         issued_on=issued, session=session, signup=signup)
        Certificate.objects.filter(pk=certificate.pk).update(created_at=min(_at(issued), timezone.now()))
    return len(sessions)


def _coming_classes(people):
    coming = list(ClassSession.objects.filter(starts_at__gt=timezone.now(), status=ClassSession.Status.OPEN)
                  .order_by("starts_at", "pk")[1: 1 + len(COMING)])
    signups = []
    for session, (taken, waiting) in zip(coming, COMING, strict=False):
        signups += [Signup(session=session, person=next(people), status=Signup.Status.CONFIRMED) for _i in range(taken)]
        signups += [Signup(session=session, person=next(people), status=Signup.Status.WAITING) for _i in range(waiting)]
        if taken >= session.capacity:
            ClassSession.objects.filter(pk=session.pk).update(status=ClassSession.Status.FULL)
    Signup.objects.bulk_create(signups)
