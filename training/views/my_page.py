"""Training's part of a signed-in customer's "My page": bookings, offers, certificates, lessons.

Every booking links to its existing private manage page (pay, move, cancel, accept an offer), so
signing in adds a way in and replaces none.
"""

from django.utils import timezone

from ..emails import course_in_language
from ..models import Signup
from ..selectors import certificates_for_person, courses_in_progress, signups_of_customer
from .catalogue import site_language

RECENT_DAYS = 365  # past classes shown


def my_page_section(request, person) -> dict:
    language = site_language()
    now = timezone.now()
    titles = {}

    def title(course):
        if course.pk not in titles:
            titles[course.pk] = course_in_language(course, language).title
        return titles[course.pk]

    bookings, offers = [], []
    for signup in signups_of_customer(person_id=person.pk):
        session = signup.session
        if session.starts_at < now - timezone.timedelta(days=RECENT_DAYS):
            continue
        row = {
            "signup": signup, "course_title": title(session.course), "starts_at": timezone.localtime(session.starts_at),
            "for_someone_else": signup.person_id != person.pk,
        }
        if signup.status == Signup.Status.OFFERED and signup.person_id == person.pk:
            offers.append(row)
        else:
            bookings.append(row)
    today = timezone.localdate()
    certificates = []
    for certificate in certificates_for_person(person_id=person.pk).select_related("course"):
        state = certificate.state_on(today)
        course = course_in_language(certificate.course, language)
        certificates.append({
            "certificate": certificate, "state": state, "course_url": course.get_url(request),
            "recertify": certificate.expires_on is not None and state != certificate.State.REVOKED,
        })
    return {
        "template": "training/includes/my_page_section.html", "order": 10,
        "bookings": bookings, "offers": offers, "certificates": certificates,
        "courses": courses_in_progress(person_id=person.pk, language=language),
    }
