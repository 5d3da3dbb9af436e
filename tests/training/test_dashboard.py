"""The coordinator's panels name each class's course in the dashboard's language."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from home.dashboard import period_get
from training.dashboard import FillRatePanel, NextClassesPanel

from .signup_helpers import catalog, course, session

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("panel_class", [NextClassesPanel, FillRatePanel])
def test_course_titles_in_the_dashboards_language(home_pages, admin_user, panel_class):
    page = course(catalog(home_pages), title="防火墙认证工程师")  # its English translation: "Certified firewall engineer n"
    session(page, days=-3 if panel_class is FillRatePanel else 5, city="上海", city_en="Shanghai")
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    for language, title, city in (("en", "Certified firewall engineer", "Shanghai"), ("zh-hans", "防火墙认证工程师", "上海")):
        with translation.override(language):
            labels = panel_class(request, period_get("month")).get_data().labels
        assert len(labels) == 1 and title in labels[0] and city in labels[0], (language, labels)
        if language == "en":
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in labels[0]), labels
