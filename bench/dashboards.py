"""Dashboard response times with 100,000 calls and 20,000 complaints, and at 1,000,000 calls.

    .venv/bin/python bench/dashboards.py [--calls 100000] [--complaints 20000] [--database-url URL]
    .venv/bin/python bench/dashboards.py --reuse --add-calls 900000 --database-url URL_OF_A_COPY

Creates (or reuses, with --reuse) a PostgreSQL database on loopback, loads the demo content, adds the
calls (COPY, in one stream) and complaints, recounts the dashboards' per-day counts
(``care_day_counts_rebuild``), then times a full signed-in GET /admin/?period=... for each role's
account (editor, coordinator, care staff, care manager; admin too) and each panel alone.
Baseline in the same run: the same accounts' admin home with no dashboard panels.
Prints JSON. Target: every role's dashboard under 300 ms at 100,000 calls; the figures at 1,000,000
calls are printed too (``--add-calls 900000`` on a copy: ``createdb -T <100k database> <copy>``).
There is no dashboard cache: every figure is counted on every view (from the per-day counts for
calls completed and complaints received and resolved).
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

from bench.pgdb import recreate_database  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--complaints", type=int, default=20_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_dashboards")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a previous run")
    parser.add_argument("--add-calls", type=int, default=0, help="with --reuse: add this many calls first")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("VAR_DIR", "/tmp/carejournal-bench")
    if not args.reuse:
        recreate_database(args.database_url)

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
    elif args.add_calls:
        _bulk_data(args.add_calls, 0)
    print(json.dumps(_measure(args.repeat), indent=2))


def _bulk_data(n_calls, n_complaints):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from care.models import Call, CallPurpose, Complaint, CustomerAccount, SatisfactionRating
    from care.services.daycounts import day_counts_rebuild
    from home.models import Person, ProductLine

    rng = random.Random(7 + Call.objects.count())
    now = timezone.now()
    customers = list(CustomerAccount.objects.values_list("pk", flat=True))
    people = list(Person.objects.all()[:200])
    lines = list(ProductLine.objects.all())
    staff = list(get_user_model().objects.filter(is_staff=True).values_list("pk", flat=True))
    purposes = CallPurpose.values
    started = time.perf_counter()
    columns = ("customer_id", "purpose", "period_key", "due_at", "deadline", "assignee_id", "state", "attempts",
               "disposition", "answers", "notes", "created_at", "updated_at", "closed_at")
    first = Call.objects.count()
    with connection.cursor() as cursor, cursor.cursor.copy(
        f"COPY {Call._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    ) as copy:
        for i in range(first, first + n_calls):
            created = now - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
            closed = rng.random() < 0.8
            copy.write_row((
                rng.choice(customers), rng.choice(purposes), f"bench-{i}", created, (created + timedelta(days=3)).date(),
                rng.choice(staff), "closed" if closed else "open", 0, "completed" if closed else "", "{}", "",
                created, created, min(created + timedelta(hours=2), now) if closed else None,
            ))
    calls_s = time.perf_counter() - started
    complaints = []
    for _i in range(n_complaints):
        received = now - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
        resolved = rng.random() < 0.7
        complaints.append(Complaint(
            kind=rng.choice(Complaint.Kind.values), channel=rng.choice(Complaint.Channel.values),
            category=rng.choice(Complaint.Category.values), product_line=rng.choice(lines),
            severity=rng.choice(Complaint.Severity.values), summary="bench", description="<p>bench</p>",
            person=rng.choice(people), state=Complaint.State.RESOLVED if resolved else Complaint.State.NEW,
            received_at=received,
            resolved_at=min(received + timedelta(hours=rng.randint(1, 200)), now) if resolved else None,
        ))
    Complaint.objects.bulk_create(complaints, batch_size=5000)
    if n_complaints:
        SatisfactionRating.objects.bulk_create(
            [SatisfactionRating(score=rng.randint(1, 5), source="call", customer_id=rng.choice(customers))
             for _ in range(20_000)], batch_size=5000,
        )
    rebuild_started = time.perf_counter()
    rows = day_counts_rebuild()
    print(json.dumps({"load_calls": n_calls, "load_calls_copy_s": round(calls_s, 1),
                      "load_total_s": round(time.perf_counter() - started, 1),
                      "day_counts_rebuild_s": round(time.perf_counter() - rebuild_started, 1), "day_count_rows": rows}),
          file=sys.stderr)


def _signed_in(user):
    """A client signed in as ``user``, past the second factor where the role needs one."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from home.security import two_factor_required

    client = Client()
    client.force_login(user)
    if two_factor_required(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


ROLES = ("editor", "coordinator", "carestaff", "caremanager")
PERIODS = ("week", "month", "quarter", "year")


def _ms(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _measure(repeat):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from care.models import Call, Complaint, DayCount
    from home.dashboard import period_get
    from home.registry import dashboard_panels

    User = get_user_model()
    with connection.cursor() as cursor:  # statistics and visibility map, as autovacuum keeps them after a load
        cursor.execute("VACUUM ANALYZE")
    result = {"calls": Call.objects.count(), "complaints": Complaint.objects.count(),
              "day_count_rows": DayCount.objects.count(), "target_ms": 300, "repeat": repeat}
    panels = dict(dashboard_panels._items)

    def empty_home(client):
        """The same account's admin home with no dashboard panels: the baseline."""
        dashboard_panels._items.clear()
        try:
            return client.get("/admin/")
        finally:
            dashboard_panels._items.update(panels)

    baseline, per_role, cpu = {}, {}, {}
    for username in (*ROLES, "admin"):
        client = _signed_in(User.objects.get(username=username))
        assert empty_home(client).status_code == 200
        for period in PERIODS:  # warm up: templates, translations, connections
            response = client.get(f"/admin/?period={period}")
            assert response.status_code == 200 and b"dashboard-panel" in response.content, (username, period)
        wall = {"baseline": [], **{period: [] for period in PERIODS}}
        used = {key: [] for key in wall}
        for _ in range(repeat):  # interleaved, so that the machine's load weighs on both alike
            for key in wall:
                fn = (lambda c=client: empty_home(c)) if key == "baseline" else (
                    lambda c=client, p=key: c.get(f"/admin/?period={p}"))
                started = time.process_time()
                wall[key].append(_ms(fn))
                used[key].append((time.process_time() - started) * 1000)
        baseline[username] = round(statistics.median(wall.pop("baseline")), 1)
        per_role[username] = {period: round(statistics.median(v), 1) for period, v in wall.items()}
        cpu[username] = {key: round(statistics.median(v), 1) for key, v in used.items()}
    result["baseline_admin_home_without_panels_ms"] = baseline
    result["admin_home_ms_by_role_and_period"] = per_role
    result["dashboard_minus_baseline_ms"] = {
        u: {p: round(ms - baseline[u], 1) for p, ms in periods.items()} for u, periods in per_role.items()}
    # The web process's own CPU time per request (the database's is not in it): steadier than the
    # wall clock on a shared machine.
    result["web_process_cpu_ms_by_role"] = cpu

    per_panel = {}
    rf = RequestFactory()
    for cls in dashboard_panels.items():
        request = rf.get("/admin/")
        request.user = User.objects.get(username="carestaff" if cls.key == "care-my-calls" else "admin")
        panel = cls(request, period_get("year"))
        with CaptureQueriesContext(connection) as ctx:
            panel.get_context_data()
        per_panel[cls.key] = {"ms_year": round(statistics.median(_ms(panel.get_context_data) for _ in range(repeat)), 1),
                              "queries": len(ctx.captured_queries)}
    result["panel_ms_and_queries"] = per_panel
    worst = max(v for u in ROLES for v in per_role[u].values())
    result["worst_role_dashboard_ms"] = worst
    result["worst_role_baseline_ms"] = max(baseline[u] for u in ROLES)
    result["meets_target"] = worst < 300
    return result


if __name__ == "__main__":
    main()
