"""A real Celery worker process consumes the configured broker (filesystem by default, Redis in CI)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from home.models import OutboxMessage
from home.services.outbox import outbox_enqueue
from tests.conftest import ROOT, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_knows_every_scheduled_task():
    """A fresh process loading what `celery -A config worker` loads (tasks.py modules and CELERY_IMPORTS)
    has every task the beat schedule names."""
    code = (
        "import json, django; django.setup(); from config.celery import app; "
        "app.loader.import_default_modules(); print(json.dumps(sorted(app.tasks)))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    tasks = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] not in tasks] == []
    assert {"home.tasks.outbox_send_task", "home.tasks.rights_request_export_task"} <= tasks


def test_outbox_message_leaves_through_a_real_worker(smtp_server, celery_worker):
    message = outbox_enqueue(to_email="li.lei@example.com", subject="测试邮件", text="你好", kind="test")
    received = smtp_server.wait_for(1, timeout=90)
    assert received[0]["to"] == ["li.lei@example.com"]
    assert received[0]["message"]["Subject"] == "测试邮件"
    wait_until(
        lambda: OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.SENT,
        message=f"the row to be marked sent; worker log:\n{celery_worker.output()}",
    )
