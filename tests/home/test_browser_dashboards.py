"""Each role's dashboard in Chromium, with the demo content: the charts are drawn and carry data."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from home.demo.load import demo_load
from tests.home.test_role_dashboards import ROLE_PANELS

# Bars taller than zero, and lines that are not flat.
DRAWN = """svg => [...svg.querySelectorAll('rect.bar')].filter(r => parseFloat(r.getAttribute('height')) > 0).length
  + [...svg.querySelectorAll('polyline.line')].filter(
      p => new Set(p.getAttribute('points').split(' ').map(xy => xy.split(',')[1])).size > 1).length"""

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session_cookie(username):
    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    if username == "caremanager":
        device = TOTPDevice.objects.create(user=user, name="browser-test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_every_role_dashboard_shows_charts_with_data(browser, live_server):
    demo_load()
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for username, panels in ROLE_PANELS.items():
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 2000})
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": _session_cookie(username),
                              "domain": host, "path": "/"}])
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/?period=year")
        charts = page.locator("svg.chart")
        assert charts.count() == len(panels), username
        for i in range(charts.count()):
            chart = charts.nth(i)
            assert chart.is_visible()
            assert chart.get_attribute("role") == "img"
            assert chart.evaluate(DRAWN) > 0, f"{username}: chart {i} has no data drawn"
        page.screenshot(path=str(shots / f"dashboard-{username}.png"), full_page=True)
        context.close()
