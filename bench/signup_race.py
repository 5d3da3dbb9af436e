"""N concurrent sign-ups for the last free seat of a class, through the real HTTP stack; and N
concurrent bookings of two and of three attendees for the last few seats.

gunicorn on loopback in front of PostgreSQL (DATABASE_URL, default database ``training_signup``).
Each client loads the sign-up form (CSRF cookie and token), waits at a barrier, then posts. Prints
JSON: seats taken, waiting-list entries, errors and latency percentiles, for the race and for a
baseline measured in the same run (the same number of concurrent sign-ups for a class with room
for all, so no one waits on the last seat). Each client comes from its own address (X-Forwarded-For,
trusted here as behind a proxy), as different customers do: one address is one booker for the
unpaid-hold cap.

    .venv/bin/python bench/signup_race.py [--clients 100] [--workers 4]
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/training_signup"
SETTINGS = """from config.settings.base import *  # noqa: F403
TRAINING_SIGNUP_RATE_LIMIT = 10 ** 6
TRAINING_SIGNUP_POSTS_PER_ADDRESS = TRAINING_BOOKINGS_PER_ADDRESS = TRAINING_BOOKINGS_PER_BOOKER = 10 ** 6
TRUST_X_FORWARDED_FOR = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DEBUG = False
"""


def _env():
    env = {**os.environ}
    env.setdefault("DATABASE_URL", DEFAULT_DB)
    env.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/3")
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    env["PYTHONPATH"] = f"{ROOT}:{env.get('PYTHONPATH', '')}"
    return env


def _create_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _setup(env, capacity_race, capacity_base, free_seats=(1, 3, 4)):
    """Migrate, then create a course with a roomy class and classes with a few free seats."""
    code = f"""
import django, json
django.setup()
from datetime import timedelta
from decimal import Decimal
from django.utils import timezone
from home.demo.pages import _home_pages, _product_lines
from home.models import ProductLine, Person
from training.models import CatalogPage, CoursePage, ClassSession, Signup
pages = _home_pages(); _product_lines()
catalog = CatalogPage.objects.child_of(pages["zh-hans"]).first() or pages["zh-hans"].add_child(
    instance=CatalogPage(title="培训", slug="training"))
course = CoursePage.objects.filter(slug="bench-race").first()
if course is None:
    course = CoursePage(title="压测课程", slug="bench-race", product_line=ProductLine.objects.first(), price=Decimal(2800))
    catalog.add_child(instance=course)
starts = timezone.now() + timedelta(days=30)
def klass(capacity):
    return ClassSession.objects.create(course=course, starts_at=starts, ends_at=starts + timedelta(hours=8), city="Bench",
        venue="Loopback", capacity=capacity, price=Decimal(2800), signup_deadline=starts - timedelta(days=3))
ids = {{"base": klass({capacity_base}).pk}}
run = timezone.now().strftime("%H%M%S%f")
for free in {list(free_seats)}:
    race = klass({capacity_race})
    for n in range({capacity_race} - free):
        p = Person.objects.create(name=f"seated {{n}}", email=f"seated-{{run}}-{{free}}-{{n}}@example.com")
        Signup.objects.create(session=race, person=p, status="confirmed")
    ids[f"free{{free}}"] = race.pk
print(json.dumps(ids))
"""
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _counts(env, session_id):
    code = f"""
