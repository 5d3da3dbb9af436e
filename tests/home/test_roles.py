import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from home.roles import CARE_MANAGERS, CARE_STAFF, EDITORS, ROLES, TRAINING_COORDINATORS

pytestmark = pytest.mark.django_db


def staff(role):
    user = get_user_model().objects.create_user(username=role.replace(" ", "_").lower(), password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_role_groups_are_created_by_migration():
    assert set(Group.objects.filter(name__in=ROLES).values_list("name", flat=True)) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reaches_the_admin(client, role):
    client.force_login(staff(role))
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role, allowed", [(EDITORS, False), (TRAINING_COORDINATORS, False), (CARE_STAFF, False), (CARE_MANAGERS, True)])
def test_only_care_managers_see_the_outbox(client, role, allowed):
    client.force_login(staff(role))
    response = client.get("/admin/outbox/")
    assert (response.status_code == 200) is allowed
    if not allowed:
        assert response.status_code in (302, 403)


@pytest.mark.parametrize("role, allowed", [(EDITORS, True), (TRAINING_COORDINATORS, True), (CARE_STAFF, False)])
def test_product_lines_are_managed_by_content_roles(client, role, allowed):
    client.force_login(staff(role))
    assert (client.get("/admin/snippets/home/productline/").status_code == 200) is allowed
