"""`make run`'s process supervisor (`make serve`): BASE_URL and the Wagtail site's port follow HOST and
PORT, and a TERM or Ctrl-C to its process group (pressed twice, as people do) stops the web server, the
Celery worker with its pool and beat within 10 s."""

import contextlib
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


def _processes():
    """pid -> (parent pid, command line) of every process that is running (zombies waiting to be reaped
    do not count)."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        if fields[0] != "Z":
            table[int(stat.parent.name)] = (int(fields[1]), cmdline)
    return table


def _descendants(pid):
    """``pid`` and every running process below it: pid -> command line."""
    table = _processes()
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        found.add(parent)
        todo += [child for child, (ppid, _cmdline) in table.items() if ppid == parent and child not in found]
    return {p: table[p][1] for p in found if p in table}


def _serving(pid):
    """The processes below make once the worker (with its pool of two) and beat are up, else None."""
    below = _descendants(pid)
    return below if sum(b"celery" in cmdline for cmdline in below.values()) >= 4 else None


def _running(pids):
    return sorted(set(pids) & _processes().keys())


def _get(url):
    try:
        with urlopen(url, timeout=5) as response:
            return response.read()
    except OSError:
        return None


@pytest.mark.parametrize("signals", [[signal.SIGTERM], [signal.SIGINT, signal.SIGINT]], ids=["term", "ctrl-c-twice"])
def test_make_serve_follows_host_and_port_and_stops_on_term(home_pages, tmp_path, signals):
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DATABASE_URL": _database_url(),
           "VAR_DIR": str(tmp_path), "DEBUG": "1"}
    env.pop("BASE_URL", None)
    log = open(tmp_path / "make.log", "wb")
    started = None
    # As `make run` does: a make whose recipe runs `$(MAKE) serve` (each make passes a TERM on to its recipe).
    (tmp_path / "Makefile").write_text(
        f"run:\n\t$(MAKE) --no-print-directory -C {ROOT} VENV={Path(sys.executable).parents[1]} HOST=127.0.0.1 "
        f"PORT={port} serve\n")
    proc = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=tmp_path, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        feed = wait_until(lambda: _get(f"http://127.0.0.1:{port}/zh-hans/journal/feed/"), timeout=120,
                          message="the web server")
        assert ET.fromstring(feed).find("./channel/link").text == f"http://127.0.0.1:{port}/zh-hans/journal/"
        assert Site.objects.get(is_default_site=True).port == port
        started = wait_until(lambda: _serving(proc.pid), timeout=120, message="worker (with its pool) and beat")
        time.sleep(3)

        began = time.monotonic()
        for number, sig in enumerate(signals):
            if number:
                time.sleep(0.5)  # pressed again while the first is being handled
            os.killpg(proc.pid, sig)
        while _running(started) and time.monotonic() - began < 10:
            proc.poll()
            time.sleep(0.1)
        output = (tmp_path / "make.log").read_text(errors="replace")
        assert _running(started) == [], output[-3000:]
        assert "Stopped." in output, output[-3000:]  # the shell saw it through, however many signals came
    finally:
        for pid in _running(set(_descendants(proc.pid)) | set(started or ())):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(10)
        log.close()
