"""Deliveries in one process: building, personalising, exactly-once, segments, tracking, DKIM."""

import re
import subprocess
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from newsletter.models import Delivery, DeliveryLink, Recipient, Subscriber
from newsletter.services import NewsletterError, deliveries, sending
from newsletter.transport import TransportError
from tests.newsletter.delivery_helpers import lazy_parsing, make_subscribers

pytestmark = pytest.mark.django_db


def _send(issue, segment=None, *, callbacks):
    """Start and build a delivery, then send all its batches here instead of in a worker."""
    with callbacks(execute=False):
        delivery = deliveries.delivery_start(issue=issue, segment=segment)
        deliveries.delivery_build(delivery_id=delivery.pk)
        while sending.delivery_send_batch(delivery_id=delivery.pk):
            pass
    delivery.refresh_from_db()
    return delivery


@pytest.fixture
def sink(smtp_server):
    return lazy_parsing(smtp_server)


def test_each_reader_gets_a_personal_copy_in_their_language(journal, sink, django_capture_on_commit_callbacks):
    make_subscribers(3)
    make_subscribers(2, language="en", prefix="en")
    delivery = _send(journal["issue"], callbacks=django_capture_on_commit_callbacks)
    assert delivery.state == Delivery.State.DONE
    received = {m["to"][0]: m["message"] for m in sink.messages}
    assert sorted(received) == ["en0@example.com", "en1@example.com", "reader0@example.com",
                                "reader1@example.com", "reader2@example.com"]
    zh, en = received["reader1@example.com"], received["en0@example.com"]
    assert zh["Subject"] == journal["issue"].email_subject
    assert en["Subject"] == journal["issue_en"].email_subject
    assert zh["To"].addresses[0].display_name == "读者1"
    text = zh.get_body(("plain",)).get_content()
    html = zh.get_body(("html",)).get_content()
    assert "读者1" in text and "读者1" in html
    assert "{{" not in text and "{{" not in html
    unsubscribe = zh["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("https://journal.example.com/zh-hans/journal/unsubscribe/")
    assert unsubscribe in unescape(html) and unsubscribe in text  # a visible link too
    assert zh["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert zh["List-Id"].endswith("<journal.example.com>")
    assert zh["Auto-Submitted"] == "auto-generated" and zh["X-Auto-Response-Suppress"] == "All"
    assert zh["Precedence"] == "bulk"
    assert len({m["Message-ID"] for m in received.values()}) == 5
    # The other reader's links are not this one's.
    assert received["reader2@example.com"]["List-Unsubscribe"] != zh["List-Unsubscribe"]


def test_the_issue_is_frozen_when_the_delivery_is_built(journal, sink, django_capture_on_commit_callbacks):
    make_subscribers(1)
    issue = journal["issue"]
    with django_capture_on_commit_callbacks(execute=False):
        delivery = deliveries.delivery_start(issue=issue)
        deliveries.delivery_build(delivery_id=delivery.pk)
    issue.subject = "Changed after the send started"
    issue.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=False):
        sending.delivery_send_batch(delivery_id=delivery.pk)
    assert sink.messages[0]["message"]["Subject"] != "Changed after the send started"


def test_double_click_and_resend_send_nothing_new(journal, sink, django_capture_on_commit_callbacks):
    make_subscribers(4)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = deliveries.delivery_start(issue=journal["issue"])
        second = deliveries.delivery_start(issue=journal["issue"])
    assert first.pk == second.pk
    assert len(callbacks) == 1  # one build enqueued
    _send(journal["issue"], callbacks=django_capture_on_commit_callbacks)
    assert len(sink.messages) == 4
    # Again, to the same segment and to an overlapping one, from the English page: nothing new.
    again = _send(journal["issue"], callbacks=django_capture_on_commit_callbacks)
    other = _send(journal["issue_en"], {"languages": ["zh-hans"]}, callbacks=django_capture_on_commit_callbacks)
    assert again.pk == first.pk and other.pk != first.pk
    assert len(sink.messages) == 4
    # A reader who joined since gets it when it is sent again, and only they do.
    make_subscribers(1, prefix="late")
    _send(journal["issue"], callbacks=django_capture_on_commit_callbacks)
    assert [m["to"][0] for m in sink.messages[4:]] == ["late0@example.com"]


def test_segments_by_language_and_product_line(journal, sink, django_capture_on_commit_callbacks):
    make_subscribers(2, prefix="fw", product_lines=["firewall"])
    make_subscribers(2, prefix="pc", product_lines=["pc"])
    make_subscribers(1, prefix="any")  # no product line chosen: every issue
    make_subscribers(2, prefix="en-fw", language="en", product_lines=["firewall"])
    make_subscribers(1, prefix="off", status=Subscriber.Status.UNSUBSCRIBED)
    _send(journal["issue"], {"languages": ["zh-hans"], "product_lines": ["firewall"]},
          callbacks=django_capture_on_commit_callbacks)
    assert sorted(m["to"][0] for m in sink.messages) == ["any0@example.com", "fw0@example.com", "fw1@example.com"]


def test_unknown_segment_and_unpublished_issue_are_refused(journal):
    with pytest.raises(NewsletterError):
        deliveries.delivery_start(issue=journal["issue"], segment={"product_lines": ["toasters"]})
    issue = journal["issue"]
    issue.unpublish()
    with pytest.raises(NewsletterError):
        deliveries.delivery_start(issue=issue)


def test_reader_who_unsubscribes_before_their_batch_is_skipped(journal, sink, django_capture_on_commit_callbacks):
    subscribers = make_subscribers(3)
    with django_capture_on_commit_callbacks(execute=False):
        delivery = deliveries.delivery_start(issue=journal["issue"])
        deliveries.delivery_build(delivery_id=delivery.pk)
        Subscriber.objects.filter(pk=subscribers[0].pk).update(status=Subscriber.Status.UNSUBSCRIBED)
        sending.delivery_send_batch(delivery_id=delivery.pk)
    assert sorted(m["to"][0] for m in sink.messages) == ["reader1@example.com", "reader2@example.com"]
    assert Recipient.objects.get(subscriber=subscribers[0]).state == Recipient.State.SKIPPED


def test_clicks_go_only_to_registered_links_and_opens_count_once(journal, sink, client,
                                                                django_capture_on_commit_callbacks):
    make_subscribers(2)
    delivery = _send(journal["issue"], callbacks=django_capture_on_commit_callbacks)
    html = sink.messages[0]["message"].get_body(("html",)).get_content()
    clicks = re.findall(r'href="(https://journal\.example\.com/zh-hans/journal/c/[^"]+)"', html)
    assert clicks, "links are rewritten to the click counter"
    path = clicks[0].removeprefix("https://journal.example.com")
    response = client.get(path)
    assert response.status_code == 302
    link = DeliveryLink.objects.get(pk=int(path.rstrip("/").rsplit("/", 1)[1]))
    assert response["Location"] == link.url and link.clicks == 1
    # No address can be smuggled in: unknown link ids are 404, and there is no URL parameter to abuse.
    assert client.get(path.rsplit("/", 2)[0] + "/999999/").status_code == 404
    assert client.get(path + "?next=https://evil.example/").get("Location") == link.url
    pixel = re.search(r'src="https://journal\.example\.com(/zh-hans/journal/o/[^"]+\.gif)"', html).group(1)
    assert client.get(pixel)["Content-Type"] == "image/gif"
    client.get(pixel)
    stats = deliveries.delivery_stats(delivery=delivery)
    assert (stats["sent"], stats["opened"], stats["clicked"], stats["clicks"]) == (2, 1, 1, 2)


def test_refused_address_fails_and_stops_further_mail(journal, sink, django_capture_on_commit_callbacks):
    make_subscribers(3)
    sink.handler.refuse.add("reader1@example.com")
    delivery = _send(journal["issue"], callbacks=django_capture_on_commit_callbacks)
    assert delivery.state == Delivery.State.DONE
    row = Recipient.objects.get(subscriber__person__email="reader1@example.com")
    assert row.state == Recipient.State.FAILED and "550" in row.error
    assert Subscriber.objects.get(person__email="reader1@example.com").status == Subscriber.Status.BOUNCED
    assert len(sink.messages) == 2


def test_mail_server_down_puts_the_batch_back(journal, settings, django_capture_on_commit_callbacks):
    make_subscribers(3)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    with django_capture_on_commit_callbacks(execute=False):
        delivery = deliveries.delivery_start(issue=journal["issue"])
        deliveries.delivery_build(delivery_id=delivery.pk)
        with pytest.raises(TransportError):
            sending.delivery_send_batch(delivery_id=delivery.pk)
    assert Recipient.objects.filter(delivery=delivery, state=Recipient.State.QUEUED).count() == 3


def test_sweep_requeues_rows_of_a_dead_worker_and_starts_due_schedules(journal, django_capture_on_commit_callbacks,
                                                                      settings):
    make_subscribers(3)
    with django_capture_on_commit_callbacks(execute=False):
        delivery = deliveries.delivery_start(issue=journal["issue"])
        deliveries.delivery_build(delivery_id=delivery.pk)
    _token, claimed = sending._claim(delivery.pk, 2)  # a worker claims two rows and dies
    long_ago = timezone.now() - timedelta(minutes=10)
    Recipient.objects.filter(pk__in=claimed).update(claimed_at=long_ago)
    Delivery.objects.filter(pk=delivery.pk).update(heartbeat_at=long_ago)
    later = deliveries.delivery_start(issue=journal["issue"], segment={"languages": ["en"]},
                              scheduled_at=timezone.now() + timedelta(hours=1))
    assert later.state == Delivery.State.SCHEDULED
    assert deliveries.delivery_sweep()["requeued"] == 2
    assert Recipient.objects.filter(delivery=delivery, state=Recipient.State.QUEUED).count() == 3
    assert deliveries.delivery_sweep()["started"] == 0
    Delivery.objects.filter(pk=later.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))
    assert deliveries.delivery_sweep()["started"] == 1


