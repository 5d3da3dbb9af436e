"""The journal send against mail servers that misbehave (tests/misbehaving_smtp.py, aiosmtpd on
loopback): greylisting, refused senders and recipients, dropped connections, SMTPUTF8 or not,
fencing against the sweep, per-domain pacing, verified TLS. Batches run in this process."""

import subprocess
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter.models import Bounce, Delivery, Recipient, Subscriber
from newsletter.services import deliveries, sending
from newsletter.transport import TransportError
from tests.misbehaving_smtp import MisbehavingServer, point_django_at
from tests.newsletter.delivery_helpers import make_subscribers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(settings):
    sink = MisbehavingServer().start()
    point_django_at(settings, sink)
    settings.JOURNAL_DOMAIN_PACING = {}
    yield sink
    sink.stop()


def _start(issue, callbacks, segment=None):
    with callbacks(execute=False):
        delivery = deliveries.delivery_start(issue=issue, segment=segment)
        deliveries.delivery_build(delivery_id=delivery.pk)
    return delivery


def _drain(delivery, callbacks, *, make_due=True):
    """Run batches until none is left; deferred rows are made due at once (instead of waiting)."""
    with callbacks(execute=False):
        for _round in range(20):
            while sending.delivery_send_batch(delivery_id=delivery.pk):
                pass
            waiting = Recipient.objects.filter(delivery=delivery, state=Recipient.State.QUEUED)
            if not (make_due and waiting.exists()):
                break
            waiting.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    delivery.refresh_from_db()
    return delivery


def _status(address):
    return Subscriber.objects.get(person__email=address).status


def test_greylisted_readers_are_deferred_then_sent_and_refused_ones_bounce(journal, server,
                                                                          django_capture_on_commit_callbacks):
    make_subscribers(6)
    server.handler.greylist |= {"reader1@example.com", "reader4@example.com"}
    server.handler.refuse.add("reader2@example.com")
    delivery = _start(journal["issue"], django_capture_on_commit_callbacks)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        sending.delivery_send_batch(delivery_id=delivery.pk)
    deferred = Recipient.objects.get(subscriber__person__email="reader1@example.com")
    assert deferred.state == Recipient.State.QUEUED and deferred.attempts == 1 and "451" in deferred.error
    assert before + timedelta(seconds=290) < deferred.next_attempt_at < before + timedelta(seconds=310)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENDING  # not done while readers wait for their retry
    # A batch now takes nothing: the deferred rows are not due yet.
    with django_capture_on_commit_callbacks(execute=False):
        assert sending.delivery_send_batch(delivery_id=delivery.pk) == 0
    stats = deliveries.delivery_stats(delivery=delivery)
    assert (stats["sent"], stats["deferred"], stats["failed"], stats["bounced"]) == (3, 2, 1, 1)

    delivery = _drain(delivery, django_capture_on_commit_callbacks)
    assert delivery.state == Delivery.State.DONE
    copies = server.copies()
    assert copies == {f"reader{i}@example.com": 1 for i in (0, 1, 3, 4, 5)}
    assert _status("reader2@example.com") == Subscriber.Status.BOUNCED
    assert _status("reader1@example.com") == Subscriber.Status.ACTIVE


def test_a_reader_deferred_past_the_limit_fails_without_changing_the_subscriber(
        journal, server, settings, django_capture_on_commit_callbacks):
    settings.JOURNAL_RETRY_DELAYS, settings.JOURNAL_RETRY_LIMIT = [60, 600], 1800
    assert [sending.retry_delay(n) for n in range(5)] == [60, 600, 600, None, None]
    make_subscribers(2)
    server.handler.greylist.add("reader0@example.com")
    delivery = _start(journal["issue"], django_capture_on_commit_callbacks)
    # The server defers reader0 every time.
    server.handler.greylisted = _Never()
    delivery = _drain(delivery, django_capture_on_commit_callbacks)
    assert delivery.state == Delivery.State.DONE
    row = Recipient.objects.get(subscriber__person__email="reader0@example.com")
    assert row.state == Recipient.State.FAILED and row.attempts == 3 and "451" in row.error
    assert _status("reader0@example.com") == Subscriber.Status.ACTIVE
    assert server.copies() == {"reader1@example.com": 1}


class _Never(set):
    def __contains__(self, item):
        return False

    def add(self, item):
        pass


