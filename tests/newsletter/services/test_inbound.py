"""Mail coming back: bounces, complaints, auto-replies, and readers' replies that reach the care queue
sanitised. Through the webhook (shared secret) and the mailbox command."""

import mailbox
from io import StringIO

import pytest
from django.core.management import call_command

from newsletter.models import Bounce, InboundEmail, ReaderReply, Recipient, Subscriber
from newsletter.services import deliveries
from newsletter.services.inbound import inbound_process, inbound_store
from newsletter.tasks import inbound_process_task
from tests.newsletter.delivery_helpers import make_subscribers

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(journal, django_capture_on_commit_callbacks):
    """Three readers who were sent the issue (the ledger rows exist; nothing is mailed here)."""
    readers = make_subscribers(3)
    with django_capture_on_commit_callbacks(execute=False):
        delivery = deliveries.delivery_start(issue=journal["issue"])
        deliveries.delivery_build(delivery_id=delivery.pk)
    Recipient.objects.filter(delivery=delivery).update(state=Recipient.State.SENT)
    rows = {r.subscriber_id: r for r in Recipient.objects.filter(delivery=delivery)}
    return {"delivery": delivery, "readers": readers, "rows": [rows[r.pk] for r in readers]}


def _process(raw: str):
    row, _created = inbound_store(raw=raw.replace("\n", "\r\n").encode())
    return inbound_process(inbound_id=row.pk)


def _dsn(rid, address, status, action="failed"):
    delivery = Recipient.objects.get(rid=rid).delivery_id
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: bounces+{rid}@example.com
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-{rid}-{status}@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; {address}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--B
Content-Type: text/rfc822-headers

Message-ID: <{rid}.d{delivery}@example.com>
Subject: the issue

--B--
"""


def test_hard_bounce_stops_mail_to_that_reader(sent, settings):
    settings.JOURNAL_BOUNCE_ADDRESS = "bounces@example.com"
    row = sent["rows"][0]
    result = _process(_dsn(row.rid, "reader0@example.com", "5.1.1"))
    assert result.kind == InboundEmail.Kind.BOUNCE
    assert Subscriber.objects.get(pk=row.subscriber_id).status == Subscriber.Status.BOUNCED
    assert Bounce.objects.get().kind == Bounce.Kind.HARD
    assert deliveries.delivery_stats(delivery=sent["delivery"])["bounced"] == 1
    assert Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).count() == 2


def test_soft_bounces_stop_mail_after_the_threshold(sent, settings):
    settings.JOURNAL_SOFT_BOUNCE_LIMIT = 3
    row = sent["rows"][1]  # found through the quoted Message-ID, without VERP
    for n in range(2):
        _process(_dsn(row.rid, "reader1@example.com", f"4.2.{n}", action="delayed"))
    assert Subscriber.objects.get(pk=row.subscriber_id).status == Subscriber.Status.ACTIVE
    _process(_dsn(row.rid, "reader1@example.com", "4.2.9", action="delayed"))
    assert Subscriber.objects.get(pk=row.subscriber_id).status == Subscriber.Status.BOUNCED


def test_complaint_stops_mail(sent):
    row = sent["rows"][2]
    raw = f"""From: abuse@isp.example
To: care@example.com
Subject: Complaint about message
Message-ID: <arf-1@isp.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="B"

--B
Content-Type: text/plain

This is an email abuse report.
--B
Content-Type: message/feedback-report

Feedback-Type: abuse
Original-Rcpt-To: reader2@example.com

--B
Content-Type: message/rfc822

Message-ID: <{row.rid}.d{row.delivery_id}@example.com>
Subject: the issue

body
--B--
"""
    assert _process(raw).kind == InboundEmail.Kind.COMPLAINT
    assert Subscriber.objects.get(pk=row.subscriber_id).status == Subscriber.Status.COMPLAINED


def _arf(original_message_id):
    return f"""From: abuse@isp.example
To: care@example.com
Subject: Complaint about message
Message-ID: <arf-forged-{original_message_id}@isp.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="B"

--B
Content-Type: message/feedback-report

Feedback-Type: abuse
Original-Rcpt-To: reader2@example.com

--B
Content-Type: message/rfc822

Message-ID: <{original_message_id}>
Subject: the issue

body
--B--
"""


@pytest.mark.parametrize("original", ["someone-else@mail.example", "aaaaaaaaaaaa.d999999@example.com"])
def test_reports_that_match_no_message_we_sent_change_nothing(sent, settings, original):
    """Anyone can mail the reply address a report naming any reader: without our reader id or a
    Message-ID we sent, it is kept for a person to check and unsubscribes nobody."""
    settings.JOURNAL_BOUNCE_ADDRESS = "bounces@example.com"
    assert _process(_arf(original)).kind == InboundEmail.Kind.UNMATCHED
    forged_dsn = _dsn(sent["rows"][0].rid, "reader0@example.com", "5.1.1").replace(
        f"bounces+{sent['rows'][0].rid}@", "bounces@").replace(sent["rows"][0].rid + ".d", "zzzzzzzzzzzz.d")
    assert _process(forged_dsn).kind == InboundEmail.Kind.UNMATCHED
    assert not Bounce.objects.exists()
    assert Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).count() == 3


@pytest.mark.parametrize("headers", [
    "Auto-Submitted: auto-replied\nSubject: Re: the issue",
    "X-Autoreply: yes\nSubject: Re: the issue",
    "Precedence: auto_reply\nSubject: Re: the issue",
    "Subject: Out of Office: back on Monday",
    "Subject: 自动回复：休假中",
    "Subject: Automatic reply: the issue",
])
def test_auto_replies_are_filtered(sent, headers):
    row = sent["rows"][0]
    raw = f"From: reader0@example.com\nTo: care@example.com\nMessage-ID: <ooo-{abs(hash(headers))}@x>\n" \
          f"In-Reply-To: <{row.rid}.d{row.delivery_id}@example.com>\n{headers}\n\nI am away until Monday.\n"
    assert _process(raw).kind == InboundEmail.Kind.AUTO_REPLY
    assert not ReaderReply.objects.exists()


def test_reply_reaches_the_care_queue_sanitised(sent, journal, admin_client):
    row = sent["rows"][0]
    raw = f"""From: =?utf-8?b?6K+76ICFMA==?= <reader0@example.com>
