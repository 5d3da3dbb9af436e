"""The support group screens, including the usage page of a group (which work orders use it)."""

import pytest
from django.urls import reverse
from wagtail.models import ReferenceIndex

from care.services.workorders import complaint_escalate
from home.roles import CARE_MANAGERS
from tests.care.complaint_helpers import complaint, staff_user, support_group

pytestmark = pytest.mark.django_db


def test_the_usage_page_of_a_support_group_lists_its_work_orders(client, settings):
    settings.OTP_REQUIRED_GROUPS = []
    manager = staff_user("zhao", CARE_MANAGERS)
    group = support_group("网络支持组")
    item = complaint(manager, notify=False)
    order = complaint_escalate(complaint_id=item.pk, acting_user=manager, support_group=group)
    ReferenceIndex.create_or_update_for_object(order)  # what Wagtail's background task does
    client.force_login(manager)
    response = client.get(reverse("care_support_groups:usage", args=[group.pk]))
    assert response.status_code == 200
    assert item.reference in response.content.decode()
    assert f"/admin/care/complaints/inspect/{item.pk}/" in response.content.decode()
