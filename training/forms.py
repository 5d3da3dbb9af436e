import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from home.forms import PublicFormMixin
from home.identity import normalise_email, normalise_mobile
from home.selectors import product_lines_active

from .models import CoursePage

MAX_SEATS_PER_BOOKING = 5
SERIAL_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9\-/]{3,39}")


class CatalogFilterForm(PublicFormMixin, forms.Form):
    product_line = forms.ModelChoiceField(
        label=_("Product line"), queryset=product_lines_active(), required=False, empty_label=_("All"),
        to_field_name="slug",
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All")), *CoursePage.Level.choices])
    city = forms.ChoiceField(label=_("City"), required=False)
    month = forms.CharField(
        label=_("Month"), required=False, help_text=_("For example 2026-12"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-12"}),
    )

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [("", _("All")), *[(c, c) for c in cities]]

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            return date(year, month, 1)
        except ValueError:
            raise ValidationError(_("Enter a month as YYYY-MM."))


class AttendeeForm(PublicFormMixin, forms.Form):
    name = forms.CharField(label=_("Attendee name"), max_length=120)
    email = forms.EmailField(label=_("Attendee email"), max_length=254)
    mobile = forms.CharField(
        label=_("Attendee mobile number"), max_length=20, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean_mobile(self):
        return normalise_mobile(self.cleaned_data["mobile"])


class BaseAttendeeFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form in self.deleted_forms:
                continue
            for key in ("email", "mobile"):
                value = form.cleaned_data.get(key)
                if value and (key, value) in seen:
                    raise ValidationError(_("Each attendee needs their own email and mobile number."))
                seen.add((key, value))


AttendeeFormSet = forms.formset_factory(
    AttendeeForm, formset=BaseAttendeeFormSet, extra=MAX_SEATS_PER_BOOKING - 1, min_num=1,
    max_num=MAX_SEATS_PER_BOOKING, validate_min=True, validate_max=True,
)


class BookingForm(PublicFormMixin, forms.Form):
    company = forms.CharField(label=_("Company name"), max_length=200)
    serial_number = forms.CharField(
        label=_("Product serial or contract number"), max_length=100,
        help_text=_("Printed on the device label or on your service contract: letters, digits and dashes, for example FW-2024-0001."),
    )
    accept_terms = forms.BooleanField(
        label=_("I accept the training terms: the seat is held for three days until payment; cancellation is free until the sign-up deadline."),
    )


    def clean_serial_number(self):
        value = re.sub(r"\s+", "", self.cleaned_data["serial_number"]).upper()
        if not SERIAL_PATTERN.fullmatch(value) or not re.search(r"\d", value):
            raise ValidationError(
                _("This does not look like a serial or contract number: use 4 to 40 letters, digits and dashes, "
                  "with at least one digit, as printed on the device label or the contract."),
                code="invalid",
            )
        return value


class MoveForm(forms.Form):
    session = forms.TypedChoiceField(label=_("New date"), coerce=int)

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [
            (s.pk, f"{timezone.localtime(s.starts_at):%Y-%m-%d %H:%M} · {s.city_name}") for s in sessions
        ]


def normalise_number(raw: str) -> str:
    """Upper-case, drop spaces and dashes, and read the letters people confuse with digits."""
    value = re.sub(r"[\s\-]", "", raw or "").upper()
    if len(value) > 5:
        value = value[:5] + value[5:].replace("O", "0").replace("I", "1").replace("L", "1")
    return value


class VerifyForm(PublicFormMixin, forms.Form):
    number = forms.CharField(
        label=_("Certificate number"), max_length=40, help_text=_("For example C2026K7Q2MX9D4T, as printed on the certificate.")
    )

    def clean_number(self):
        return normalise_number(self.cleaned_data["number"])
