"""Rendering a journal issue as an email. Pure functions: nothing here sends, saves or enqueues.

Contract used by the sending side (newsletter.services.deliveries and .sending):

    subject, html, text = issue_email(page)

- ``page`` is an IssuePage (any Page whose ``.specific`` is one) or a wagtail ``Revision`` of one;
  the email is rendered from exactly that content, in the page's own language
  (``page.locale.language_code``). Render once per language per send and freeze the result.
- Django templates -> MJML -> mjml-python -> premailer (``home.emails.mjml_to_html``). Every link and
  image address is absolute (``settings.BASE_URL``); the HTML stays under ``EMAIL_SIZE_LIMIT`` for
  the demo issues (check with ``issue_email_problems``).
- The per-reader parts are literal tokens without spaces, in the subject, the HTML and the text;
  substitute them per reader (HTML-escape values in the HTML part; the URLs are already safe):
    ``{{name}}``             the reader's name; when unknown substitute ``reader_fallback_name(language)``
    ``{{unsubscribe_url}}``  absolute one-click unsubscribe URL (visible link in the footer)
    ``{{preferences_url}}``  absolute URL of the reader's preferences page (footer)
    ``{{rid}}``              the reader token, made with ``reader_token(key)`` (key: any stable string
                             for the subscriber, e.g. its pk or its own token). It is placed in query
                             strings (``?r={{rid}}``) of the answer and reply links; the answer view
                             accepts only tokens signed by ``reader_token``. URL-safe, no spaces.
- ``issue_email_sample(page)`` renders the same with sample values substituted (admin preview,
  ``journal_render``).
"""

import re
import time
from html import escape

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from lxml import html as lxml_html
from wagtail.models import Revision

from home.emails import absolute_url, mjml_to_html, service_settings

TOKENS = ("{{name}}", "{{unsubscribe_url}}", "{{preferences_url}}", "{{rid}}")
EMAIL_SIZE_LIMIT = 100 * 1024  # Gmail clips messages whose HTML is larger than about 102 KB.
_READER_SALT = "newsletter.reader"
_ADDRESS = re.compile(r"""\b(href|src)=(["'])(.*?)\2""", re.IGNORECASE)
_ABSOLUTE = ("https://", "http://", "mailto:", "tel:", "{{")


def reader_token(key: str) -> str:
    """The opaque ``rid`` for one subscriber: a signed value, URL-safe and without spaces."""
    return signing.Signer(salt=_READER_SALT).sign(str(key))


def reader_token_check(token: str) -> str | None:
    """The subscriber key inside a ``reader_token``, or None if the token is not one of ours."""
    try:
        return signing.Signer(salt=_READER_SALT).unsign(token or "")
    except signing.BadSignature:
        return None


def reader_fallback_name(language: str) -> str:
    with translation.override(language):
        return gettext("reader")


def reader_url(name: str, language: str, *args) -> str:
    """The absolute address of one of the journal's public pages (``newsletter:<name>``) in ``language``."""
    with translation.override(language):
        return settings.BASE_URL + reverse(f"newsletter:{name}", args=args)


def _as_issue(page):
    if isinstance(page, Revision):
        page = page.as_object()
    return page.specific  # an IssuePage is its own ``specific``


def _absolutise(html: str) -> str:
    """Make site-relative addresses ("/zh-hans/...", "/media/...") absolute."""
    return _ADDRESS.sub(
        lambda m: f"{m.group(1)}={m.group(2)}{absolute_url(m.group(3)) if m.group(3).startswith('/') and not m.group(3).startswith('//') else m.group(3)}{m.group(2)}",
        html,
    )


def issue_web_url(issue) -> str:
    if issue.pk and issue.url_path:
        parts = issue.get_url_parts()
        if parts:
            return absolute_url(parts[2])
    with translation.override(issue.locale.language_code):
        return absolute_url("/" + issue.locale.language_code + "/journal/")


def _section_links(issue, child) -> dict:
    """Addresses the interactive sections link to, carrying the reader token."""
    if not issue.pk:
        url = issue_web_url(issue)
        return {"answer_url": url + "?", "reply_url": url}
    with translation.override(issue.locale.language_code):
        answer = reverse("newsletter:answer", args=[issue.pk, child.id or "x"])
        reply = reverse("newsletter:reply", args=[issue.pk])
    return {"answer_url": absolute_url(answer) + "?r={{rid}}&", "reply_url": absolute_url(reply) + "?r={{rid}}"}


