"""``{% colon %}`` after a label, as each language writes it: ": " in English, "：" in Chinese.

    {% trans "Service hotline" %}{% colon %}{{ service.hotline }}

A built-in library (``TEMPLATES`` ``builtins``), so templates use it without ``{% load %}``.
"""

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def colon():
    return pgettext("after a label", ": ")
