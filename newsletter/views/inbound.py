"""The inbound mail webhook: bounces, complaints and readers' replies posted by a mail provider or MTA."""

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..services.inbound import inbound_store


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
    row, created = inbound_store(raw=raw)
    return HttpResponse("stored\n" if created else "duplicate\n", status=202 if created else 200,
                        content_type="text/plain")
