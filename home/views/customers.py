"""Customers' sign-in (a one-time link or code) and their "My page", whose sections the feature
apps provide through ``home.registry.my_page_sections``."""

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from home.customers import customer_current, customer_login, customer_logout
from home.exceptions import HomeError
from home.models import RightsRequest
from home.ratelimit import ratelimit
from home.registry import my_page_sections
from home.services import customers as signin

PENDING_KEY = "customer_signin_pending"
FAILURES_KEY = "customer_signin_failures"


class SigninForm(forms.Form):
    address = forms.CharField(
        label=gettext_lazy("Email address or mobile number"), max_length=254,
        help_text=gettext_lazy("The one you gave us when you booked, subscribed or wrote to us."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "aria-describedby": "id_address_helptext"}),
    )

    def clean_address(self):
        value = self.cleaned_data["address"]
        error = signin.address_valid(value)
        if error:
            raise forms.ValidationError(error)
        return value


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Sign-in code"), max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


def _private(response):
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@ratelimit("customer-signin-ip", limit=20, window=3600)
def signin_request(request):
    if customer_current(request):
        return redirect("home:my_page")
    form = SigninForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent = signin.customer_signin_request(address=form.cleaned_data["address"], language=_language())
        # the same answer whether or not we know the address
        request.session[PENDING_KEY] = sent.pk if sent else 0
        request.session[FAILURES_KEY] = 0
        return redirect("home:customer_signin_code")
    return _private(render(request, "home/customers/signin.html", {"form": form}))


@never_cache
@ratelimit("customer-signin-code", limit=30, window=3600)
def signin_code(request):
    if PENDING_KEY not in request.session:
        return redirect("home:customer_signin")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if not request.session[PENDING_KEY]:
                request.session[FAILURES_KEY] = request.session.get(FAILURES_KEY, 0) + 1
                signin.customer_signin_refuse_code(failures=request.session[FAILURES_KEY])
            person = signin.customer_signin_redeem_code(signin_id=request.session[PENDING_KEY],
                                                        code=form.cleaned_data["code"])
        except HomeError as exc:
            form.add_error("code", str(exc))
        else:
            request.session.pop(PENDING_KEY, None)
            customer_login(request, person)
            return redirect("home:my_page")
    return _private(render(request, "home/customers/code.html", {"form": form}))


@never_cache
def signin_link(request, token: str):
    """GET shows a button (mail scanners follow links and must not use them up); POST signs in."""
    if request.method == "POST":
        try:
            person = signin.customer_signin_redeem_link(token=token)
        except HomeError as exc:
            return _private(render(request, "home/customers/link.html", {"error": str(exc)}, status=400))
        customer_login(request, person)
        return redirect("home:my_page")
    return _private(render(request, "home/customers/link.html", {}))


@require_POST
def signout(request):
    customer_logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("home:customer_signin")


@never_cache
def my_page(request):
    person = customer_current(request)
    if person is None:
        return redirect("home:customer_signin")
    sections = [section for section in (build(request, person) for build in my_page_sections.items()) if section]
    sections.sort(key=lambda section: section.get("order", 50))
    return _private(render(request, "home/customers/my_page.html", {"person": person, "sections": sections}))


def rights_section(request, person) -> dict:
    """My page's personal data requests (home's own section)."""
    query = Q(pk__in=[])
    if person.email:
        query |= Q(email=person.email)
    if person.mobile:
        query |= Q(mobile=person.mobile)
    requests = RightsRequest.objects.filter(query).exclude(state=RightsRequest.State.UNCONFIRMED)[:20]
    return {"template": "home/customers/rights_section.html", "order": 90, "rights_requests": requests}

