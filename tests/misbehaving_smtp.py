"""An aiosmtpd server on loopback that behaves like real mail servers do on a bad day.

Configurable per test: greylist each recipient once with 451, refuse MAIL FROM (550 or 421), refuse
some recipients with 550, close the connection after N messages (421 then hang up), offer or
withhold SMTPUTF8, stall a message (``on_message`` hook). It counts every accepted copy per
recipient, so tests can assert "exactly once".
"""

import asyncio
import collections
import email
import email.policy
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from tests.conftest import free_port


class MisbehavingHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []  # {"from", "to", "raw"}
        self.copies = collections.Counter()
        self.greylist = set()  # addresses answered 451 once
        self.greylisted = set()
        self.refuse = set()  # addresses answered 550
        self.refuse_mail_from = None  # e.g. "550 5.7.1 sender rejected" or "421 4.7.0 try later"
        self.drop_every = 0  # after this many messages on one connection: 421 and hang up
        self.on_message = None  # called (in the server's thread) with each accepted message
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        session.journal_count = 0
        with self.lock:
            self.connections += 1
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if getattr(session, "journal_count", 0) and self.drop_every and session.journal_count >= self.drop_every:
            asyncio.get_running_loop().call_soon(server.transport.close)
            return "421 4.7.0 too many messages on this connection, closing"
        if self.refuse_mail_from:
            return self.refuse_mail_from
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if address in self.refuse:
                return "550 5.1.1 mailbox unavailable"
            if address in self.greylist and address not in self.greylisted:
                self.greylisted.add(address)
                return "451 4.7.1 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        item = {"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                "raw": envelope.original_content or envelope.content, "options": list(envelope.mail_options)}
        session.journal_count = getattr(session, "journal_count", 0) + 1
        if self.on_message:
            self.on_message(item)
        with self.lock:
            self.messages.append(item)
            for address in item["to"]:
                self.copies[address] += 1
        return "250 Message accepted"


class MisbehavingServer:
    def __init__(self, *, smtputf8: bool = True, tls_context=None, require_starttls=False):
        self.handler = MisbehavingHandler()
        self.port = free_port()
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8,
            decode_data=False, tls_context=tls_context, require_starttls=require_starttls,
            server_hostname="sink.test",
        )

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    def copies(self) -> collections.Counter:
        with self.handler.lock:
            return collections.Counter(self.handler.copies)

    def parsed(self, address):
        for item in self.messages:
            if address in item["to"]:
                # Headers may carry UTF-8 (RFC 6532, SMTPUTF8): parse the text, not the bytes.
                return email.message_from_string(item["raw"].decode("utf-8"), policy=email.policy.default)
        raise AssertionError(f"no message to {address}")


def point_django_at(settings, server, **extra):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    for key, value in extra.items():
        setattr(settings, key, value)


__all__ = ["MisbehavingServer", "point_django_at", "SMTP"]
