"""Dashboard response times with 100,000 calls and 20,000 complaints.

    .venv/bin/python bench/dashboards.py [--calls 100000] [--complaints 20000] [--database-url URL]

Creates (or reuses, with --reuse) a PostgreSQL database `bench_dashboards` on loopback, loads the demo
content, adds the calls and complaints, then times GET /admin/?period=... for each role's account
and for each panel alone. Baseline in the same run: the admin home with no dashboard panels.
Prints JSON. Target (issue 9): every dashboard under 300 ms. Issue 20: the same with the comparison
with the previous period (cached ten minutes; timed with the cache cleared too), and the figures at
1,000,000 calls: `--calls 1000000 --database-url postgres://…/bench_dashboards_1m`.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--complaints", type=int, default=20_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_dashboards")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a previous run")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("VAR_DIR", "/tmp/carejournal-bench")
    if not args.reuse:
        _recreate_database(args.database_url)

    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command

    if not args.reuse:
        call_command("migrate", verbosity=0)
        from home.demo.load import demo_load

        demo_load()
        _bulk_data(args.calls, args.complaints)
    print(json.dumps(_measure(args.repeat), indent=2))


def _recreate_database(url):
    import psycopg
    from dj_database_url import parse

    name = parse(url)["NAME"]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _bulk_data(n_calls, n_complaints):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from care.models import Call, CallPurpose, Complaint, CustomerAccount, SatisfactionRating
    from home.models import Person, ProductLine

    rng = random.Random(7)
    now = timezone.now()
    customers = list(CustomerAccount.objects.all())
    people = list(Person.objects.all()[:200])
    lines = list(ProductLine.objects.all())
    staff = list(get_user_model().objects.filter(is_staff=True))
    calls = []
    for i in range(n_calls):
        created = now - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
        closed = rng.random() < 0.8
        calls.append(Call(
            customer=rng.choice(customers), purpose=rng.choice(CallPurpose.values), period_key=f"bench-{i}",
            due_at=created, deadline=(created + timedelta(days=3)).date(), assignee=rng.choice(staff),
            state=Call.State.CLOSED if closed else Call.State.OPEN,
            disposition=Call.Disposition.COMPLETED if closed else "", closed_at=created + timedelta(hours=2) if closed else None,
        ))
    Call.objects.bulk_create(calls, batch_size=5000)
    Call.objects.filter(period_key__startswith="bench-").update(created_at=timezone.now() - timedelta(days=30))
    complaints = []
    for _i in range(n_complaints):
        received = now - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
        resolved = rng.random() < 0.7
        complaints.append(Complaint(
            kind=rng.choice(Complaint.Kind.values), channel=rng.choice(Complaint.Channel.values),
            category=rng.choice(Complaint.Category.values), product_line=rng.choice(lines),
            severity=rng.choice(Complaint.Severity.values), summary="bench", description="<p>bench</p>",
            person=rng.choice(people), state=Complaint.State.RESOLVED if resolved else Complaint.State.NEW,
            received_at=received, resolved_at=received + timedelta(hours=rng.randint(1, 200)) if resolved else None,
        ))
    Complaint.objects.bulk_create(complaints, batch_size=5000)
    SatisfactionRating.objects.bulk_create(
        [SatisfactionRating(score=rng.randint(1, 5), source="call", customer=rng.choice(customers)) for _ in range(20_000)],
        batch_size=5000,
    )


def _time(fn, repeat, before=None):
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 1)


def _measure(repeat):
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from care.models import Call, Complaint
    from home.dashboard import period_get
    from home.registry import dashboard_panels

    User = get_user_model()
    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum keeps them in production
        cursor.execute("ANALYZE")
    result = {"calls": Call.objects.count(), "complaints": Complaint.objects.count(), "target_ms": 300}

    admin = User.objects.get(username="admin")
    saved = dict(dashboard_panels._items)
    dashboard_panels._items.clear()
    client = Client()
    client.force_login(admin)
    result["baseline_admin_home_without_panels_ms"] = _time(lambda: client.get("/admin/"), repeat)
    dashboard_panels._items.update(saved)

    per_role, cold = {}, {}
    for username in ("editor", "coordinator", "carestaff", "caremanager", "admin"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        if username == "caremanager":
            device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        per_role[username], cold[username] = {}, {}
        for period in ("week", "month", "quarter", "year"):
            response = client.get(f"/admin/?period={period}")
            assert response.status_code == 200, (username, response.status_code)
            per_role[username][period] = _time(lambda p=period, c=client: c.get(f"/admin/?period={p}"), repeat)
            cold[username][period] = _time(lambda p=period, c=client: c.get(f"/admin/?period={p}"), repeat,
                                           before=cache.clear)
    result["admin_home_ms_by_role_and_period"] = per_role
    # The previous period's figures (each panel's comparison) are cached for ten minutes; the first
    # view of a period after that counts them too:
    result["admin_home_ms_by_role_and_period_cache_cleared"] = cold

    per_panel = {}
    rf = RequestFactory()
    for cls in dashboard_panels.items():
        request = rf.get("/admin/")
        request.user = admin
        panel = cls(request, period_get("year"))
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            panel.get_context_data()
        per_panel[cls.key] = {"ms_year": _time(panel.get_context_data, repeat, before=cache.clear),
                              "queries": len(ctx.captured_queries)}
    result["panel_ms_and_queries"] = per_panel
    worst = max(v for role in per_role.values() for v in role.values())
    result["worst_dashboard_ms_cache_cleared"] = max(v for role in cold.values() for v in role.values())
    result["worst_dashboard_ms"] = worst
    result["meets_target"] = worst < 300
    return result


if __name__ == "__main__":
    main()