To: care@example.com
Subject: Re: the issue
Message-ID: <reply-1@reader.example>
In-Reply-To: <{row.rid}.d{sent['delivery'].pk}@example.com>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<p onclick="alert(1)">Thanks! <script>alert('x')</script><a href="javascript:alert(2)">click</a>
<svg onload="alert(3)"><circle r="5"/></svg><img src=x onerror="alert(4)"><a href="https://ok.example/">ok</a></p>
"""
    assert _process(raw).kind == InboundEmail.Kind.REPLY
    reply = ReaderReply.objects.get()
    assert reply.email == "reader0@example.com" and reply.issue_id == journal["issue"].pk
    assert reply.person.journal_subscription.pk == row.subscriber_id
    for bad in ("<script", "onclick", "onerror", "onload", "javascript:", "<svg", "<img"):
        assert bad not in reply.body.lower()
    assert 'href="https://ok.example/"' in reply.body
    assert deliveries.delivery_stats(delivery=sent["delivery"])["replied"] == 1
    # It appears in the care team's queue, inert.
    page = admin_client.get(f"/admin/journal_replies/inspect/{reply.pk}/").content.decode()
    assert "Thanks!" in page and "<script>alert" not in page


def test_same_message_twice_is_processed_once(sent):
    raw = "From: reader1@example.com\nTo: care@example.com\nMessage-ID: <same@x>\nSubject: Question\n\nHello editors\n"
    _process(raw)
    _process(raw)
    assert ReaderReply.objects.count() == 1


def test_webhook_needs_the_shared_secret(sent, client, settings, django_capture_on_commit_callbacks):
    settings.JOURNAL_INBOUND_SECRET = "s3cret-value"
    raw = b"From: reader2@example.com\r\nTo: care@example.com\r\nMessage-ID: <hook@x>\r\nSubject: Hi\r\n\r\nA question\r\n"
    assert client.post("/zh-hans/journal/inbound/", raw, content_type="message/rfc822").status_code == 403
    assert client.post("/zh-hans/journal/inbound/", raw, content_type="message/rfc822",
                       headers={"X-Journal-Secret": "wrong"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/zh-hans/journal/inbound/", raw, content_type="message/rfc822",
                               headers={"X-Journal-Secret": "s3cret-value"})
    assert response.status_code == 202 and len(callbacks) == 1  # processing is enqueued...
    inbound_process_task(InboundEmail.objects.get().pk)  # ...and this is what the worker runs
    assert ReaderReply.objects.get().email == "reader2@example.com"
    settings.JOURNAL_INBOUND_SECRET = ""
    assert client.post("/zh-hans/journal/inbound/", raw, content_type="message/rfc822").status_code == 404


def test_mailbox_command_reads_an_mbox(sent, tmp_path, settings):
    settings.JOURNAL_BOUNCE_ADDRESS = "bounces@example.com"
    path = tmp_path / "inbox.mbox"
    box = mailbox.mbox(str(path))
    box.add(_dsn(sent["rows"][0].rid, "reader0@example.com", "5.1.1").encode())
    box.add(b"From: reader1@example.com\nTo: care@example.com\nMessage-ID: <m2@x>\nSubject: Re: the issue\n\n"
            b"Great issue.\n\nOn Mon, the editors wrote:\n> quoted text\n")
    box.close()
    out = StringIO()
    call_command("journal_inbound", str(path), stdout=out)
    assert "2 new of 2" in out.getvalue()
    assert ReaderReply.objects.get().body == "<p>Great issue.</p>"
    call_command("journal_inbound", str(path), stdout=StringIO())
    assert ReaderReply.objects.count() == 1 and Bounce.objects.count() == 1


def test_care_managers_see_unmatched_reports_in_the_admin(sent, client):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from home.roles import CARE_MANAGERS, EDITORS

    row = _process(_arf("someone-else@mail.example"))
    manager = get_user_model().objects.create_user("mgr14", "mgr14@example.com", "x" * 12, is_staff=True)
    manager.groups.add(Group.objects.get(name=CARE_MANAGERS))
    client.force_login(manager)
    listing = client.get("/admin/journal_inbound/?kind=unmatched")
    assert listing.status_code == 200 and "arf-forged-someone-else" in listing.content.decode()
    assert client.get(f"/admin/journal_inbound/inspect/{row.pk}/").status_code == 200
    editor = get_user_model().objects.create_user("ed14", "ed14@example.com", "x" * 12, is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    assert client.get("/admin/journal_inbound/").status_code == 302
