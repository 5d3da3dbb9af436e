"""Coordinators: roster (command, CSV, print), attendance on the day, figures, and who may see sign-ups."""

import csv
import io
import json
import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from home import roles
from training.models import Signup
from training.services import signups as services

from ..signup_helpers import catalog, course, person_data, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def klass(home_pages):
    page = course(catalog(home_pages), title="防火墙认证工程师", price=0)
    klass = session(page, capacity=2)
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit"):
        services.booking_create(session_id=klass.pk, attendees=[person_data(1, name="张伟"), person_data(2, name="李娜")],
                                company="华东电力", serial_number="FW-1")
        services.signup_create(session_id=klass.pk, **person_data(3, name="Tom Becker"), company="Becker")
    return klass


def _user(role=None, superuser=False):
    roles.sync_roles()
    user = get_user_model().objects.create_user(f"u-{role or 'admin'}", password="x" * 12, is_staff=True,
                                                is_superuser=superuser)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def test_roster_command_json_and_csv(klass):
    out = io.StringIO()
    call_command("training_roster", str(klass.pk), "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["session"]["seats_taken"] == 2 and data["session"]["waiting"] == 1
    assert [a["name"] for a in data["attendees"]] == ["张伟", "李娜", "Tom Becker"]
    assert data["attendees"][0]["company"] == "华东电力"
    assert data["attendees"][2]["status"] == "waiting"
    out = io.StringIO()
    call_command("training_roster", str(klass.pk), "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[1]["name"] == "李娜" and rows[1]["serial_number"] == "FW-1"


def _heading(html):
    """The text of the page's <h1> (Wagtail's header, with its icon)."""
    return re.sub(r"<[^>]+>", "", html.split("<h1", 1)[1].split(">", 1)[1].split("</h1>", 1)[0]).strip()


def test_coordinator_exports_prints_and_marks_attendance(client, klass):
    client.force_login(_user(roles.TRAINING_COORDINATORS))
    response = client.get(reverse("training_admin:roster_csv", args=[klass.pk]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "张伟" in text and "li.lei" not in text
    page = client.get(reverse("training_admin:roster", args=[klass.pk])).content.decode()
    assert "张伟" in page and "防火墙认证工程师" in page

    first = Signup.objects.get(person__name="张伟")
    response = client.post(reverse("training_admin:attendance", args=[klass.pk]), {f"attended-{first.pk}": "yes"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.attended is True

    figures = client.get(reverse("training_admin:figures")).content.decode()
    assert "防火墙认证工程师" in figures and "100%" in figures
    assert "满班率与候补名单" in _heading(figures)

    # Pages about one class have a heading and lead back to the class and the list of classes.
    attendance = client.get(reverse("training_admin:attendance", args=[klass.pk])).content.decode()
    assert "出勤" in _heading(attendance)
    assert f'href="{reverse("training_sessions:inspect", args=[klass.pk])}"' in attendance
    assert f'href="{reverse("training_sessions:index")}"' in attendance

    assert client.get(reverse("training_signups:index")).status_code == 200
    assert client.get(reverse("training_sessions:index")).status_code == 200
    assert client.get(reverse("training_sessions:add")).status_code == 200


def test_coordinator_cancels_a_class_from_the_admin(client, klass):
    client.force_login(_user(roles.TRAINING_COORDINATORS))
    with mock.patch("training.tasks.signup_notify_task.delay_on_commit") as notify:
        response = client.post(reverse("training_admin:session_cancel", args=[klass.pk]), {"reason": "讲师生病"})
    assert response.status_code == 302
    klass.refresh_from_db()
    assert klass.status == "cancelled"
    assert sorted(c.args[1] for c in notify.call_args_list) == ["session_cancelled"] * 3


@pytest.mark.parametrize("role", [roles.CARE_STAFF, roles.EDITORS, roles.CARE_MANAGERS])
def test_other_roles_cannot_see_signups(client, klass, role):
    client.force_login(_user(role))
    for url in [
        reverse("training_signups:index"),
        reverse("training_admin:roster", args=[klass.pk]),
        reverse("training_admin:roster_csv", args=[klass.pk]),
        reverse("training_admin:attendance", args=[klass.pk]),
        reverse("training_payments:index"),
    ]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "张伟" not in response.content.decode()


def test_coordinators_may_edit_the_catalogue_pages(client, klass):
    from training.models import CatalogPage

    client.force_login(_user(roles.TRAINING_COORDINATORS))
    catalogue = CatalogPage.objects.get(locale__language_code="zh-hans")
    assert client.get(reverse("wagtailadmin_pages:edit", args=[catalogue.pk])).status_code == 200
    child = catalogue.get_children().first()
    assert client.get(reverse("wagtailadmin_pages:edit", args=[child.pk])).status_code == 200


def test_nobody_edits_signups_by_hand(client, klass):
    client.force_login(_user(superuser=True))
    signup = Signup.objects.first()
    assert client.get(reverse("training_signups:edit", args=[signup.pk])).status_code in (302, 403)
    assert client.get(reverse("training_signups:inspect", args=[signup.pk])).status_code == 200


def test_class_list_is_by_date_in_the_coordinators_language_with_fill_and_waiting(client, klass, home_pages):
    later = session(klass.course, days=40, city="成都", city_en="Chengdu")
    earlier = session(klass.course, days=5, city="深圳", city_en="Shenzhen")
    user = _user(roles.TRAINING_COORDINATORS)
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    body = client.get(reverse("training_sessions:index")).content.decode()
    assert body.index("Shenzhen") < body.index("Shanghai") < body.index("Chengdu")
    assert "上海" not in body  # the English admin names the city in English
    assert "Certified firewall engineer" in body and "防火墙认证工程师" not in body
    row = re.sub(r"\s", "", body[body.index("Shanghai"):][:2000])
    assert "<td>2</td><td>2</td><td>1</td><td>Full</td>" in row  # capacity, seats taken, waiting, status
    assert later.pk and earlier.pk


def test_mark_all_present_marks_the_unmarked_confirmed_attendees(client, klass):
    client.force_login(_user(roles.TRAINING_COORDINATORS))
    url = reverse("training_admin:attendance", args=[klass.pk])
    page = client.get(url).content.decode()
    assert "华东电力" in page
    response = client.post(url, {"all_present": "1"}, follow=True)
    assert response.status_code == 200
    assert list(Signup.objects.filter(session=klass, status="confirmed").values_list("attended", flat=True)) == [True, True]
    assert Signup.objects.get(person__name="Tom Becker").attended is None  # waiting list: not marked


def test_saving_a_class_read_before_a_cancellation_does_not_revert_it(klass):
    from training.models import ClassSession
    from training.services import sessions as session_services

    stale = ClassSession.objects.get(pk=klass.pk)
    session_services.session_cancel(session_id=klass.pk, acting_user=None, reason="trainer ill")
    stale.venue = "新地点"
    session_services.session_save(instance=stale, acting_user=None)
    klass.refresh_from_db()
    assert klass.status == ClassSession.Status.CANCELLED and klass.cancel_reason == "trainer ill"
    assert klass.venue == "新地点"


def test_coordinator_emails_the_attendees_of_a_class_once(client, klass):
    from home.models import OutboxMessage

    client.force_login(_user(roles.TRAINING_COORDINATORS))
    url = reverse("training_admin:session_email", args=[klass.pk])
    form = client.get(url).content.decode()
    assert "2" in form and _heading(form) == "给学员发邮件"
    assert f'href="{reverse("training_sessions:inspect", args=[klass.pk])}"' in form
    empty = client.post(url, {"subject": " ", "message": "x"})
    assert empty.status_code == 200 and not OutboxMessage.objects.filter(kind="training.class_message").exists()
    data = {"subject": "教室变更", "message": "本次课程改在 3 楼 301 教室。"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # sent twice by mistake: nobody gets it twice
    sent = OutboxMessage.objects.filter(kind="training.class_message")
    assert sorted(sent.values_list("to_email", flat=True)) == ["attendee1@example.com", "attendee2@example.com"]
    first = sent.get(to_email="attendee1@example.com")
    assert "301 教室" in first.text and Signup.objects.get(person__email="attendee1@example.com").token in first.text
