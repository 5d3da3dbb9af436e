"""Shared form pieces for public input: every value a visitor sends is checked for control characters."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

# Tab, line feed and carriage return are ordinary in multi-line text; every other control character
# (NUL above all, which PostgreSQL cannot store in text) and bidirectional overrides are refused.
_ALLOWED = {"\t", "\n", "\r"}
_BIDI = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}


def has_control_characters(value: str) -> bool:
    return any((unicodedata.category(ch) == "Cc" and ch not in _ALLOWED) or ch in _BIDI for ch in value)


class PublicFormMixin:
    """Refuse control characters in any submitted value with a clear error on the field, before the
    fields clean (so no value with a NUL reaches a service or the database)."""

    control_character_error = _("Remove the invisible control characters from this field.")

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name in self.fields:
            key = self.add_prefix(name)
            values = self.data.getlist(key) if hasattr(self.data, "getlist") else [self.data.get(key)]
            if any(isinstance(v, str) and has_control_characters(v) for v in values):
                # Replaces any other error of the field (Django's own "Null characters are not allowed").
                self._errors.pop(name, None)
                self.add_error(name, forms.ValidationError(self.control_character_error, code="control_characters"))
