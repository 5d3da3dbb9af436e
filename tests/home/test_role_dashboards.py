"""Each role opens the admin on its own dashboard panels, drawn from the demo content, with query
counts that do not grow with the data."""

import csv
import io

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from home.dashboard import period_get
from home.registry import dashboard_panels
from tests import demo_snapshot
from tests.dashboard_shapes import flat_charts

ROLE_PANELS = {
    "editor": {"journal-last-issue", "journal-issues", "journal-helpful", "journal-subscribers", "journal-knowledge"},
    "coordinator": {"training-next", "training-fill", "training-certificates"},
    "carestaff": {"care-my-calls"},
    "caremanager": {"care-my-calls", "care-sla", "care-complaints", "care-resolution", "care-csat", "care-gifts"},
}


def _panel_keys(html):
    return {key for key in dashboard_panels.keys() if f'id="panel-{key}-heading"' in html}


def _grow_data():
    """Copy the demo rows the dashboards count, several times over."""
    import secrets

    from django.apps import apps

    Call = apps.get_model("care", "Call")
    Complaint = apps.get_model("care", "Complaint")
    Rating = apps.get_model("care", "SatisfactionRating")
    Signup = apps.get_model("training", "Signup")
    Recipient = apps.get_model("newsletter", "Recipient")
    Answer = apps.get_model("newsletter", "SectionAnswer")
    Person = apps.get_model("home", "Person")

    def copies(model, exclude, extra=lambda i: {}, times=3):
        rows = list(model.objects.all()[:50])
        fields = [f.name for f in model._meta.concrete_fields if f.name not in {"id", *exclude}]
        new = [model(**{f: getattr(row, f) for f in fields}, **extra(i)) for i in range(times) for row in rows]
        model.objects.bulk_create(new)

    copies(Call, {"period_key", "rating"}, lambda i: {"period_key": f"grow-{secrets.token_hex(6)}"})
    copies(Complaint, {"reference", "status_token"})
    copies(Rating, {"call"})
    signups = list(Signup.objects.all()[:30])
    people = Person.objects.bulk_create(
        [Person(name=f"P{i}", email=f"grow{i}-{secrets.token_hex(4)}@example.com") for i in range(2 * len(signups))]
    )
    Signup.objects.bulk_create(
        [Signup(session=s.session, person=people[2 * i + k], status=s.status, attended=s.attended, language=s.language)
         for i, s in enumerate(signups) for k in range(2)]
    )
    Subscriber = apps.get_model("newsletter", "Subscriber")
    recipients = list(Recipient.objects.all()[:40])
    readers = [
        Subscriber.objects.create(person=Person.objects.create(email=f"more{i}-{secrets.token_hex(4)}@example.com"),
                                  status="active", language="zh-hans")
        for i in range(len(recipients))
    ]
    fields = [f.name for f in Recipient._meta.concrete_fields if f.name not in {"id", "rid", "subscriber"}]
    Recipient.objects.bulk_create(
        [Recipient(**{f: getattr(r, f) for f in fields}, subscriber=reader, rid=secrets.token_hex(10))
         for r, reader in zip(recipients, readers, strict=True)]
    )
    copies(Answer, {"reader_key"}, lambda i: {"reader_key": secrets.token_hex(10)})



def _queries(panel_class, user):
    cache.clear()  # the previous period's figures are cached: count them too
    request = RequestFactory().get("/admin/")
    request.user = user
    with CaptureQueriesContext(connection) as ctx:
        panel_class(request, period_get("year")).get_context_data()
    return len(ctx.captured_queries)


class RoleDashboardTests(TestCase):
    """The demo content is written once for the class."""

    @classmethod
    def setUpTestData(cls):
        demo_snapshot.demo()
        cls.admin = get_user_model().objects.get(username="admin")

    def _login(self, username):
        user = get_user_model().objects.get(username=username)
        self.client.force_login(user)
        if username == "caremanager":  # care managers must pass two-factor authentication
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = self.client.session
            session["otp_device_id"] = device.persistent_id
            session.save()

    def test_each_role_sees_its_own_panels_with_charts_and_csv(self):
        for username, expected in ROLE_PANELS.items():
            with self.subTest(username=username):
                self._login(username)
                html = self.client.get("/admin/?period=year").content.decode()
                assert _panel_keys(html) == expected
                assert html.count('class="dashboard-chart"') == len(expected)
                assert html.count('<script id="chart-') == len(expected)  # the chart's numbers, as JSON
                assert "echarts.common.min.js" in html and "<table" in html  # the table is the text alternative
                for key in expected:
                    response = self.client.get(f"/admin/dashboard/{key}.csv?period=year&lang=en")
                    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
                    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
                    assert all(header), (key, header)  # a header on every column, the first too
                    # in English (language names are given in their own language)
                    assert not any("\u4e00" <= ch <= "\u9fff" for ch in "".join(header).replace("简体中文", "")), header

    def test_demo_content_gives_every_chart_a_shape_in_every_period(self):
        """Over time, at least three buckets with counts and not all equal; otherwise at least two bars."""
        flat = flat_charts()
        assert not flat, f"charts without a shape in the demo content: {flat}"

    def test_query_counts_are_pinned_and_do_not_grow(self):
        before = {cls.key: _queries(cls, self.admin) for cls in dashboard_panels.items()}
        _grow_data()
        after = {cls.key: _queries(cls, self.admin) for cls in dashboard_panels.items()}
        assert after == before
        assert max(before.values()) <= 12, before  # the panel's queries, and the same for the previous period
