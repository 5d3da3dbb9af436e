"""The call screen in zh-hans: a Back step, answers in the reader's language, one number per step; the call's
inspect page shows the same answers and every time in the site's time zone."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import Call, CallPurpose
from care.services.devices import device_register
from tests.care.calls_fixtures import *  # noqa: F403
from tests.care.services.test_scripts import _script

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def welcome_call(teams, make_customer, product_line):
    _script(CallPurpose.WELCOME)
    customer = make_customer(team=teams["east"])
    device_register(customer=customer, product_line=product_line, model="SG", serial="SN-CS1",
                    activated_on=timezone.localdate())
    return Call.objects.get(customer=customer)


def _answers(html):
    block = re.search(r'<ul class="care-answers".*?</ul>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip()
            for li in re.findall(r"<li[^>]*>(.*?)</li>", block.group(0), re.S)] if block else []


def test_script_with_back_translated_answers_and_single_numbers(client, welcome_call, staff_east):
    client.force_login(staff_east)
    url = reverse("care_call_work", args=[welcome_call.pk])
    client.post(url, {"action": "answer", "step": 1, "answer": "ok"}, **ZH)
    client.post(url, {"action": "answer", "step": 2, "answer": "no"}, **ZH)  # not delivered: go to step 8
    html = client.get(url, **ZH).content.decode()
    assert _answers(html) == ["第 1 步 · 您好，我是客户关怀中心的工作人员。感谢您选择我们的产品，占用您几分钟做个回访。 — 已告知",
                              "第 2 步 · 产品已经送达了吗？ — 否"]
    assert 'data-current-step="8"' in html and "— ok" not in html and "— no" not in html
    client.post(url, {"action": "answer", "step": 8, "answer": "ok"}, **ZH)
    html = client.get(url, **ZH).content.decode()
    third = _answers(html)[2]
    assert third.startswith("第 8 步 · 致歉") and not re.match(r"^\d+\.", third)  # not "3. 8. 致歉…"
    assert "data-script-finished" in html

    # Back: step 2 again, its answer preselected; answering "yes" forgets step 8 and goes on to step 3.
    back = re.search(r'data-script-back href="([^"]+)"', html).group(1)
    assert back == "?step=8#script"
    html = client.get(url + "?step=2", **ZH).content.decode()
    assert 'data-current-step="2"' in html and 'value="no" checked' in html
    assert re.search(r'data-script-back href="\?step=1#script"', html)
    client.post(url, {"action": "answer", "step": 2, "answer": "yes"}, **ZH)
    call = Call.objects.get(pk=welcome_call.pk)
    assert call.answers["path"] == [1, 2] and call.answers["current"] == 3 and "8" not in call.answers["steps"]
    assert [a.split(" · ")[0] for a in _answers(client.get(url, **ZH).content.decode())] == ["第 1 步", "第 2 步"]

    # The inspect page shows the same summary, translated.
    client.force_login(staff_east)
    inspect = client.get(reverse("care_calls:inspect", args=[call.pk]), **ZH).content.decode()
    assert "第 2 步 · 产品已经送达了吗？ — <strong>是</strong>" in inspect


def test_english_reader_sees_english_answer_labels(client, welcome_call, staff_east):
    client.force_login(staff_east)
    url = reverse("care_call_work", args=[welcome_call.pk])
    client.post(url, {"action": "answer", "step": 1, "answer": "ok"})
    client.post(url, {"action": "answer", "step": 2, "answer": "yes"})
    answers = _answers(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert answers[1].startswith("Step 2 · ") and answers[1].endswith("— yes")


def test_inspect_pages_show_times_in_the_site_time_zone(client, welcome_call, manager, staff_east):
    from care.services.calls import call_log_outcome
    from care.services.satisfaction import rating_record

    # 2026-03-01 17:30 UTC is 2026-03-02 01:30 in Asia/Shanghai.
    utc = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
    Call.objects.filter(pk=welcome_call.pk).update(due_at=utc)
    client.force_login(manager)
    html = client.get(reverse("care_calls:inspect", args=[welcome_call.pk]), **ZH).content.decode()
    assert '<time datetime="2026-03-02T01:30:00+08:00">2026-03-02 01:30</time>' in html
    assert "17:30" not in html

    call = call_log_outcome(call_id=welcome_call.pk, disposition="completed", acting_user=staff_east,
                            now=max(timezone.now(), welcome_call.due_at))
    Call.objects.filter(pk=call.pk).update(closed_at=utc)
    rating = rating_record(customer=call.customer, score=5, source="call", call=call)
    type(rating).objects.filter(pk=rating.pk).update(created_at=utc)
    html = client.get(reverse("care_ratings:inspect", args=[rating.pk]), **ZH).content.decode()
    assert "2026-03-02 01:30" in html and "17:30" not in html

    # The customer page's timeline dates the call by its local day.
    page = client.get(reverse("care_customers:inspect", args=[call.customer_id]), **ZH).content.decode()
    assert re.search(r"<time datetime=\"2026-03-02T01:30:00\+08:00\">2026-03-02 01:30</time>", page)
