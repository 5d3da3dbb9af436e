"""Forms of care: the public complaint form, address confirmation, staff forms for calls and complaints."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from home.forms import PublicFormMixin
from home.identity import normalise_email, normalise_mobile
from home.selectors import product_lines_active

from .models import Call, Complaint, GiftCampaign, SupportGroup


class ComplaintPublicForm(PublicFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What would you like to send us?"), choices=Complaint.Kind.choices,
                             widget=forms.RadioSelect, initial=Complaint.Kind.COMPLAINT)
    category = forms.ChoiceField(label=_("Topic"), choices=Complaint.Category.choices)
    product_line = forms.ModelChoiceField(label=_("Product line"), queryset=product_lines_active(), required=False,
                                          empty_label=_("Not about a particular product"))
    summary = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Email"), help_text=_("We send your reference number here."))
    mobile = forms.CharField(label=_("Mobile (optional)"), max_length=20, required=False,
                             widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    organisation = forms.CharField(label=_("Company (optional)"), max_length=200, required=False)
    # A field people can't see; bots fill it in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
                              label=_("Leave this empty"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    def clean_email(self):
        try:
            return normalise_email(self.cleaned_data["email"])
        except ValidationError:
            raise ValidationError(_("Enter a valid email address."))

    def clean_mobile(self):
        return normalise_mobile(self.cleaned_data.get("mobile", ""))

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(_("Leave this empty."))
        return ""


class GiftAddressForm(PublicFormMixin, forms.Form):
    name = forms.CharField(label=_("Recipient name"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=30, widget=forms.TextInput(attrs={"type": "tel"}))
    address = forms.CharField(label=_("Postal address"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    postcode = forms.CharField(label=_("Postcode"), max_length=12, required=False)


class GiftAddressStaffForm(PublicFormMixin, forms.Form):
    """Staff enter a gift's delivery address. ``services.campaigns.gift_address_enter`` validates it (every
    field's error at once, so nothing is required here)."""

    REQUIRED = ("name", "phone", "address")

    name = forms.CharField(label=_("Recipient name"), max_length=120, required=False)
    phone = forms.CharField(label=_("Mobile (mainland China)"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel"}))
    address = forms.CharField(label=_("Address"), max_length=600, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Province, city, district, street and number; at most 4 lines."))
    postcode = forms.CharField(label=_("Postcode"), max_length=12, required=False)


class ComplaintStaffForm(forms.ModelForm):
    """Care staff enter a complaint received by phone, SMS, email or IM."""

    customer_name = forms.CharField(label=_("Customer name"), max_length=120)
    email = forms.EmailField(label=_("Email"), required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    organisation_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=[("zh-hans", "简体中文"), ("en", "English")])

    class Meta:
        model = Complaint
        fields = ["kind", "channel", "category", "product_line", "severity", "summary", "description", "received_at"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("mobile"):
            raise ValidationError(_("Give the customer's email or mobile number."))
        try:
            data["mobile"] = normalise_mobile(data.get("mobile", ""))
        except ValidationError as exc:
            self.add_error("mobile", exc)
        return data


class ComplaintEditForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["kind", "category", "product_line", "severity", "summary"]


class EscalateForm(forms.Form):
    support_group = forms.ModelChoiceField(label=_("Support group"), queryset=SupportGroup.objects.filter(active=True))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("What we did or changed"), widget=forms.Textarea(attrs={"rows": 3}))
    skip_reason = forms.CharField(
        label=_("Why the checklist is not finished"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when resolving with checklist items still open."),
    )


class HandOverForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("Hand over to"), queryset=get_user_model().objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from home.roles import CARE_MANAGERS, CARE_STAFF

        self.fields["to_user"].queryset = (
            get_user_model().objects.filter(is_active=True, groups__name__in=[CARE_STAFF, CARE_MANAGERS])
            .distinct().order_by("username")
        )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class GiftCampaignForm(forms.ModelForm):
    class Meta:
        model = GiftCampaign
        fields = ["name", "period_start", "period_end", "audience", "gift_description", "gift_description_en", "budget", "letter_template"]


class CourierImportForm(forms.Form):
    file = forms.FileField(label=_("Courier CSV"),
                           help_text=_("Columns: reference, courier, tracking_number, status (shipped/delivered/returned)."))


class OutcomeForm(forms.Form):
    disposition = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "---------"), *Call.Disposition.choices]
    )
    callback_at = forms.DateTimeField(
        label=_("Call back at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    rating = forms.TypedChoiceField(
        label=_("Satisfaction (1-5)"), required=False, coerce=int, empty_value=None,
        choices=[("", "---------")] + [(str(n), str(n)) for n in range(1, 6)],
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SurveyForm(PublicFormMixin, forms.Form):
    """The one-time satisfaction survey behind an emailed link."""

    score = forms.TypedChoiceField(label=_("Your rating"), choices=[(n, str(n)) for n in range(1, 6)], coerce=int,
                                   error_messages={"required": _("Give a rating from 1 to 5."),
                                                   "invalid_choice": _("Give a rating from 1 to 5.")})
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea)
