"""No public form of the journal answers 500, whatever is posted; empty-after-sanitising replies get
a form error in the reader's language."""

import itertools

import pytest

from newsletter.models import ReaderReply
from newsletter.services.subscribers import preferences_token
from tests.newsletter.delivery_helpers import make_subscribers

pytestmark = pytest.mark.django_db
_ips = (f"10.9.{a}.{b}" for a, b in itertools.product(range(256), range(1, 255)))
NASTY = [
    "", " ", "<script>alert(1)</script>", "<script></script>", "<img src=x onerror=alert(1)>", "<b></b><p> </p>",
    "<style>p{}</style>", "x" * 300, "a" * 20_000, "\u202e\u200b", "名字" * 200, "a@b", "@", "é@é.é",
    "<a href='javascript:alert(1)'>x</a>", "%00", "\r\n\r\nBcc: x@example.com", "'; DROP TABLE x; --",
    "\ud7ff", "🙂" * 50,
]
FIELDS = {
    "reply": ["name", "email", "body"],
    "subscribe": ["email", "name", "company", "language", "product_lines", "consent"],
    "preferences": ["language", "product_lines", "action"],
}


def _post(client, url, data):
    return client.post(url, data, REMOTE_ADDR=next(_ips))


def test_reply_with_nothing_left_after_sanitising_is_a_form_error(client, journal):
    url = f"/zh-hans/journal/reply/{journal['issue'].pk}/"
    for body in ["<script>alert(1)</script>", "<script></script>", "<img src=x>", "<b></b>", "<style>p{}</style>"]:
        response = _post(client, url, {"name": "读者", "email": "reader@example.com", "body": body})
        assert response.status_code == 400, body
        assert "您的留言中没有可保留的文字" in response.content.decode(), body
    assert not ReaderReply.objects.exists()
    ok = _post(client, url, {"name": "读者", "email": "reader@example.com", "body": "<script>x</script>你好"})
    assert ok.status_code == 200 and ReaderReply.objects.get().body == "<p>你好</p>"


def test_no_public_form_answers_500(client, journal):
    reader = make_subscribers(1)[0]
    urls = {
        "reply": f"/zh-hans/journal/reply/{journal['issue'].pk}/",
        "subscribe": "/zh-hans/journal/subscribe/",
        "preferences": f"/zh-hans/journal/preferences/{preferences_token(reader.pk)}/",
    }
    for form, url in urls.items():
        for value in NASTY:
            for field in FIELDS[form]:
                data = {name: "reader@example.com" if name == "email" else "on" for name in FIELDS[form]}
                data[field] = value
                response = _post(client, url, data)
                assert response.status_code < 500, (form, field, value[:40], response.status_code)
            response = _post(client, url, dict.fromkeys(FIELDS[form], value))
            assert response.status_code < 500, (form, "all", value[:40])
    for url in [f"/zh-hans/journal/answer/{journal['issue'].pk}/%00/", "/zh-hans/journal/reply/999999/",
                f"/zh-hans/journal/answer/{journal['issue'].pk}/x/?r=%ff&choice=%00"]:
        assert client.get(url).status_code < 500
        assert _post(client, url, {"choice": "\x00"}).status_code < 500
