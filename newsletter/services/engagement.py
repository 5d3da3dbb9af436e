"""Writes of readers' engagement: answers to interactive sections, replies to the editors, opens and
clicks of a delivered issue."""

import hashlib
import re
from html import unescape

import bleach
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.identity import normalise_email
from home.services.people import person_match_or_create

from ..models import DeliveryLink, IssuePage, ReaderReply, Recipient, SectionAnswer
from . import NewsletterError

ALLOWED_TAGS = ["p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre"]
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]
REPLY_MAX_CHARS = 10_000


def reader_key(raw: str) -> str:
    """What is stored for a reader token or session: a hash, never the token itself."""
    return hashlib.sha256(f"newsletter-reader:{raw}".encode()).hexdigest()


def interactive_section(issue: IssuePage, block_id: str):
    """The issue's section ``block_id`` if readers can answer it (a "was this helpful?" or a poll), else None."""
    for child in issue.body:
        if child.id == block_id and getattr(child.block, "interactive", False):
            return child
    return None


def answer_choices(child) -> list[str]:
    if child.block_type == "helpful":
        return ["yes", "no"]
    return [str(i) for i in range(len(child.value["options"]))]


@transaction.atomic
def answer_record(*, issue_id: int, block_id: str, choice: str, reader: str, source: str = "web") -> SectionAnswer:
    """Record one reader's answer to a section; answering again replaces the earlier answer.

    ``reader`` is the reader token (email) or session key (web); it is stored hashed.
    """
    issue = IssuePage.objects.live().filter(pk=issue_id).first()
    if issue is None:
        raise NewsletterError(_("This issue is not published."))
    child = interactive_section(issue, block_id)
    if child is None:
        raise NewsletterError(_("This question is no longer in the issue."))
    if choice not in answer_choices(child):
        raise NewsletterError(_("Choose one of the answers."))
    if not reader:
        raise NewsletterError(_("We could not tell who answered. Please try again."))
    key = reader_key(reader)
    answer = SectionAnswer.objects.select_for_update().filter(issue=issue, block_id=block_id, reader_key=key).first()
    if answer is None:
        answer = SectionAnswer(issue=issue, block_id=block_id, reader_key=key, source=source)
    answer.choice = choice
    answer.full_clean(exclude=["reader_key"])
    try:
        with transaction.atomic():
            answer.save()
    except IntegrityError:  # the same reader answered at the same moment
        answer = SectionAnswer.objects.get(issue=issue, block_id=block_id, reader_key=key)
        answer.choice = choice
        answer.save(update_fields=["choice", "updated_at"])
    return answer


_RAW_TEXT_ELEMENTS = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)


def reply_clean(body: str) -> str:
    """Sanitise a reader's message: a small allow-list, safe links, plain text becomes paragraphs."""
    # A script or style element goes with its content (bleach would keep that content as text).
    body = _RAW_TEXT_ELEMENTS.sub("", (body or "")).strip()
    if not re.search(r"<[a-zA-Z/!]", body):
        paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
        body = "".join("<p>" + bleach.clean(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    cleaned = bleach.clean(body, tags=ALLOWED_TAGS, attributes={"a": ["href"]}, protocols=ALLOWED_PROTOCOLS,
                           strip=True, strip_comments=True)
    return bleach.linkify(cleaned, callbacks=[_link_rel], skip_tags=["pre", "code"], parse_email=False)


def _link_rel(attrs, new=False):
    attrs[(None, "rel")] = "nofollow ugc noopener"
    return attrs


@transaction.atomic
def reply_create(*, issue_id: int | None, body: str, email: str, name: str = "", source: str = "web") -> ReaderReply:
    """Store a reader's reply to an issue for the care team's queue, linked to the person by email."""
    text = (body or "").strip()
    if not text:
        raise NewsletterError(_("Write a message."))
    if len(text) > REPLY_MAX_CHARS:
        raise NewsletterError(_("Your message is too long (at most 10,000 characters)."))
    try:
        email = normalise_email(email)
    except ValidationError:
        raise NewsletterError(_("Enter a valid email address."))
    if not email:
        raise NewsletterError(_("Enter a valid email address."))
    cleaned = reply_clean(text)
    if not unescape(re.sub(r"<[^>]*>", "", cleaned)).strip():
        # Nothing but markup we do not keep (a <script> element, an image, empty tags).
        raise NewsletterError(_("Your message has no text we can keep: write it as plain text."))
    issue = IssuePage.objects.filter(pk=issue_id).first() if issue_id else None
    name = " ".join((name or "").split())[:120]
    person = person_match_or_create(email=email, name=name, update=False)
    reply = ReaderReply(
        issue=issue, person=person, email=email, name=name, body=cleaned,
        source=source if source in ReaderReply.Source.values else ReaderReply.Source.WEB,
    )
    try:
        reply.full_clean()
    except ValidationError as exc:
        raise NewsletterError(" ".join(exc.messages)) from exc
    reply.save()
    return reply


@transaction.atomic
def reply_set_status(*, reply_id: int, status: str, acting_user, note: str | None = None) -> ReaderReply:
    """The care team moves a reply through its queue (new, in progress, answered, closed)."""
    if status not in ReaderReply.Status.values:
        raise NewsletterError(_("Unknown status."))
    reply = ReaderReply.objects.select_for_update().get(pk=reply_id)
    reply.status = status
    reply.handled_by = acting_user
    if note is not None:
        reply.note = note
    reply.full_clean()
    reply.save()
    log(instance=reply, action="newsletter.reply_status", user=acting_user, data={"status": status})
    return reply


# Opens and clicks ---------------------------------------------------------------------------------


def recipient_open(*, trk: str) -> bool:
    """Count the first open of a reader's copy (the pixel). Nothing about the reader is stored."""
    return bool(Recipient.objects.filter(rid=trk, opened_at__isnull=True).update(opened_at=timezone.now()))


def link_click(*, trk: str, link_id: int) -> str | None:
    """Count a click and return the registered address, or None when the link is not one of the delivery's."""
    recipient = Recipient.objects.filter(rid=trk).values_list("pk", "delivery_id").first()
    link = DeliveryLink.objects.filter(pk=link_id).values_list("delivery_id", "url").first()
    if link is None or (recipient is not None and recipient[1] != link[0]):
        return None
    DeliveryLink.objects.filter(pk=link_id).update(clicks=F("clicks") + 1)
    if recipient is not None:
        Recipient.objects.filter(pk=recipient[0], clicked_at__isnull=True).update(clicked_at=timezone.now())
        Recipient.objects.filter(pk=recipient[0], opened_at__isnull=True).update(opened_at=timezone.now())
    return link[1]
