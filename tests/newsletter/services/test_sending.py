"""The issue's acceptance check, with a real worker process and a real SMTP server on loopback:
2,000 subscribers get the demo issue once each, with the bulk headers; one-click unsubscribe works
without cookies; sending again sends nothing; a worker killed mid-send and replaced leaves nobody out.
Runs on SQLite and the filesystem broker by default, on PostgreSQL and Redis when DATABASE_URL and
CELERY_BROKER_URL point at them."""

import time
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client

from newsletter.models import Delivery, Recipient, Subscriber
from newsletter.services.deliveries import delivery_start, delivery_sweep
from tests.conftest import WorkerProcess, wait_until
from tests.newsletter.delivery_helpers import lazy_parsing, make_subscribers

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BATCH = 100
READERS = 2000


@pytest.fixture
def worker_env(celery_worker_env, settings):
    settings.JOURNAL_BATCH_SIZE = BATCH
    return {**celery_worker_env, "JOURNAL_BATCH_SIZE": str(BATCH), "JOURNAL_STALE_AFTER": "180"}


def _delivery_done(delivery_id):
    return Delivery.objects.get(pk=delivery_id).state == Delivery.State.DONE


def test_two_thousand_readers_once_each_even_when_the_worker_dies(journal, smtp_server, worker_env):
    lazy_parsing(smtp_server)
    make_subscribers(READERS - 300)
    make_subscribers(300, language="en", prefix="en-reader")
    issue = journal["issue"]

    worker = WorkerProcess(worker_env).start()
    replacement = None
    try:
        delivery = delivery_start(issue=issue)
        assert delivery_start(issue=issue).pk == delivery.pk  # a double click starts nothing more

        # Kill the worker in the middle of the send.
        smtp_server.wait_for(READERS // 3, timeout=120)
        worker.kill()
        killed_at = len(smtp_server.messages)
        assert killed_at < READERS, "the worker finished before it could be killed"
        assert Recipient.objects.filter(delivery=delivery, state=Recipient.State.QUEUED).exists()

        # The periodic sweep (forced here instead of waiting minutes) hands the dead worker's rows back.
        delivery_sweep(stale=timedelta(0))
        replacement = WorkerProcess(worker_env).start()
        wait_until(lambda: _delivery_done(delivery.pk), timeout=180,
                   message=f"the delivery to finish; worker log:\n{replacement.output()[-3000:]}")
        time.sleep(0.5)
        messages = smtp_server.messages
        recipients = [m["to"][0] for m in messages]
        assert len(set(recipients)) == READERS
        duplicates = len(recipients) - READERS
        assert duplicates <= BATCH, f"{duplicates} messages sent twice; only one batch was in flight"
        assert Recipient.objects.filter(delivery=delivery, state=Recipient.State.SENT).count() == READERS

        # Every message carries the headers a bulk sender needs. Each reader's has its own Message-ID, and a copy
        # resent after the crash carries its first copy's, so that mail programs can tell it is the same.
        sample = messages[:: max(1, len(messages) // 50)]
        for item in sample:
            msg = item["message"]
            assert msg["List-Unsubscribe"].startswith("<https://")
            assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert msg["List-Id"] and msg["Auto-Submitted"] == "auto-generated" and msg["Precedence"] == "bulk"
            assert msg.get_content_type() == "multipart/alternative"
            assert {p.get_content_type() for p in msg.iter_parts()} == {"text/plain", "text/html"}
        twice = {reader for reader, count in Counter(recipients).items() if count > 1}
        ids = {}
        for item in sample + [item for item in messages if item["to"][0] in twice]:
            ids.setdefault(item["to"][0], set()).add(item["message"]["Message-ID"])
        assert all(len(reader_ids) == 1 for reader_ids in ids.values()), ids
        assert len(set().union(*ids.values())) == len(ids)
        english = next(m["message"] for m in messages if m["to"][0].startswith("en-reader"))
        assert english["Subject"] == journal["issue_en"].email_subject

        # One-click unsubscribe: a bare POST, no cookies, no CSRF token, unsubscribes that reader only.
        target = messages[7]
        url = urlsplit(target["message"]["List-Unsubscribe"].strip("<>"))
        response = Client(enforce_csrf_checks=True).post(url.path, data="List-Unsubscribe=One-Click",
                                                          content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
        gone = Subscriber.objects.get(person__email=target["to"][0])
        assert gone.status == Subscriber.Status.UNSUBSCRIBED
        assert Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).count() == READERS - 1

        # Sending the same issue again, to the same or an overlapping segment, sends nothing new.
        before = len(smtp_server.messages)
        again = delivery_start(issue=issue)
        other = delivery_start(issue=journal["issue_en"], segment={"languages": ["en"]})
        assert again.pk == delivery.pk
        wait_until(lambda: _delivery_done(delivery.pk) and _delivery_done(other.pk), timeout=60,
                   message="the repeated sends to settle")
        time.sleep(1)
        assert len(smtp_server.messages) == before
        assert Recipient.objects.filter(delivery=other).count() == 0
    finally:
        worker.stop()
        if replacement:
            replacement.stop()
