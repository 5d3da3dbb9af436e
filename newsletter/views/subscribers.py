"""Public views of the subscription: subscribe, confirm, preferences and unsubscribe.

The one-click unsubscribe (RFC 8058) is a POST without cookies, so it is exempt from CSRF; a GET of
the same address only shows a page with a button and changes nothing (mail scanners follow links).
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from home.ratelimit import ratelimit

from ..forms import PreferencesForm, SubscribeForm
from ..services import NewsletterError
from ..services import subscribers as subscriber_services


@require_http_methods(["GET", "POST"])
@ratelimit("journal-subscribe", limit=10, window=3600)
def subscribe(request):
    language = request.LANGUAGE_CODE
    text = subscriber_services.consent_text(language)
    form = SubscribeForm(request.POST or None, consent_text=text, initial={"language": language})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscriber_services.subscriber_subscribe(
                email=data["email"], name=data["name"], company=data["company"], language=data["language"],
                product_lines=list(data["product_lines"]), source="subscribe form", agreed_text=text,
            )
        except NewsletterError as exc:
            form.add_error("email", str(exc))
        else:
            return redirect("newsletter:subscribe_done")
    return render(request, "newsletter/subscribe/subscribe.html", {"form": form})


@require_GET
def subscribe_done(request):
    return render(request, "newsletter/subscribe/subscribe_done.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button (link scanners must not confirm for the reader); POST confirms."""
    if request.method == "GET":
        return render(request, "newsletter/subscribe/confirm.html", {"token": token})
    try:
        subscriber = subscriber_services.subscriber_confirm(token=token)
    except NewsletterError as exc:
        return render(request, "newsletter/subscribe/message.html",
                      {"title": _("Subscription not confirmed"), "message": str(exc)}, status=400)
    links = subscriber_services.reader_links(subscriber)
    return render(request, "newsletter/subscribe/confirmed.html", {"subscriber": subscriber, **links})


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request, token):
    try:
        subscriber = subscriber_services.subscriber_from_preferences_token(token)
    except NewsletterError:
        raise Http404
    initial = {"language": subscriber.language, "product_lines": list(subscriber.product_lines.all())}
    form = PreferencesForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and request.POST.get("action") == "resubscribe":
        subscriber = subscriber_services.subscriber_resubscribe(subscriber=subscriber)
        saved = True
    elif request.method == "POST" and form.is_valid():
        subscriber = subscriber_services.subscriber_update_preferences(
            subscriber=subscriber, language=form.cleaned_data["language"],
            product_lines=list(form.cleaned_data["product_lines"]),
        )
        saved = True
    unsubscribe_url = None
    if subscriber.status == subscriber.Status.ACTIVE:
        unsubscribe_url = reverse("newsletter:unsubscribe", args=[subscriber_services.unsubscribe_token(subscriber.pk)])
    return render(request, "newsletter/subscribe/preferences.html", {
        "form": form, "subscriber": subscriber, "saved": saved, "unsubscribe_url": unsubscribe_url,
    })


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """RFC 8058 one-click: a POST (no cookies, no CSRF token) unsubscribes; a GET only asks."""
    try:
        subscriber_id, _rid = subscriber_services.unsubscribe_token_check(token)
    except NewsletterError:
        raise Http404
    if request.method == "GET":
        return render(request, "newsletter/subscribe/unsubscribe.html", {"token": token})
    try:
        subscriber = subscriber_services.subscriber_unsubscribe(token=token)
    except NewsletterError:
        raise Http404
    links = subscriber_services.reader_links(subscriber)
    return render(request, "newsletter/subscribe/unsubscribed.html", {"subscriber": subscriber, **links})