def test_dkim_signature_verifies(journal, sink, settings, tmp_path, django_capture_on_commit_callbacks):
    import dkim

    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"], check=True,
                            capture_output=True).stdout
    import base64

    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    settings.DKIM_PRIVATE_KEY_PATH, settings.DKIM_SELECTOR, settings.DKIM_DOMAIN = str(key), "journal", "example.com"
    make_subscribers(1)
    _send(journal["issue"], callbacks=django_capture_on_commit_callbacks)
    raw = sink.messages[0]["raw"]
    assert raw.startswith(b"DKIM-Signature:")
    signed = re.search(rb"h=([^;]+);", raw.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")).group(1).lower()
    assert b"list-unsubscribe" in signed and b"list-unsubscribe-post" in signed
    assert dkim.verify(raw, dnsfunc=lambda name, timeout=5: record)
    assert not dkim.verify(raw.replace(b"List-Unsubscribe-Post: List", b"List-Unsubscribe-Post: list"),
                           dnsfunc=lambda name, timeout=5: record)


# Admin: who can send, the POST-only send action, live progress, the CSV export ----------------------


def _staff(role, username):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username=username, email=f"{username}@example.com",
                                                password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_editor_sends_from_the_admin_and_follows_progress(journal, client, django_capture_on_commit_callbacks):
    from home.roles import EDITORS

    make_subscribers(3)
    editor = _staff(EDITORS, "editor1")
    client.force_login(editor)
    issue = journal["issue"]
    edit_page = client.get(f"/admin/pages/{issue.pk}/edit/").content.decode()
    assert f"/admin/journal/send/{issue.pk}/" in edit_page  # the "Send as email" button
    form = client.get(f"/admin/journal/send/{issue.pk}/")
    assert form.status_code == 200 and f'action="/admin/journal/send/{issue.pk}/test/"' in form.content.decode()
    assert f"发送“{issue.title}”" in form.content.decode().split("<h1", 1)[1].split("</h1>", 1)[0]
    assert client.get(f"/admin/journal/send/{issue.pk}/start/").status_code == 405  # POST only
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.post(f"/admin/journal/send/{issue.pk}/start/", {})
        second = client.post(f"/admin/journal/send/{issue.pk}/start/", {})  # double click
    assert Delivery.objects.count() == 1 and len(callbacks) == 1
    delivery = Delivery.objects.get()
    assert first["Location"] == second["Location"] == f"/admin/journal/deliveries/{delivery.pk}/progress/"
    progress = client.get(first["Location"]).content.decode()
    heading = progress.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert f"“{issue.title}”的发送" in heading and 'href="/admin/journal_deliveries/"' in progress
    assert '<meta http-equiv="refresh"' in progress and "<script>" not in progress.split("</head>")[0].split(
        "http-equiv")[1]
    deliveries.delivery_build(delivery_id=delivery.pk)
    with django_capture_on_commit_callbacks(execute=False):
        sending.delivery_send_batch(delivery_id=delivery.pk)
    progress = client.get(first["Location"]).content.decode()
    assert 'data-count="sent">3<' in progress and '<meta http-equiv="refresh"' not in progress
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(action="newsletter.delivery_start", user=editor).exists()


def test_test_send_goes_to_the_editor_through_the_outbox(journal, client):
    from home.models import OutboxMessage
    from home.roles import EDITORS

    client.force_login(_staff(EDITORS, "editor2"))
    response = client.post(f"/admin/journal/send/{journal['issue'].pk}/test/")
    assert response.status_code == 302
    sent = OutboxMessage.objects.filter(kind="journal_test", to_email="editor2@example.com")
    assert sent.count() == 2  # one per language
    assert all(m.subject.startswith("[") and "{{" not in m.html for m in sent)
    assert not Delivery.objects.exists()


def test_roles_without_send_permission_cannot_send(journal, client):
    from home.roles import CARE_MANAGERS, CARE_STAFF

    issue = journal["issue"]
    for role, name in [(CARE_STAFF, "staff1"), (CARE_MANAGERS, "manager1")]:
        client.force_login(_staff(role, name))
        for response in [client.get(f"/admin/journal/send/{issue.pk}/"),
                         client.post(f"/admin/journal/send/{issue.pk}/start/"),
                         client.post(f"/admin/journal/send/{issue.pk}/test/")]:
            # Wagtail turns a refused admin view into a redirect to the dashboard with a message.
            assert response.status_code == 302 and response["Location"] == "/admin/"
        edit_page = client.get(f"/admin/pages/{issue.pk}/edit/").content.decode()
        assert f"/admin/journal/send/{issue.pk}/" not in edit_page
    assert not Delivery.objects.exists()


def test_care_managers_export_subscribers_as_csv_and_editors_cannot(journal, client):
    from home.roles import CARE_MANAGERS, EDITORS

    make_subscribers(2, product_lines=["firewall"])
    client.force_login(_staff(EDITORS, "editor3"))
    denied = client.get("/admin/journal_subscribers/")
    assert denied.status_code == 302 and denied["Location"] == "/admin/"
    client.force_login(_staff(CARE_MANAGERS, "manager2"))
    listing = client.get("/admin/journal_subscribers/")
    assert listing.status_code == 200 and "reader1@example.com" in listing.content.decode()
    export = client.get("/admin/journal_subscribers/?export=csv")
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode("utf-8-sig") if export.streaming else export.content.decode()
    assert "reader0@example.com" in body and "firewall" in body
    assert client.get("/admin/journal_subscribers/new/").status_code == 302  # no hand-made subscribers
    assert 'href="/admin/journal_subscribers/new/"' not in listing.content.decode()


def test_journal_send_command(journal, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import CommandError, call_command

    make_subscribers(2)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=False):
        call_command("journal_send", "latest", "--segment", "lang=zh-hans", stdout=out)
        call_command("journal_send", journal["issue"].slug, "--segment", "lang=zh-hans", stdout=out)
    delivery = Delivery.objects.get()
    assert out.getvalue().count(f"delivery {delivery.pk}:") == 2 and delivery.segment_key == "lang=zh-hans"
    deliveries.delivery_build(delivery_id=delivery.pk)
    with django_capture_on_commit_callbacks(execute=False):
        while sending.delivery_send_batch(delivery_id=delivery.pk):
            pass
    waited = StringIO()
    call_command("journal_send", str(journal["issue"].pk), "--segment", "lang=zh-hans", "--wait", stdout=waited)
    assert "done: 2 sent, 0 failed" in waited.getvalue()
    with pytest.raises(CommandError):
        call_command("journal_send", "no-such-issue")
    with pytest.raises(CommandError):
        call_command("journal_send", "latest", "--segment", "lines=toasters")


def test_the_segment_is_named_in_the_editors_language(journal):
    from django.utils import translation

    from home.models import ProductLine

    firewall = ProductLine.objects.create(slug="fw-label", name_zh_hans="防火墙", name_en="Firewalls")
    everyone = Delivery(segment={"languages": [], "product_lines": []})
    some = Delivery(segment={"languages": ["en"], "product_lines": [firewall.slug]})
    with translation.override("zh-hans"):
        assert everyone.segment_label() == "全部订阅者"
        assert some.segment_label() == "语言：English; 产品线：防火墙"
    with translation.override("en"):
        assert some.segment_label() == "language: English; product lines: Firewalls"


def test_the_deliveries_listing_names_each_segment(journal, client, django_capture_on_commit_callbacks):
    from home.models import ProductLine
    from home.roles import EDITORS

    line = ProductLine.objects.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=False):
        deliveries.delivery_start(issue=journal["issue"], segment={"languages": ["en"], "product_lines": [line.slug]})
        deliveries.delivery_start(issue=journal["issue"])
    client.force_login(_staff(EDITORS, "editor-listing"))
    listing = client.get("/admin/journal_deliveries/", HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True).content.decode()
    assert f"语言：English; 产品线：{line.name_zh_hans}" in listing and "全部订阅者" in listing
