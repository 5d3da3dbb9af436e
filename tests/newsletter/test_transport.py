"""The hand-written sender's wire format: CRLF everywhere, addresses on the wire, and the embedded
file backend storing exactly the bytes that would be sent."""

import pytest

from newsletter.transport import (
    AddressUnsendable,
    DjangoBackendTransport,
    PreparedMessage,
    address_problem,
    wire_address,
)

LONG_URL = "https://journal.example.com/zh-hans/journal/unsubscribe/" + "x" * 150 + "/"


def _render(to_email="reader@example.com"):
    message = PreparedMessage(subject="第 42 期", html="<p>{{name}} <a href=\"{{unsubscribe_url}}\">退订</a></p>",
                              text="{{name}}\n{{unsubscribe_url}}\n", from_email="Journal <care@example.com>",
                              list_id="Journal <journal.example.com>", domain="example.com")
    return message.render(to_email=to_email, name="读者", message_id="abc.d1@example.com",
                          values={"unsubscribe_url": LONG_URL, "preferences_url": LONG_URL, "rid": "r", "trk": "t"})


def test_every_line_ends_in_crlf_even_soft_breaks_inside_reader_values():
    raw = _render()
    assert b"=\r\n" in raw  # the long URL is folded with soft line breaks
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_file_backend_stores_the_bytes_of_the_wire(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    raw = _render()
    transport = DjangoBackendTransport()
    transport.send("care@example.com", "reader@example.com", raw)
    transport.close()
    stored = next(tmp_path.iterdir()).read_bytes()
    assert stored.startswith(raw)
    assert f"List-Unsubscribe: <{LONG_URL}>\r\n".encode() in stored  # not re-folded into an encoded word


def test_addresses_on_the_wire():
    assert wire_address("reader@例子.中国", smtputf8=True) == "reader@例子.中国"
    assert wire_address("reader@例子.中国", smtputf8=False) == "reader@xn--fsqu00a.xn--fiqs8s"
    assert wire_address("读者@例子.中国", smtputf8=True) == "读者@例子.中国"
    with pytest.raises(AddressUnsendable):
        wire_address("读者@例子.中国", smtputf8=False)
    with pytest.raises(AddressUnsendable):
        wire_address("reader@bad_\u2603.example", smtputf8=True)
    assert b"To: =?utf-8?b?" in _render("reader@xn--fsqu00a.xn--fiqs8s")


@pytest.mark.parametrize(("address", "fine"), [
    ("reader@例子.中国", True), ("reader@bücher.example", True), ("reader@example.com", True),
    ("reader@bad_\u2603.example", False), ("reader@\u2603.example", False), ("x" * 65 + "@example.com", False), ("no-at-sign", False),
    ("re\x00ader@example.com", False), ("re\x1fader@example.com", False), ("re\x7fader@example.com", False),
    ("读者@例子.中国", True),
])
def test_address_problem(address, fine):
    assert (address_problem(address) == "") is fine
