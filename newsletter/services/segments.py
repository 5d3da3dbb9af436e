"""Segments of a journal send: which active subscribers get an issue (by language and product line)."""

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import Subscriber
from . import NewsletterError


def segment_normalise(segment: dict | None) -> dict:
    """{"languages": [...], "product_lines": [slug, ...]}, sorted and checked; empty lists mean all."""
    from home.models import ProductLine

    segment = segment or {}
    languages = sorted({code for code in segment.get("languages") or [] if code})
    known = {code for code, _name in settings.LANGUAGES}
    if set(languages) - known:
        raise NewsletterError(_("Unknown language: %(codes)s") % {"codes": ", ".join(sorted(set(languages) - known))})
    lines = sorted({slug for slug in segment.get("product_lines") or [] if slug})
    found = set(ProductLine.objects.filter(slug__in=lines).values_list("slug", flat=True))
    if set(lines) - found:
        raise NewsletterError(_("Unknown product line: %(slugs)s") % {"slugs": ", ".join(sorted(set(lines) - found))})
    if set(languages) == known:
        languages = []
    return {"languages": languages, "product_lines": lines}


def segment_key(segment: dict) -> str:
    parts = []
    if segment.get("languages"):
        parts.append("lang=" + ",".join(segment["languages"]))
    if segment.get("product_lines"):
        parts.append("lines=" + ",".join(segment["product_lines"]))
    return ";".join(parts) or "all"


def segment_parse(text: str) -> dict:
    """Parse the command line's ``--segment`` ("all", "lang=en", "lang=en;lines=firewall,mail")."""
    segment = {"languages": [], "product_lines": []}
    for part in (text or "all").split(";"):
        part = part.strip()
        if not part or part == "all":
            continue
        name, _sep, values = part.partition("=")
        values = [v.strip() for v in values.split(",") if v.strip()]
        if name.strip() in {"lang", "language", "languages"}:
            segment["languages"] += values
        elif name.strip() in {"lines", "line", "product_lines"}:
            segment["product_lines"] += values
        else:
            raise NewsletterError(_("Unknown segment part: %(part)s") % {"part": part})
    return segment_normalise(segment)


def segment_subscribers(segment: dict):
    """Active subscribers of a segment. No product line chosen by a subscriber means all of them."""
    subscribers = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE, person__do_not_contact=False).exclude(
        person__email=""
    )
    if segment.get("languages"):
        subscribers = subscribers.filter(language__in=segment["languages"])
    if segment.get("product_lines"):
        subscribers = subscribers.filter(
            Q(product_lines__slug__in=segment["product_lines"]) | Q(product_lines__isnull=True)
        ).distinct()
    return subscribers