@pytest.mark.parametrize("reply", ["550 5.7.1 sender address rejected", "421 4.7.0 too busy, try later"])
def test_refused_sender_pauses_the_batch_and_bounces_nobody(journal, server, reply, admin_client,
                                                            django_capture_on_commit_callbacks):
    make_subscribers(4)
    server.handler.refuse_mail_from = reply
    delivery = _start(journal["issue"], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False), pytest.raises(TransportError):
        sending.delivery_send_batch(delivery_id=delivery.pk)
    assert not Subscriber.objects.exclude(status=Subscriber.Status.ACTIVE).exists()
    assert not Bounce.objects.exists()
    assert Recipient.objects.filter(delivery=delivery, state=Recipient.State.QUEUED, attempts=0).count() == 4
    delivery.refresh_from_db()
    assert reply.split()[0] in delivery.transport_error and delivery.transport_error_at
    page = admin_client.get(f"/admin/journal/deliveries/{delivery.pk}/progress/").content.decode()
    assert "data-transport-error" in page and reply.split()[0] in page

    server.handler.refuse_mail_from = None  # fixed: the next try sends everything, the error clears
    delivery = _drain(delivery, django_capture_on_commit_callbacks, make_due=False)
    assert delivery.state == Delivery.State.DONE and delivery.transport_error == ""
    assert len(server.copies()) == 4 and set(server.copies().values()) == {1}


def test_unreachable_server_or_refused_sign_in_changes_nobody(journal, server, settings,
                                                              django_capture_on_commit_callbacks):
    make_subscribers(2)
    delivery = _start(journal["issue"], django_capture_on_commit_callbacks)
    settings.EMAIL_PORT = 9  # nothing listens
    with django_capture_on_commit_callbacks(execute=False), pytest.raises(TransportError, match="cannot connect"):
        sending.delivery_send_batch(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert "cannot connect" in delivery.transport_error
    assert Recipient.objects.filter(delivery=delivery, state=Recipient.State.QUEUED).count() == 2
    assert not Bounce.objects.exists()


def test_dropped_connections_reconnect_and_nobody_gets_two_copies(journal, server, django_capture_on_commit_callbacks):
    make_subscribers(11)
    server.handler.drop_every = 3
    delivery = _drain(_start(journal["issue"], django_capture_on_commit_callbacks), django_capture_on_commit_callbacks,
                      make_due=False)
    assert delivery.state == Delivery.State.DONE
    assert server.copies() == {f"reader{i}@example.com": 1 for i in range(11)}
    assert server.handler.connections == 4


def test_hard_bounces_before_a_connection_error_are_kept(journal, server, django_capture_on_commit_callbacks):
    make_subscribers(6)
    server.handler.refuse.add("reader1@example.com")

    def after_third(item):
        if len(server.messages) == 2:  # the third accepted message: then the server refuses everything
            server.handler.refuse_mail_from = "421 4.3.2 shutting down"

    server.handler.on_message = after_third
    delivery = _start(journal["issue"], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False), pytest.raises(TransportError):
        sending.delivery_send_batch(delivery_id=delivery.pk)
    assert _status("reader1@example.com") == Subscriber.Status.BOUNCED
    assert Bounce.objects.filter(email="reader1@example.com", kind=Bounce.Kind.HARD).exists()
    assert Recipient.objects.filter(delivery=delivery, state=Recipient.State.SENT).count() == 3
    assert Recipient.objects.filter(delivery=delivery, state=Recipient.State.QUEUED).count() == 2
    assert Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).count() == 5


