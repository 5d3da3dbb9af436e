from html.parser import HTMLParser

import pytest

from newsletter import emails
from newsletter.models import IssuePage

pytestmark = pytest.mark.django_db


def test_issue_email_contract_tokens_and_languages(journal):
    subject, html, text = emails.issue_email(journal["issue"])
    subject_en, html_en, text_en = emails.issue_email(journal["issue_en"])
    assert subject == journal["issue"].title and subject_en == journal["issue_en"].title
    for token in emails.TOKENS:
        assert token in html, token
        assert token in text, token
    assert 'href="{{unsubscribe_url}}"' in html and 'href="{{preferences_url}}"' in html
    assert "?r={{rid}}&amp;choice=yes" in html
    assert 'lang="zh-hans"' in html or 'lang="zh-Hans"' in html
    assert "退订" in html and "Unsubscribe" in html_en
    # the preheader is the hidden preview text, and CJK text gets a font stack mail programs have
    assert journal["issue"].preheader in html
    assert "PingFang SC" in html and "Microsoft YaHei" in html
    assert html.lower().startswith("<!doctype html>")


def test_email_is_rendered_from_a_revision(journal):
    issue = journal["issue_en"]
    issue.title = "A draft title"
    revision = issue.save_revision()
    subject, html, _text = emails.issue_email(revision)
    assert subject == "A draft title" and "A draft title" in html
    assert emails.issue_email(IssuePage.objects.get(pk=issue.pk))[0] != "A draft title"


def test_personalise_escapes_the_name_in_html_only(journal):
    subject, html, text = emails.issue_email(journal["issue_en"])
    values = {"{{name}}": "Tom <b>", "{{unsubscribe_url}}": "https://x.example/u", "{{rid}}": "abc",
              "{{preferences_url}}": "https://x.example/p"}
    _s, html, text = emails.personalise(subject, html, text, values)
    assert "Dear Tom &lt;b&gt;," in html and "Dear Tom <b>," in text
    assert "{{" not in html and "{{" not in text


def test_reader_tokens_are_signed():
    token = emails.reader_token("42")
    assert " " not in token and emails.reader_token_check(token) == "42"
    assert emails.reader_token_check(token[:-1] + "x") is None
    assert emails.reader_token_check("preview") is None


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.addresses, self.images = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if name in attrs:
                self.addresses.append(attrs[name])
        if tag == "img":
            self.images.append(attrs)


def test_sample_email_has_only_absolute_addresses(journal):
    _s, html, text = emails.issue_email_sample(journal["issue"])
    parser = _Collect()
    parser.feed(html)
    assert parser.addresses and all(a.startswith(("https://", "mailto:")) for a in parser.addresses), parser.addresses
    assert parser.images and all(img.get("alt") for img in parser.images)
    assert "{{" not in html and "读者" in html
