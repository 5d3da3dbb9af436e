"""Every CSV export escapes spreadsheet formulas (OWASP CSV injection), through the one writer in home.csv."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from care.models import GiftRecipient
from home import csv as safe_csv
from home.models import Person
from newsletter.models import Subscriber
from tests.care.complaint_helpers import campaign
from tests.training.signup_helpers import catalog, course, session
from training.models import Signup

ROOT = Path(__file__).resolve().parents[2]
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3", "\t=1",
            "\r=1"]


def test_formula_cells_get_a_quote_and_numbers_do_not():
    out = io.StringIO()
    safe_csv.writer(out).writerow([*FORMULAS, -5, 1.5, "plain", None])
    row = next(csv.reader(io.StringIO(out.getvalue())))
    assert row[:6] == ["'" + f for f in FORMULAS]
    assert row[6:] == ["-5", "1.5", "plain", ""]


def test_rows_for_copy_are_written_as_given():
    rows = [(1, "=1+1", 'Li, "Lei" \\ 李', ""), (2, "@x", "", "-3")]
    assert list(csv.reader(io.StringIO(safe_csv.copy_rows(rows).decode()))) == [
        ["1", "=1+1", 'Li, "Lei" \\ 李', ""], ["2", "@x", "", "-3"]]


def test_no_module_writes_csv_but_home_csv():
    offenders = []
    for app in ("home", "newsletter", "training", "care", "config"):
        for path in (ROOT / app).rglob("*.py"):
            if path == ROOT / "home" / "csv.py":
                continue
            if re.search(r"\bcsv\.(writer|DictWriter)\(", path.read_text()):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_every_admin_export_escapes_a_formula_cell(client, home_pages):
    evil = "=HYPERLINK(\"http://evil.example\",\"点我\")"
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    person = Person.objects.create(name=evil, email="evil@example.com", mobile="+8613900001111")
    # The class roster.
    klass = session(course(catalog(home_pages)), capacity=3)
    Signup.objects.create(session=klass, person=person, language="zh-hans", status=Signup.Status.CONFIRMED)
    # The journal subscriber export.
    Subscriber.objects.create(person=person, status=Subscriber.Status.ACTIVE, language="zh-hans", source="test")
    # The gift shipping list.
    gifts = campaign(2026)
    GiftRecipient.objects.create(campaign=gifts, person=person, ship_name=evil, ship_address="@SUM(A1)",
                                 state=GiftRecipient.State.CONFIRMED)
    exports = {
        "roster": reverse("training_admin:roster_csv", args=[klass.pk]),
        "subscribers": reverse("journal_subscribers:index") + "?export=csv",
        "shipping list": reverse("care_campaigns:export", args=[gifts.pk]),
    }
    for name, url in exports.items():
        response = client.get(url)
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert "'" + evil in cells, (name, text[:500])
        assert evil not in cells, name