def test_one_readers_unexpected_error_fails_that_row_and_the_batch_goes_on(journal, server, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    readers = make_subscribers(4)
    # A reader whose address came in before addresses were checked: its domain has no IDNA form.
    readers[1].person.__class__.objects.filter(pk=readers[1].person_id).update(email="reader1@bad_\u2603.example")
    real_token = sending.reader_token

    def token(value):  # a collaborator that breaks for one reader
        if value == str(readers[2].pk):
            raise RuntimeError("signing key unavailable")
        return real_token(value)

    monkeypatch.setattr(sending, "reader_token", token)
    delivery = _drain(_start(journal["issue"], django_capture_on_commit_callbacks), django_capture_on_commit_callbacks)
    assert delivery.state == Delivery.State.DONE
    rows = {r.subscriber_id: r for r in Recipient.objects.filter(delivery=delivery)}
    assert rows[readers[1].pk].state == Recipient.State.FAILED and "IDNA" in rows[readers[1].pk].error
    assert rows[readers[2].pk].state == Recipient.State.FAILED and "signing key" in rows[readers[2].pk].error
    assert server.copies() == {"reader0@example.com": 1, "reader3@example.com": 1}
    assert not Subscriber.objects.exclude(status=Subscriber.Status.ACTIVE).exists()


@pytest.mark.parametrize("smtputf8", [True, False])
def test_internationalised_domain_with_or_without_smtputf8(journal, settings, smtputf8,
                                                          django_capture_on_commit_callbacks):
    sink = MisbehavingServer(smtputf8=smtputf8).start()
    point_django_at(settings, sink)
    settings.JOURNAL_DOMAIN_PACING = {}
    try:
        readers = make_subscribers(2)
        readers[0].person.__class__.objects.filter(pk=readers[0].person_id).update(email="reader0@例子.中国")
        delivery = _drain(_start(journal["issue"], django_capture_on_commit_callbacks),
                          django_capture_on_commit_callbacks)
        assert delivery.state == Delivery.State.DONE
        wire = "reader0@例子.中国" if smtputf8 else "reader0@xn--fsqu00a.xn--fiqs8s"
        assert sink.copies() == {wire: 1, "reader1@example.com": 1}
        message = sink.parsed(wire)
        assert message["To"].addresses[0].addr_spec == wire
        item = next(m for m in sink.messages if wire in m["to"])
        assert ("SMTPUTF8" in item["options"]) is smtputf8
    finally:
        sink.stop()


def test_a_batch_whose_claim_the_sweep_takes_over_sends_nothing_twice(journal, server, settings,
                                                                      django_capture_on_commit_callbacks):
    """The server stalls on the 5th message longer than the stale time; the sweep runs meanwhile and
    hands the batch's rows to the queue. The old batch stops; a new batch sends the rest once."""
    settings.JOURNAL_STALE_AFTER = 2
    settings.JOURNAL_CLAIM_GROUP = 3
    make_subscribers(12)
    delivery = _start(journal["issue"], django_capture_on_commit_callbacks)
    import time

    swept = []

    def stall_then_sweep(item):
        if len(server.messages) == 4:
            time.sleep(2.5)
            # The sweep runs elsewhere (beat); here in a thread of its own, off the server's event loop.
            sweeper = threading.Thread(target=lambda: swept.append(deliveries.delivery_sweep()))
            sweeper.start()
            sweeper.join()

    server.handler.on_message = stall_then_sweep
    with django_capture_on_commit_callbacks(execute=False):
        first = sending.delivery_send_batch(delivery_id=delivery.pk)
    assert swept[0]["requeued"] == 9  # the batch's unsent rows (and the two it had not recorded yet)
    assert first == 5  # four, then the one in flight during the sweep; nothing after it
    server.handler.on_message = None
    with django_capture_on_commit_callbacks(execute=False):
        assert sending.delivery_send_batch(delivery_id=delivery.pk) == 7
    delivery = _drain(delivery, django_capture_on_commit_callbacks, make_due=False)
    assert delivery.state == Delivery.State.DONE
    assert server.copies() == {f"reader{i}@example.com": 1 for i in range(12)}
    assert Recipient.objects.filter(delivery=delivery, state=Recipient.State.SENT).count() == 12


def test_per_domain_pacing_defers_without_counting_an_attempt(journal, server, settings,
                                                              django_capture_on_commit_callbacks):
    settings.JOURNAL_DOMAIN_PACING = {"qq.com": {"connections": 1, "per_minute": 2}}
    make_subscribers(2)
    make_subscribers(4, prefix="qq")
    from home.models import Person

    for person in Person.objects.filter(email__startswith="qq"):
        Person.objects.filter(pk=person.pk).update(email=person.email.replace("example.com", "qq.com"))
    delivery = _start(journal["issue"], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        assert sending.delivery_send_batch(delivery_id=delivery.pk) == 4
    paced = Recipient.objects.filter(delivery=delivery, state=Recipient.State.QUEUED)
    assert paced.count() == 2 and set(paced.values_list("attempts", flat=True)) == {0}
    assert all(row.next_attempt_at > timezone.now() for row in paced)
    assert sum(1 for address in server.copies() if address.endswith("@qq.com")) == 2


def _self_signed(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return key, cert


def test_starttls_checks_the_certificate_and_trusts_a_configured_private_ca(journal, settings, tmp_path,
                                                                          django_capture_on_commit_callbacks):
    import ssl

    key, cert = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    sink = MisbehavingServer(tls_context=context, require_starttls=True).start()
    point_django_at(settings, sink, EMAIL_USE_TLS=True, JOURNAL_DOMAIN_PACING={})
    try:
        make_subscribers(2)
        delivery = _start(journal["issue"], django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=False), pytest.raises(TransportError,
                                                                              match="CERTIFICATE_VERIFY_FAILED"):
            sending.delivery_send_batch(delivery_id=delivery.pk)
        assert not sink.messages
        # The outbox (Django's backend, home.mail) checks the certificate too.
        from home.models import OutboxMessage
        from home.services.outbox import outbox_enqueue, outbox_send

        settings.EMAIL_BACKEND = "home.mail.EmailBackend"
        with django_capture_on_commit_callbacks(execute=False):
            mail = outbox_enqueue(to_email="editor@example.com", subject="测试", text="正文", kind="test")
        outbox_send(message_id=mail.pk)
        mail.refresh_from_db()
        assert mail.state == OutboxMessage.State.QUEUED and "CERTIFICATE_VERIFY_FAILED" in mail.last_error

        settings.EMAIL_SSL_CAFILE = str(cert)  # the private relay's CA
        delivery = _drain(delivery, django_capture_on_commit_callbacks, make_due=False)
        assert delivery.state == Delivery.State.DONE and len(sink.copies()) == 2
        OutboxMessage.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())
        outbox_send(message_id=mail.pk)
        mail.refresh_from_db()
        assert mail.state == OutboxMessage.State.SENT and "editor@example.com" in sink.copies()
    finally:
        sink.stop()
