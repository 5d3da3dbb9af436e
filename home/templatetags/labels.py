"""``{% colon %}`` after a label, as each language writes it: ": " in English, "：" in Chinese.

    {% trans "Service hotline" %}{% colon %}{{ service.hotline }}
    {% trans "What we did" %}{% colon end=True %}      (the label ends its line: no space after the colon)

A built-in library (``TEMPLATES`` ``builtins``), so templates use it without ``{% load %}``.
"""

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def colon(end=False):
    mark = pgettext("after a label", ": ")
    return mark.rstrip() if end else mark
