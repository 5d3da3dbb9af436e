"""Journey (zh-hans): an editor sends the latest issue from the admin's send screen while the mail
server greylists two readers and refuses one. The delivery page shows the progress and the readers
waiting for their retry; the deferred readers get the issue after the (short) retry delay; the
refused reader shows as bounced. A reader follows the links of the received email and unsubscribes.

A real Celery worker sends; the SMTP server is tests/misbehaving_smtp.py on loopback.
"""

import re
import time
from html import unescape
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from home.roles import EDITORS
from newsletter.models import Delivery, Recipient, Subscriber
from tests.conftest import WorkerProcess, wait_until
from tests.misbehaving_smtp import MisbehavingServer, point_django_at
from tests.newsletter.conftest import journal  # noqa: F401 (fixture)
from tests.newsletter.delivery_helpers import make_subscribers

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/issue14")
RETRY_SECONDS = 8
PASSWORD = "correct-horse-14"


@pytest.fixture
def sink(settings):
    server = MisbehavingServer(smtputf8=False).start()
    point_django_at(settings, server)
    yield server
    server.stop()


@pytest.fixture
def worker(sink, celery_worker_env):
    env = {**celery_worker_env, "JOURNAL_RETRY_DELAYS": str(RETRY_SECONDS), "JOURNAL_DOMAIN_PACING": "{}"}
    process = WorkerProcess(env).start()
    yield process
    process.stop()


def _editor():
    from wagtail.users.models import UserProfile

    user = get_user_model().objects.create_user("editor14", "editor14@example.com", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "zh-hans"
    profile.save()
    return user


def _count(page, name):
    return int(page.locator(f'[data-count="{name}"]').inner_text())


def test_editor_sends_while_the_server_greylists_and_refuses(page, live_server, journal, sink, worker):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    make_subscribers(6)
    sink.handler.greylist |= {"reader1@example.com", "reader4@example.com"}
    sink.handler.refuse.add("reader2@example.com")
    _editor()
    issue = journal["issue"]

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "editor14")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

    page.goto(live_server.url + f"/admin/journal/send/{issue.pk}/")
    assert f"发送“{issue.title}”" in page.get_by_role("heading", level=1).inner_text()
    page.screenshot(path=str(SHOTS / "send_screen.png"), full_page=True)
    page.get_by_role("button", name="发送期刊").click()
    page.wait_for_url("**/admin/journal/deliveries/*/progress/")
    delivery = Delivery.objects.get()

    # While the greylisted readers wait for their retry, the page says so, with the server's reason.
    deadline = time.monotonic() + 30
    while _count(page, "deferred") < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        page.reload()
    assert _count(page, "deferred") == 2, "the greylisted readers are shown waiting for their retry"
    waiting = page.locator("[data-problem=queued]")
    assert waiting.count() == 2 and "451" in waiting.first.inner_text()
    assert "退信" in page.locator("[data-problem=failed]").inner_text()  # the refused reader: bounced
    page.screenshot(path=str(SHOTS / "delivery_deferred.png"), full_page=True)

    # After the retry delay the worker sends them; the page (it reloads itself) reaches "done".
    page.locator('[data-state="done"]').wait_for(timeout=60000)
    assert (_count(page, "sent"), _count(page, "failed"), _count(page, "deferred"), _count(page, "bounced")) == (
        5, 1, 0, 1)
    page.screenshot(path=str(SHOTS / "delivery_done.png"), full_page=True)
    assert sink.copies() == {f"reader{i}@example.com": 1 for i in (0, 1, 3, 4, 5)}
    assert Subscriber.objects.get(person__email="reader2@example.com").status == Subscriber.Status.BOUNCED
    assert Recipient.objects.get(delivery=delivery, subscriber__person__email="reader1@example.com").attempts == 1

    # A deferred reader opens the email: every link works; the unsubscribe link unsubscribes them.
    message = sink.parsed("reader1@example.com")
    html = unescape(message.get_body(("html",)).get_content())
    links = sorted(set(re.findall(r'href="(https://journal\.example\.com/[^"]+)"', html)))
    assert links
    for link in links:
        response = page.request.get(link.replace("https://journal.example.com", live_server.url), max_redirects=0)
        assert response.status < 400, (link, response.status)
    unsubscribe = message["List-Unsubscribe"].strip("<>").replace("https://journal.example.com", live_server.url)
    page.goto(unsubscribe)
    page.get_by_role("button", name="退订").click()
    page.wait_for_load_state()
    page.screenshot(path=str(SHOTS / "unsubscribed.png"), full_page=True)
    wait_until(lambda: Subscriber.objects.get(person__email="reader1@example.com").status
               == Subscriber.Status.UNSUBSCRIBED, timeout=10, message="the reader to be unsubscribed")
