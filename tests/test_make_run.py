"""`make run`'s process supervisor (`make serve`): BASE_URL and the Wagtail site's port follow HOST and
PORT, and a TERM to its process group stops the web server, the Celery worker and beat within 10 s."""

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.db import connection
from wagtail.models import Site

from tests.conftest import ROOT, free_port, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _group_alive(pgid):
    """Processes of the group that are still running (zombies waiting to be reaped do not count)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def _get(url):
    try:
        with urlopen(url, timeout=5) as response:
            return response.read()
    except OSError:
        return None


def test_make_serve_follows_host_and_port_and_stops_on_term(home_pages, tmp_path):
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DATABASE_URL": _database_url(),
           "VAR_DIR": str(tmp_path), "DEBUG": "1"}
    env.pop("BASE_URL", None)
    log = open(tmp_path / "make.log", "wb")
    proc = subprocess.Popen(
        ["make", "--no-print-directory", f"VENV={Path(sys.executable).parents[1]}", "HOST=127.0.0.1",
         f"PORT={port}", "serve"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        feed = wait_until(lambda: _get(f"http://127.0.0.1:{port}/zh-hans/journal/feed/"), timeout=120,
                          message="the web server")
        assert ET.fromstring(feed).find("./channel/link").text == f"http://127.0.0.1:{port}/zh-hans/journal/"
        assert Site.objects.get(is_default_site=True).port == port
        # Worker and beat are up (three programs besides make and its shell).
        wait_until(lambda: len([p for p in _group_alive(proc.pid)
                                if b"celery" in Path(f"/proc/{p}/cmdline").read_bytes()]) >= 3,
                   timeout=120, message="worker (with its pool) and beat")
        time.sleep(3)

        os.killpg(proc.pid, signal.SIGTERM)
        started = time.monotonic()
        while _group_alive(proc.pid) and time.monotonic() - started < 10:
            proc.poll()
            time.sleep(0.1)
        assert _group_alive(proc.pid) == [], (tmp_path / "make.log").read_text(errors="replace")[-3000:]
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        log.close()
