"""Throughput of a journal send, compared with a bare smtplib loop in the same run. Prints JSON.

    .venv/bin/python bench/send.py [N] [--batch 500] [--concurrency 1] [--misbehaving]

N subscribers (default 10,000) get the demo issue through a real Celery worker process, sent to a
minimal asyncio SMTP sink on loopback that discards the data (in its own process, so it is not the
bottleneck). In the same run, equally large prebuilt messages go through a bare smtplib loop over one
reused connection to the same sink: the ceiling. Also reported: the worker's peak memory (VmHWM) and
the database queries of each batch (measured in this process on a second issue).

--misbehaving: the sink (still in its own process) behaves like real servers on a bad day: 10% of
recipients greylisted once (451), 1% refused (550), the connection closed (421) every 300 messages,
plus one reader with an internationalised domain (the sink offers no SMTPUTF8, so it must arrive in
IDNA form). The retry delay is 3 s. Printed: sent, deferred then sent, bounced, failed, duplicates,
lost readers (deliverable but never received) and the time until the delivery is done.

Defaults need no services (SQLite and the file-system broker in a fresh temporary var/); with
DATABASE_URL and CELERY_BROKER_URL set it runs on PostgreSQL and Redis (the database is migrated
and this script's own rows are deleted first).
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# The sink -----------------------------------------------------------------------------------------


def _sink_main(port_value, count, ready, misbehaving=False, log_path=""):
    greylisted = set()
    log = open(log_path, "ab", buffering=0) if log_path else None  # noqa: SIM115 (open for the life of the sink)

    def rcpt_reply(address: bytes) -> bytes:
        if not misbehaving:
            return b"250 OK\r\n"
        if not address.isascii():
            return b"553 5.6.7 SMTPUTF8 not offered\r\n"
        local = address.split(b"@")[0]
        number = int(local[5:]) if local[5:].isdigit() else -1
        if number % 100 == 42:
            return b"550 5.1.1 mailbox unavailable\r\n"
        if number % 10 == 3 and address not in greylisted:
            greylisted.add(address)
            return b"451 4.7.1 greylisted, try again later\r\n"
        return b"250 OK\r\n"

    async def handle(reader, writer):
        writer.write(b"220 sink ESMTP\r\n")
        in_data = False
        on_connection = 0
        rcpt = b""
        while True:
            if in_data:
                # Read until the end-of-data line; the body is discarded.
                await reader.readuntil(b"\r\n.\r\n")
                in_data = False
                with count.get_lock():
                    count.value += 1
                on_connection += 1
                if log:
                    log.write(rcpt + b"\n")
                writer.write(b"250 OK\r\n")
                continue
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if misbehaving and verb == b"MAIL" and on_connection >= 300:
                writer.write(b"421 4.7.0 too many messages, closing\r\n")
                await writer.drain()
                break
            if verb in (b"EHLO", b"HELO"):
                writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                in_data = True
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            elif verb == b"RCPT":
                rcpt = line[line.index(b"<") + 1:line.rindex(b">")]
                writer.write(rcpt_reply(rcpt))
            else:  # MAIL, RSET, NOOP
                writer.write(b"250 OK\r\n")
            await writer.drain()
        writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0, limit=2**24)
        port_value.value = server.sockets[0].getsockname()[1]
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def start_sink(misbehaving=False, log_path=""):
    port, count, ready = multiprocessing.Value("i", 0), multiprocessing.Value("l", 0), multiprocessing.Event()
    process = multiprocessing.Process(target=_sink_main, args=(port, count, ready, misbehaving, log_path), daemon=True)
    process.start()
    ready.wait(10)
    return process, port.value, count


# Setup --------------------------------------------------------------------------------------------


def setup_django(var_dir: str, port: int, batch: int):
    os.environ.setdefault("VAR_DIR", var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ["JOURNAL_BATCH_SIZE"] = str(batch)
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def prepare(n: int, out, idn: bool = False):
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from home.demo.load import demo_load
    from home.models import Person
    from newsletter.models import Delivery, IssuePage, Subscriber

    Delivery.objects.filter(issue__in=IssuePage.objects.all()).delete()
    Subscriber.objects.filter(person__email__startswith="bench").delete()
    Person.objects.filter(email__startswith="bench").delete()
    demo_load()
    started = time.perf_counter()
    chunk = 5000
    for start in range(0, n, chunk):
        people = [Person(email=f"bench{i}@example.com", name=f"读者{i}", language="zh-hans")
                  for i in range(start, min(n, start + chunk))]
        Person.objects.bulk_create(people)
        ids = Person.objects.filter(email__in=[p.email for p in people]).values_list("pk", flat=True)
        Subscriber.objects.bulk_create([Subscriber(person_id=pk, status="active", language="zh-hans",
                                                   source="bench") for pk in ids])
    if idn:  # one reader with an internationalised domain
        person = Person.objects.create(email="bench-idn@例子.中国", name="读者", language="zh-hans")
        Subscriber.objects.create(person=person, status="active", language="zh-hans", source="bench")
    out["setup_subscribers_s"] = round(time.perf_counter() - started, 1)


def queries_per_batch(batch: int, out):
    """Run three batches of the older demo issue here, counting queries; then drop that delivery."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsletter.models import Delivery, IssuePage, Recipient
    from newsletter.services import deliveries, sending

    issue = IssuePage.objects.live().filter(locale__language_code="zh-hans").order_by("issue_date").first()
    delivery = deliveries.delivery_start(issue=issue, segment={"languages": ["zh-hans"]})
    deliveries.delivery_build(delivery_id=delivery.pk)
    counts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            sending.delivery_send_batch(delivery_id=delivery.pk, size=batch)
        counts.append(len(ctx.captured_queries))
    Recipient.objects.filter(delivery=delivery).delete()
    Delivery.objects.filter(pk=delivery.pk).delete()
    out["queries_per_batch"] = counts


