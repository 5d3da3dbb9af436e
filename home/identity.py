"""Normalising and validating what people type about themselves: emails and mobile numbers."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

_MOBILE_CN = re.compile(r"^1[3-9]\d{9}$")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def normalise_email(value: str) -> str:
    """Lower-case and strip an email address; raise ValidationError when it is not one."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    validate_email(value)
    return value


def normalise_mobile(value: str) -> str:
    """Return a mobile number as +<country><number>; mainland numbers may be typed without +86."""
    raw = (value or "").strip()
    if not raw:
        return ""
    digits = re.sub(r"[\s\-().]", "", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if _MOBILE_CN.match(digits):
        digits = "+86" + digits
    if digits.startswith("+86") and not _MOBILE_CN.match(digits[3:]):
        raise ValidationError(_("Enter a valid mobile number, for example 138 0013 8000."), code="invalid_mobile")
    if not _E164.match(digits):
        raise ValidationError(_("Enter a valid mobile number, for example 138 0013 8000."), code="invalid_mobile")
    return digits


def mask_mobile(value: str) -> str:
    """Show only the last four digits: ``+8613800138000`` → ``•••• 8000``."""
    if not value:
        return ""
    return "•••• " + value[-4:]


def mask_name(value: str) -> str:
    """Mask a name for public display: 张三丰 → 张*丰, Alice Smith → A*** S****."""
    value = (value or "").strip()
    if not value:
        return ""
    if all(ord(ch) > 0x2E80 for ch in value.replace(" ", "")):
        if len(value) <= 2:
            return value[0] + "*"
        return value[0] + "*" * (len(value) - 2) + value[-1]
    return " ".join(word[0] + "*" * (len(word) - 1) for word in value.split())


# Bidirectional formatting characters (they can make "gnp.exe" read as "exe.png") and other controls.
_INVISIBLE = dict.fromkeys(
    [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
     *range(0x2066, 0x206A), 0xFEFF]
) | {0x09: " ", 0x0A: " ", 0x0D: " "}


def normalise_name(value: str) -> str:
    """Strip control and bidirectional formatting characters and collapse white space."""
    return " ".join((value or "").translate(_INVISIBLE).split())


def phone_key(value: str) -> str:
    """A phone number's national digits (no +86 or 0086, no trunk 0), reversed, so that a number typed
    with or without its area code is found by a prefix match on an index:
    ``phone_key("(010) 8888-1234")`` starts with ``phone_key("88881234")``."""
    raw = (value or "").strip()
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif raw.startswith("+86"):
        digits = digits[2:]
    return digits.lstrip("0")[::-1]
