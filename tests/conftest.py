"""Shared fixtures: a real SMTP server on loopback, a real Celery worker process, Chromium."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


class _Collector:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": parsed})
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    def __init__(self):
        self.handler = _Collector()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.port}"
        return self

    def stop(self):
        self.controller.stop()

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    def wait_for(self, count, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.1)
        raise AssertionError(f"expected {count} messages, SMTP server received {len(self.messages)}")


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; Django's SMTP backend in this process points at it."""
    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    yield server
    server.stop()


class WorkerProcess:
    def __init__(self, env):
        self.env = env
        self.proc = None
        self.log = Path(settings.VAR_DIR) / f"worker-{time.monotonic_ns()}.log"

    def start(self, *extra):
        self._log_file = open(self.log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", *extra],
            cwd=ROOT, env=self.env, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
        return self

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log_file.close()

    def output(self):
        return self.log.read_text(errors="replace")


@pytest.fixture
def celery_worker_env(transactional_db, settings):
    """Environment for a worker subprocess that shares this test's database, broker and var/."""
    from config.celery import app

    app.control.purge()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "VAR_DIR": str(settings.VAR_DIR)}
    env["TEST_WORKER_DATABASE_NAME"] = str(connection.settings_dict["NAME"])
    if settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        env["EMAIL_URL"] = f"smtp://{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    return env


@pytest.fixture
def celery_worker(celery_worker_env):
    """A real `celery -A config worker` process consuming the configured broker (not eager mode)."""
    worker = WorkerProcess(celery_worker_env).start()
    yield worker
    worker.stop()


def wait_until(predicate, timeout=60, interval=0.2, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


@pytest.fixture
def browser():
    """Debian's Chromium driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `make sysdeps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    context.close()


@pytest.fixture
def home_pages(db):
    """The Chinese and English home pages and the default site (no feature demo content)."""
    from home.demo.pages import _home_pages

    return _home_pages()


@pytest.fixture
def demo_content(db):
    """The whole demo content, as `make run` loads it (loaded once a session, then written from rows)."""
    from tests import demo_snapshot

    yield demo_snapshot.demo()
    demo_snapshot.forget_cached_ids()


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end connections that threads of browser tests (the live
    server's request threads) left open; PostgreSQL refuses to drop a database in use."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