import django, json
django.setup()
from training.models import Signup
q = Signup.objects.filter(session_id={session_id})
print(json.dumps({{"seats_taken": q.filter(status__in=Signup.SEAT_STATUSES).count(),
                  "waiting": q.filter(status="waiting").count()}}))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _race(base_url, session_id, clients, tag, attendees=1):
    url = f"{base_url}/zh-hans/training/book/{session_id}/"
    barrier = threading.Barrier(clients)
    results = [None] * clients

    def client(n):
        http = requests.Session()
        try:
            # A fresh connection for the POST: an idle keep-alive connection may be closed by the
            # server while the clients wait at the barrier, which would count as a client error.
            form = http.get(url, timeout=120, headers={"Connection": "close"})
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
            data = {
                "csrfmiddlewaretoken": token,
                "attendee-TOTAL_FORMS": "5", "attendee-INITIAL_FORMS": "0", "attendee-MIN_NUM_FORMS": "1",
                "attendee-MAX_NUM_FORMS": "5", "company": "Bench Ltd", "serial_number": "SN-1", "accept_terms": "on",
            }
            for a in range(attendees):
                data.update({
                    f"attendee-{a}-name": f"Racer {n}.{a}", f"attendee-{a}-email": f"racer-{tag}-{n}-{a}@example.com",
                    f"attendee-{a}-mobile": f"+4915{int(time.time()) % 10**5:05d}{a}{n:03d}",
                })
            barrier.wait(timeout=120)
            started = time.perf_counter()
            address = f"10.{n // 250}.{n % 250}.{attendees}"
            response = http.post(url, data=data, headers={"Referer": url, "X-Forwarded-For": address},
                                 allow_redirects=False, timeout=120)
            elapsed = time.perf_counter() - started
            ok = response.status_code == 302 and "/training/booking/" in response.headers.get("Location", "")
            results[n] = {"ok": ok, "status": response.status_code, "ms": elapsed * 1000}
        except Exception as exc:  # noqa: BLE001
            results[n] = {"ok": False, "status": type(exc).__name__, "ms": None}

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies = sorted(r["ms"] for r in results if r and r["ms"] is not None)

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 1) if latencies else None

    errors = [r["status"] for r in results if not (r and r["ok"])]
    return {
        "requests": clients, "errors": len(errors), "error_statuses": sorted(set(map(str, errors))),
        "latency_ms": {"p50": pct(50), "p90": pct(90), "p99": pct(99), "max": round(latencies[-1], 1) if latencies else None,
                       "mean": round(statistics.mean(latencies), 1) if latencies else None},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--capacity", type=int, default=10)
    args = parser.parse_args()
    env = _env()
    if not env["DATABASE_URL"].startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL")
    _create_database(env["DATABASE_URL"])
    ids = _setup(env, args.capacity, args.clients + 10)

    settings_dir = ROOT / "var" / "bench"
    settings_dir.mkdir(parents=True, exist_ok=True)
    (settings_dir / "signup_race_settings.py").write_text(SETTINGS)
    port = 18000 + os.getpid() % 1000
    server_env = {**env, "DJANGO_SETTINGS_MODULE": "signup_race_settings",
                  "PYTHONPATH": f"{settings_dir}:{env['PYTHONPATH']}"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", "8", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=server_env, stderr=open(settings_dir / "gunicorn.log", "ab"),
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(base_url + "/healthz/", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        baseline = _race(base_url, ids["base"], args.clients, f"base{os.getpid()}")
        baseline.update(_counts(env, ids["base"]))
        race = _race(base_url, ids["free1"], args.clients, f"race{os.getpid()}")
        race.update(_counts(env, ids["free1"]))
        pairs = _race(base_url, ids["free3"], args.clients, f"pair{os.getpid()}", attendees=2)
        pairs.update(_counts(env, ids["free3"]))
        triples = _race(base_url, ids["free4"], args.clients, f"trio{os.getpid()}", attendees=3)
        triples.update(_counts(env, ids["free4"]))
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
    race["exactly_one_seat"] = race["seats_taken"] == args.capacity and race["waiting"] == args.clients - 1
    # Bookings of two for the last 3 seats, of three for the last 4: the class ends exactly full and
    # every other attendee is on the waiting list (nobody lost, nobody over capacity).
    pairs["exactly_full"] = pairs["seats_taken"] == args.capacity and pairs["waiting"] == 2 * args.clients - 3
    triples["exactly_full"] = triples["seats_taken"] == args.capacity and triples["waiting"] == 3 * args.clients - 4
    print(json.dumps({
        "database": env["DATABASE_URL"].rsplit("@", 1)[-1], "gunicorn_workers": args.workers,
        "capacity": args.capacity, "seats_free_before_race": 1,
        "race_last_seat": race, "baseline_room_for_all": baseline,
        "bookings_of_two_for_last_3_seats": pairs, "bookings_of_three_for_last_4_seats": triples,
    }, indent=2))
    ok = race["exactly_one_seat"] and pairs["exactly_full"] and triples["exactly_full"]
    return 0 if ok and race["errors"] == pairs["errors"] == triples["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
