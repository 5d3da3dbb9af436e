"""Public views of the subscription: subscribe, confirm, preferences, unsubscribe, the open pixel,
the click counter, and the inbound mail webhook.

The one-click unsubscribe (RFC 8058) is a POST without cookies, so it is exempt from CSRF; a GET of
the same address only shows a page with a button and changes nothing (mail scanners follow links).
"""

import base64
import hmac

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from home.ratelimit import ratelimit

from .forms import PreferencesForm, SubscribeForm
from .services import NewsletterError
from .services import delivery as delivery_services
from .services import inbound as inbound_services
from .services import subscribers as subscriber_services

_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


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
        from django.urls import reverse

        unsubscribe_url = reverse("newsletter:unsubscribe", args=[delivery_services.unsubscribe_token(subscriber.pk)])
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


@require_GET
def open_pixel(request, trk):
    delivery_services.recipient_open(trk=trk)
    response = HttpResponse(_PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
def click(request, trk, link_id):
    """Redirect to a link registered when the delivery was built; any other id is a 404 (no open redirect)."""
    url = delivery_services.link_click(trk=trk, link_id=link_id)
    if url is None:
        raise Http404
    return HttpResponseRedirect(url)


@csrf_exempt
@require_POST
def inbound_webhook(request):
    """A mail provider or MTA posts each message for the bounce / reply address here, raw (RFC 822).

    Authenticated with ``JOURNAL_INBOUND_SECRET`` in the ``X-Journal-Secret`` header (or a Bearer
    token); without the setting the endpoint does not exist.
    """
    secret = getattr(settings, "JOURNAL_INBOUND_SECRET", "")
    if not secret:
        raise Http404
    given = request.headers.get("X-Journal-Secret", "")
    auth = request.headers.get("Authorization", "")
    if not given and auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return HttpResponse(status=403)
    raw = request.body
    if not raw or len(raw) > 10_000_000:
        return HttpResponse(status=400)
    row, created = inbound_services.inbound_store(raw=raw)
    return HttpResponse("stored\n" if created else "duplicate\n", status=202 if created else 200,
                        content_type="text/plain")
