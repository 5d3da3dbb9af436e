import io
from html.parser import HTMLParser

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


class Checker(HTMLParser):
    """Collects addresses and images and checks that tags are balanced (a strict-enough parse)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.addresses, self.images, self.stack, self.errors = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.addresses += [attrs[n] for n in ("href", "src") if n in attrs]
        if tag == "img":
            self.images.append(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()


def render(*args):
    out = io.StringIO()
    call_command("journal_render", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_journal_render_latest_demo_issue(journal, lang):
    html = render("latest", "--lang", lang)
    assert len(html.encode()) < 100 * 1024
    checker = Checker()
    checker.feed(html)
    checker.close()
    assert not checker.errors and checker.stack == [], checker.errors[:5]
    assert html.lower().startswith("<!doctype html>")
    assert checker.addresses
    bad = [a for a in checker.addresses if not a.startswith(("https://", "http://", "mailto:"))]
    assert not bad
    assert checker.images and all((img.get("alt") or "").strip() for img in checker.images)

    text = render("latest", "--lang", lang, "--text")
    issue = journal["issue"] if lang == "zh-hans" else journal["issue_en"]
    assert text.strip() and "<" not in text.replace("<b>", "")
    headings = [child.value["heading"] for child in issue.body]
    assert len(headings) == 9
    for heading in headings:
        assert heading in text
    assert issue.title in text


def test_journal_render_by_id_and_slug(journal):
    issue = journal["issue_en"]
    assert issue.title in render(str(issue.pk))
    assert journal["issue"].title in render(journal["issue"].slug, "--lang", "zh-hans")
    assert issue.title in render(journal["issue"].slug, "--lang", "en", "--text")
    assert render("latest", "--lang", "en", "--subject").strip() == issue.title
    assert "{{rid}}" in render("latest", "--tokens")
    with pytest.raises(CommandError):
        render("no-such-issue")
