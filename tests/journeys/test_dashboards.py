"""Each role signs in and reads its dashboard, drawn by ECharts from the demo content, in Chinese and
in English: legends do not overlap, count axes have whole-number ticks only, and a click on a bar
opens the listing of exactly the rows the bar counts."""

import re
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.users.models import UserProfile

from tests import demo_snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/wt/shots/i20")

# For each chart: the legend items' boxes, the ticks of its count axes, and each bar's value and centre.
CHARTS = """() => [...document.querySelectorAll('.dashboard-chart')].map(el => {
  const chart = echarts.getInstanceByDom(el);
  const option = chart.getOption();
  const names = new Set(option.series.map(s => s.name));
  const box = el.getBoundingClientRect();
  const legend = [...el.querySelectorAll('svg text')].filter(t => names.has(t.textContent)
      && t.getBoundingClientRect().bottom - box.top < 50 && t.getBoundingClientRect().width > 0)
    .map(t => { const r = t.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, t.textContent]; });
  const countTicks = option.yAxis.map((axis, i) => axis.minInterval === 1
      ? chart.getModel().getComponent('yAxis', i).axis.scale.getTicks().map(t => t.value) : []).flat();
  const bars = [];
  option.series.forEach((s, si) => { if (s.type !== 'bar') return;
    const layout = chart.getModel().getSeriesByIndex(si).getData();
    s.data.forEach((v, di) => { if (!v) return;
      const r = layout.getItemLayout(di);  // this series' bar within its group
      bars.push({series: si, index: di, value: v, x: box.left + window.scrollX + r.x + r.width / 2,
                 y: box.top + window.scrollY + r.y + r.height / 2}); }); });
  return {id: el.id, legend, countTicks, bars};
})"""


def _overlaps(boxes):
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5:
                return a[4], b[4]
    return None


def _sign_in(page, base, username, password):
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    if username == "caremanager":  # care managers give a code from their authenticator app
        device = TOTPDevice.objects.get(user__username=username, name="journey")
        while int(time.time() // device.step) <= device.last_t:  # a code is accepted once: wait for the next
            time.sleep(1)
        page.wait_for_selector("input[name=token]")
        page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
        with page.expect_response(lambda r: "two-factor/verify" in r.url and r.request.method == "POST") as answer:
            page.click("main form button[type=submit]")
        # Accepted: a redirect. (It may send on to the admin's icon sprite, which the page's script
        # requested meanwhile; the journey then opens the dashboard itself.)
        assert answer.value.status == 302, page.content()[:2000]
        return
    page.wait_for_url("**/admin/", wait_until="domcontentloaded")


def _rows(page):
    return page.locator("table.listing tbody tr").count()


def _click_bar_and_count(page, chart_id, bar):
    with page.expect_navigation():
        page.mouse.click(bar["x"], bar["y"])
    path, _sep, query = page.url.partition("?")
    assert path.rstrip("/").count("/") > 3 and query, page.url  # a filtered admin listing, not the dashboard
    return _rows(page)


# role: (period, chart whose bar is clicked, series index of that bar, at most this many rows on a page)
CLICKS = {
    "carestaff": ("week", "chart-care-my-calls", 0, 20),
    "caremanager": ("quarter", "chart-care-complaints", None, 50),
    "editor": ("month", "chart-journal-last-issue", 1, 20),
    "coordinator": ("month", "chart-training-next", 1, 20),
}


def test_each_role_reads_its_dashboard_and_clicks_through(browser, live_server):
    password = demo_snapshot.demo()["password"]  # both languages read it
    SHOTS.mkdir(parents=True, exist_ok=True)
    users = get_user_model().objects
    TOTPDevice.objects.create(user=users.get(username="caremanager"), name="journey", confirmed=True)
    for language, (username, (period, chart_id, series, per_page)) in (
        (language, role) for language in ("zh-hans", "en") for role in CLICKS.items()
    ):
        profile = UserProfile.get_for_user(users.get(username=username))
        profile.preferred_language = language
        profile.save()
        context = browser.new_context(locale="zh-CN" if language == "zh-hans" else "en-GB",
                                      viewport={"width": 1280, "height": 4200})
        page = context.new_page()
        page.set_default_timeout(90000)  # the machine the tests share can be slow
        _sign_in(page, live_server.url, username, password)
        page.goto(f"{live_server.url}/admin/?period={period}")
        page.wait_for_function("() => document.querySelectorAll('.dashboard-chart svg').length"
                               " === document.querySelectorAll('.dashboard-chart').length")
        assert page.locator("html").get_attribute("lang") == language
        page.screenshot(path=str(SHOTS / f"dashboard-{username}-{language}.png"), full_page=True)
        charts = page.evaluate(CHARTS)
        assert charts, username
        next_classes = page.evaluate("() => { const el = document.getElementById('chart-training-next');"
                                     " return el ? echarts.getInstanceByDom(el).getOption().xAxis[0].data : []; }")
        for chart in charts:
            assert _overlaps(chart["legend"]) is None, (username, chart["id"], _overlaps(chart["legend"]))
            assert all(float(t).is_integer() for t in chart["countTicks"]), (username, chart["id"], chart["countTicks"])
        # Every panel states its change against the previous period, and has its table.
        assert page.locator(".dashboard-change").count() == len(charts)
        assert page.locator(".dashboard-panel table.listing").count() == len(charts)

        bars = next(c for c in charts if c["id"] == chart_id)["bars"]
        bars = [b for b in bars if (series is None or b["series"] == series) and b["value"] <= per_page]
        assert bars, (username, chart_id)
        bar = bars[-1]
        assert _click_bar_and_count(page, chart_id, bar) == bar["value"], (username, page.url)
        page.screenshot(path=str(SHOTS / f"list-{username}-{language}.png"), full_page=True)
        # The listing names what it is filtered by in the reader's language, and never by an internal id.
        pills = " ".join(page.locator(".w-pill").all_inner_texts())
        assert pills and not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", pills + page.locator("table.listing").inner_text())
        if language == "zh-hans":
            assert not re.search(r"is (greater|less) than|is in\b|is null", pills), pills
        if language == "en" and username == "coordinator":  # class names: the course title in English
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in "".join(next_classes)), next_classes

        if username == "carestaff":  # the day starts with the queue: overdue, then due today
            page.goto(f"{live_server.url}/admin/")
            for figure in page.locator(".dashboard-summary a").all()[:2]:
                value = int(figure.locator("strong").inner_text())
                href = figure.get_attribute("href")
                listing, rows, number = context.new_page(), 0, 1
                while True:  # every page of the listing (20 rows a page)
                    listing.goto(f"{live_server.url}{href}&p={number}")
                    rows += _rows(listing)
                    if _rows(listing) < 20 or number * 20 >= value:
                        break
                    number += 1
                assert rows == value, href
                listing.close()
        context.close()
