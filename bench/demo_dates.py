"""Whether the demo content gives every dashboard chart a shape whatever day ``make run`` loads it.

``tests/home/test_role_dashboards.py`` checks the charts on the day the suite runs; this loads the demo
content as if today were each of many days (``faketime``, Debian's package, sets the clock of a child
process) into a scratch SQLite database, rolled back each time, and prints the flat charts of each day.

    .venv/bin/python bench/demo_dates.py [DAYS] [--step N]   (default: the next 90 days, every day)
"""

import datetime
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_day():
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from home.demo.load import demo_load
    from tests.dashboard_shapes import flat_charts  # the test's own rule

    with transaction.atomic():
        demo_load()
        flat = flat_charts()
        print(timezone.localdate(), "ok" if not flat else f"FLAT {flat}", flush=True)
        transaction.set_rollback(True)


def main():
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("days", nargs="?", type=int, default=90)
    parser.add_argument("--step", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{scratch}/demo.sqlite3",
               "DJANGO_SETTINGS_MODULE": "config.settings.test"}
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)
        flat = 0
        for k in range(0, args.days, args.step):
            day = datetime.date.today() + datetime.timedelta(days=k)
            out = subprocess.run(["faketime", f"{day} 10:30:00", sys.executable, __file__, "--one"], env=env,
                                 check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
            print(out, flush=True)
            flat += not out.endswith(" ok")
        print(f"{flat} of {len(range(0, args.days, args.step))} days with a flat chart")


if __name__ == "__main__":
    one_day() if sys.argv[1:] == ["--one"] else main()
