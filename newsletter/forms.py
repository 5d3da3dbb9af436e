"""Forms of the subscription pages, the reply form and the admin's send screen."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from home.forms import PublicFormMixin
from home.models import Language, ProductLine

from .transport import address_problem


def _product_line_field(required=False):
    return forms.ModelMultipleChoiceField(
        label=_("Product lines you are interested in"),
        queryset=ProductLine.objects.filter(active=True),
        required=required,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to hear about every product line."),
    )


class SubscribeForm(PublicFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language of the journal"), choices=Language.choices)
    product_lines = _product_line_field()
    consent = forms.BooleanField(label=_("I agree"), required=True)

    def __init__(self, *args, consent_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].help_text = consent_text
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["company"].widget.attrs["autocomplete"] = "organization"

    def clean_email(self):
        email = self.cleaned_data["email"]
        if problem := address_problem(email):
            raise forms.ValidationError(_("This address cannot receive email: %(reason)s") % {"reason": problem})
        return email


class PreferencesForm(PublicFormMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language of the journal"), choices=Language.choices)
    product_lines = _product_line_field()


class ReplyForm(PublicFormMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    email = forms.EmailField(label=_("Your email"), help_text=_("So that we can answer you."))
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 6}),
                           max_length=10_000)


class SendForm(forms.Form):
    """The admin's send screen: a segment and, optionally, a time."""

    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=settings.LANGUAGES, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every language."),
    )
    product_lines = forms.ModelMultipleChoiceField(
        label=_("Product lines"), queryset=ProductLine.objects.all(), required=False, to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every subscriber. Subscribers who chose no product line get every issue."),
    )
    scheduled_at = forms.DateTimeField(
        label=_("Send at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty to send now."),
    )

    def segment(self) -> dict:
        return {
            "languages": self.cleaned_data.get("languages") or [],
            "product_lines": [line.slug for line in self.cleaned_data.get("product_lines") or []],
        }
