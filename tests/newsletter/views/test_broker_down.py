"""With the Celery broker unreachable, the public forms still succeed: the outbox row is the promise,
and the sweep sends it once the broker is back. /healthz/ tells the broker and the database apart."""

from contextlib import contextmanager
from datetime import timedelta

import pytest

from config.celery import app
from home.models import OutboxMessage
from home.services.outbox import outbox_sweep
from tests.conftest import free_port, wait_until


@contextmanager
def broker_at(url):
    """Point this (web) process's Celery producer at ``url``; the worker keeps the real broker."""
    old = app.conf.broker_url, app.conf.broker_write_url, app.conf.broker_read_url

    def reset():
        app._pool = None
        app.amqp._producer_pool = None

    reset()
    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = url
    try:
        yield
    finally:
        reset()
        app.conf.broker_url, app.conf.broker_write_url, app.conf.broker_read_url = old


def _down():
    return broker_at(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_subscribe_succeeds_with_the_broker_down_and_the_mail_goes_after_it_returns(
        client, home_pages, smtp_server, celery_worker):
    with _down():
        response = client.post("/zh-hans/journal/subscribe/", {
            "email": "reader@example.com", "name": "读者", "company": "", "language": "zh-hans", "consent": "on",
        })
        assert response.status_code == 302 and response.url.endswith("/journal/subscribe/done/")
        assert client.get(response.url).status_code == 200
        health = client.get("/healthz/")
        assert health.status_code == 200
        assert health.json() == {"status": "degraded", "database": "ok", "broker": "unreachable"}
    message = OutboxMessage.objects.get(to_email="reader@example.com")
    assert message.state == OutboxMessage.State.QUEUED
    assert smtp_server.messages == []

    # The broker is back: the sweep (Celery beat) hands the row to the worker, which sends it.
    assert outbox_sweep(stale_after=timedelta(0)) == (0, 1)
    received = smtp_server.wait_for(1)
    assert received[0]["to"] == ["reader@example.com"]
    wait_until(lambda: OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.SENT, message="sent")
    assert client.get("/healthz/").json() == {"status": "ok", "database": "ok", "broker": "ok"}
