"""Coordinators: roster (command, CSV, print), attendance on the day, figures, and who may see sign-ups."""

import csv
import io
import json
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
