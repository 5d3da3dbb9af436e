"""Template helpers of the e-journal: HTML to plain text for the text part, dictionary lookups."""

import re
from html import unescape

from django import template
from django.utils.html import strip_tags

from home.emails import absolute_url

register = template.Library()

_BLOCKS = re.compile(r"</?(p|div|h[1-6]|ul|ol|blockquote|pre)\b[^>]*>", re.IGNORECASE)


@register.filter
def plain_text(html) -> str:
    """Rich text as plain text: links as "text (address)", list items as "- ", paragraphs apart."""
    html = str(html or "")
    html = re.sub(
        r"""<a\b[^>]*href=(["'])(.*?)\1[^>]*>(.*?)</a>""",
        lambda m: f"{m.group(3)} ({absolute_url(m.group(2))})",
        html, flags=re.IGNORECASE | re.DOTALL,
    )
    html = re.sub(r"<li\b[^>]*>", "\n- ", html, flags=re.IGNORECASE)
    html = re.sub(r"<br\s*/?>", "\n", html, flags=re.IGNORECASE)
    html = _BLOCKS.sub("\n\n", html)
    text = unescape(strip_tags(html))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter(name="absolute_url")
def absolute_url_filter(path):
    return absolute_url(str(path))
