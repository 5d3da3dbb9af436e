"""Fixtures of the care-calls tests (imported by each test module: `from .calls_fixtures import *`)."""

from datetime import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from home.models import ProductLine
from home.roles import CARE_MANAGERS, CARE_STAFF, EDITORS, sync_roles

__all__ = ["no_two_factor", "roles", "product_line", "make_user", "teams", "make_customer", "local", "staff_east", "staff_south",
           "manager", "editor"]


def local(*args) -> datetime:
    """An aware datetime in the site's time zone."""
    return timezone.make_aware(datetime(*args))


@pytest.fixture(autouse=True)
def no_two_factor(settings):
    """Care managers must use two-factor sign-in (home.security); these tests are not about that."""
    settings.OTP_REQUIRED_GROUPS = []


@pytest.fixture
def roles(db):
    sync_roles()


@pytest.fixture
def make_user(roles):
    def make(username, role=None, **extra):
        user = get_user_model().objects.create_user(
            username=username, email=f"{username}@example.com", password="pw-" + username * 2, is_staff=True, **extra
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def staff_east(make_user):
    return make_user("xiaoming", CARE_STAFF)


@pytest.fixture
def staff_south(make_user):
    return make_user("xiaohong", CARE_STAFF)


@pytest.fixture
def manager(make_user):
    return make_user("laozhang", CARE_MANAGERS)


@pytest.fixture
def editor(make_user):
    return make_user("bianji", EDITORS)


@pytest.fixture
def teams(staff_east, staff_south):
    from care.models import CareTeam

    east = CareTeam.objects.create(name="华东组")
    east.members.add(staff_east)
    south = CareTeam.objects.create(name="华南组")
    south.members.add(staff_south)
    return {"east": east, "south": south}


@pytest.fixture
def product_line(db):
    line, _created = ProductLine.objects.get_or_create(
        slug="firewall", defaults={"name_zh_hans": "安全网关", "name_en": "Security gateways"}
    )
    return line


@pytest.fixture
def make_customer(db):
    from care.services.customers import customer_create

    counter = {"n": 0}

    def make(name="华安科技有限公司", *, team=None, contact="王伟", email=None, mobile=None, key=False, specialist=None,
             language="zh-hans"):
        counter["n"] += 1
        n = counter["n"]
        return customer_create(
            organisation_name=name, contact_name=contact, email=email or f"contact{n}@example.com",
            mobile=mobile or f"1380013{n:04d}", team=team, is_key_account=key, specialist=specialist,
            language=language,
        )

    return make