def _context(issue) -> dict:
    language = issue.locale.language_code
    cover = None
    if issue.cover_image_id and issue.cover_image:
        cover = absolute_url(issue.cover_image.get_rendition("width-1200").url)
    return {
        "issue": issue,
        "language": language,
        "base_url": settings.BASE_URL,
        "web_url": issue_web_url(issue),
        "cover_url": cover,
        "service": service_settings(),
        "tok": {token.strip("{}"): token for token in TOKENS},
    }


def issue_email_parts(issue) -> dict:
    """Render the three parts, with timings (seconds) of each stage for the benchmark."""
    issue = _as_issue(issue)
    language = issue.locale.language_code
    with translation.override(language):
        started = time.perf_counter()
        context = _context(issue)
        mjml_sections, text_sections = [], []
        for child in issue.body:
            block_context = {**context, **_section_links(issue, child), "block_id": child.id}
            mjml_sections.append(child.block.render_email(child.value, block_context))
            text_sections.append(child.block.render_text(child.value, block_context))
        context.update(sections=mjml_sections, text_sections=text_sections)
        mjml = _absolutise(render_to_string("newsletter/email/issue.mjml", context))
        text = render_to_string("newsletter/email/issue.txt", context)
        subject = " ".join(render_to_string("newsletter/email/issue_subject.txt", context).split())
        rendered = time.perf_counter()
        html = mjml_to_html(mjml)
        inlined = time.perf_counter()
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return {
        "subject": subject, "html": html, "text": text, "mjml": mjml,
        "timings": {"templates": rendered - started, "mjml_and_inline": inlined - rendered},
    }


def issue_email(page) -> tuple[str, str, str]:
    """(subject, html, text) of an issue, with the per-reader tokens left in. See the module doc."""
    parts = issue_email_parts(page)
    return parts["subject"], parts["html"], parts["text"]


def sample_values(language: str) -> dict:
    base = absolute_url(f"/{language}/journal/")
    return {
        "{{name}}": reader_fallback_name(language),
        "{{unsubscribe_url}}": base + "?preview=unsubscribe",
        "{{preferences_url}}": base + "?preview=preferences",
        "{{rid}}": "preview",
    }


def personalise(subject: str, html: str, text: str, values: dict) -> tuple[str, str, str]:
    """Substitute the tokens (values keyed by token; the name is HTML-escaped in the HTML part)."""
    html_values = {**values, "{{name}}": escape(values.get("{{name}}", ""))}
    for token in TOKENS:
        subject = subject.replace(token, values.get(token, ""))
        text = text.replace(token, values.get(token, ""))
        html = html.replace(token, html_values.get(token, ""))
    return subject, html, text


def issue_email_sample(page) -> tuple[str, str, str]:
    """The email as a reader would get it, with sample reader values (for previews)."""
    issue = _as_issue(page)
    return personalise(*issue_email(issue), sample_values(issue.locale.language_code))


def issue_email_problems(page) -> list[str]:
    """What an editor should fix before sending: size, images without alt text, relative links."""
    issue = _as_issue(page)
    parts = issue_email_parts(issue)
    problems = []  # in the editor's language, not the issue's
    size = len(parts["html"].encode())
    if size > EMAIL_SIZE_LIMIT:
        problems.append(gettext("The email is %(size)d KB; mail programs such as Gmail cut off emails "
                                "over 100 KB. Shorten the issue or use fewer sections.") % {"size": size // 1024})
    tree = lxml_html.fromstring(parts["html"])
    if any(not (img.get("alt") or "").strip() for img in tree.iter("img")):
        problems.append(gettext("An image has no alternative text. Fill in its alternative text."))
    bad = sorted({address for _attr, _q, address in _ADDRESS.findall(parts["mjml"])
                  if not address.startswith(_ABSOLUTE)})
    if bad:
        problems.append(gettext("These links are not full addresses (start them with https://): %(links)s")
                        % {"links": ", ".join(bad[:5])})
    return problems
