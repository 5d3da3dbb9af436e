"""Public pages of personal data rights: ask for your data (confirmed by email), download it through a
signed expiring link, and withdraw consents from a link in any email."""

from django import forms
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from home.exceptions import HomeError
from home.forms import PublicFormMixin
from home.models import Consent, RightsRequest
from home.ratelimit import ratelimit
from home.services import rights
from home.services.consent import consent_person_from_link, consent_status


def _public_form(scope: str, *, limit: int):
    """A public page with a form: never cached, GET or POST only, at most ``limit`` requests an hour from
    one address."""

    def decorate(view):
        return never_cache(require_http_methods(["GET", "POST"])(ratelimit(scope, limit=limit, window=3600)(view)))

    return decorate


class RightsRequestForm(PublicFormMixin, forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your email address"), max_length=254,
                             help_text=gettext_lazy("We send a link to this address to confirm it is yours."))
    kind = forms.ChoiceField(label=gettext_lazy("What would you like us to do?"), choices=RightsRequest.Kind.choices,
                             widget=forms.RadioSelect, initial=RightsRequest.Kind.ACCESS)
    details = forms.CharField(label=gettext_lazy("Details (optional)"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=gettext_lazy("For a correction, tell us what is wrong and what is right."))


@_public_form("privacy-request", limit=5)
def privacy_request(request):
    form = RightsRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rights.rights_request_submit(email=form.cleaned_data["email"], kind=form.cleaned_data["kind"],
                                         details=form.cleaned_data["details"], language=get_language())
        except HomeError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("home:privacy_request_sent")
    return render(request, "home/privacy/request_form.html", {"form": form})


def privacy_request_sent(request):
    return render(request, "home/privacy/request_sent.html")


@_public_form("privacy-confirm", limit=20)
def privacy_confirm(request, token):
    """GET shows a button (mail scanners follow links); POST confirms."""
    rights_request = rights.rights_request_for_token(token)
    if rights_request is None:
        raise Http404
    context = {"rights_request": rights_request}
    if request.method == "POST":
        try:
            rights_request = rights.rights_request_confirm(token=token)
        except HomeError as exc:
            context["error"] = str(exc)
            return render(request, "home/privacy/confirm.html", context, status=400)
        context.update(rights_request=rights_request, confirmed=True)
    return render(request, "home/privacy/confirm.html", context)


@never_cache
@ratelimit("privacy-download", limit=30, window=3600, methods=("GET",))
def privacy_download(request, signed):
    rights_request = rights.archive_from_link(signed)
    if rights_request is None:
        return render(request, "home/privacy/download_expired.html", status=410)
    response = FileResponse(rights_request.archive.open("rb"), as_attachment=True,
                            filename=f"personal-data-{rights_request.created_at:%Y%m%d}.zip",
                            content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response


@_public_form("consent-manage", limit=30)
def consent_manage(request, signed):
    person = consent_person_from_link(signed)
    if person is None:
        raise Http404
    if request.method == "POST":
        purpose = request.POST.get("purpose", "")
        if purpose not in Consent.Purpose.values:
            raise Http404
        rights.consent_withdraw(person=person, purpose=purpose, source="consent page")
        return render(request, "home/privacy/consent.html", {
            "rows": consent_status(person=person), "withdrawn": dict(Consent.Purpose.choices)[purpose],
        })
    return render(request, "home/privacy/consent.html", {"rows": consent_status(person=person)})