def sample_message(delivery_id):
    """One reader's message of the delivery, as sent: the size the bare loop sends."""
    from newsletter.models import Recipient
    from newsletter.services import sending, subscribers

    prepared, name, unsub, prefs = sending._prepared(delivery_id)["zh-hans"]
    row = Recipient.objects.filter(delivery_id=delivery_id).select_related("subscriber__person").first()
    return prepared.render(
        to_email=row.subscriber.person.email, name=name,
        values={"unsubscribe_url": unsub.replace("TOKEN", subscribers.unsubscribe_token(row.subscriber_id, row.rid)),
                "preferences_url": prefs.replace("TOKEN", subscribers.preferences_token(row.subscriber_id)),
                "rid": "x" * 40, "trk": row.rid},
        message_id=sending.message_id(row.rid, delivery_id),
    )


def bare_smtplib(port: int, message: bytes, n: int, count) -> float:
    """Prebuilt messages of the same size over one reused connection: messages per second."""
    messages = [message.replace(b"bench0@", f"bench{i}@".encode(), 1) for i in range(min(n, 2000))]
    before = count.value
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(n):
            smtp.sendmail("care@example.com", [f"bench{i}@example.com"], messages[i % len(messages)])
    elapsed = time.perf_counter() - started
    assert count.value - before == n
    return n / elapsed


def peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def misbehaving_figures(delivery_id: int, received_log: str, elapsed: float) -> dict:
    import collections

    from newsletter.models import Recipient
    from newsletter.transport import wire_address

    time.sleep(0.5)
    received = collections.Counter(Path(received_log).read_bytes().decode().split())
    rows = Recipient.objects.filter(delivery_id=delivery_id)
    refused = set(rows.filter(bounced_at__isnull=False).values_list("subscriber__person__email", flat=True))
    expected = {wire_address(e, smtputf8=False) for e in rows.values_list("subscriber__person__email", flat=True)
                if e not in refused}
    return {
        "misbehaving": True,
        "readers": rows.count(),
        "sent": rows.filter(state=Recipient.State.SENT).count(),
        "deferred_then_sent": rows.filter(state=Recipient.State.SENT, attempts__gte=1).count(),
        "bounced": len(refused),
        "failed": rows.filter(state=Recipient.State.FAILED).count(),
        "duplicates": sum(n - 1 for n in received.values() if n > 1),
        "lost_readers": len(expected - set(received)),
        "idn_received_as": [a for a in received if a.startswith("bench-idn@")],
        "time_to_done_s": round(elapsed, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=1, help="worker processes (1: solo pool)")
    parser.add_argument("--misbehaving", action="store_true", help="greylisting, refusals, dropped connections, IDN")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="bench-send-")
    received_log = str(Path(var_dir) / "received.log") if args.misbehaving else ""
    if args.misbehaving:
        os.environ["JOURNAL_RETRY_DELAYS"] = "3"
    sink, port, count = start_sink(args.misbehaving, received_log)
    setup_django(var_dir, port, args.batch)
    from django.conf import settings

    out = {"n": args.n, "batch": args.batch, "concurrency": args.concurrency,
           "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
           "broker": settings.CELERY_BROKER_URL.split(":", 1)[0]}
    prepare(args.n, out, idn=args.misbehaving)
    if not args.misbehaving:
        queries_per_batch(args.batch, out)

    from config.celery import app
    from newsletter.models import Delivery
    from newsletter.selectors import issue_get
    from newsletter.services import deliveries

    app.control.purge()
    pool = ["--pool=solo"] if args.concurrency == 1 else ["--pool=prefork", f"--concurrency={args.concurrency}"]
    env = {**os.environ}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat", *pool],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(Path(var_dir) / "worker.log", "wb"),
    )
    try:
        time.sleep(3)  # let the worker connect before the clock starts
        before = count.value
        started = time.perf_counter()
        delivery = deliveries.delivery_start(issue=issue_get("latest"), segment={"languages": ["zh-hans"]})
        first_at = None
        while True:
            if first_at is None and count.value > before:
                first_at = time.perf_counter()
            state = Delivery.objects.filter(pk=delivery.pk).values_list("state", flat=True).first()
            if state == Delivery.State.DONE:
                break
            if time.perf_counter() - started > 3600:
                raise SystemExit("timed out")
            time.sleep(0.05)
        finished = time.perf_counter()
        sent = count.value - before
        stats = deliveries.delivery_stats(delivery=Delivery.objects.get(pk=delivery.pk))
        rss = [peak_rss_kb(worker.pid)]
        try:
            children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
            rss += [peak_rss_kb(int(c)) for c in children]
        except OSError:
            pass
    finally:
        worker.terminate()
        worker.wait(30)
    if args.misbehaving:
        out.update(misbehaving_figures(delivery.pk, received_log, finished - started))
        sink.terminate()
        print(json.dumps(out, indent=2))
        return
    message = sample_message(delivery.pk)
    bare = bare_smtplib(port, message, min(args.n, 10_000), count)
    product = sent / (finished - started)
    out.update({
        "sent": sent, "ledger_sent": stats["sent"], "failed": stats["failed"],
        "message_bytes": len(message),
        "product_msgs_per_s": round(product, 1),
        "product_msgs_per_s_after_first_message": round(sent / (finished - first_at), 1) if first_at else None,
        "time_to_first_message_s": round(first_at - started, 2) if first_at else None,
        "bare_smtplib_msgs_per_s": round(bare, 1),
        "ratio_to_bare": round(product / bare, 3),
        "worker_peak_rss_mb": round(max(rss) / 1024, 1),
        "target_ratio": 0.6,
    })
    sink.terminate()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
