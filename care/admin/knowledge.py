"""Knowledge articles on the call screen and the customer page: search, and email one to a contact."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors
from ..services import CareError
from ..services.knowledge import article_link_send


def knowledge_context(request, *, contacts) -> dict:
    """What the knowledge box shows: the query (``article_q``), the articles found in the contacts'
    languages and the staff member's own, and the contacts an article can be emailed to."""
    query = request.GET.get("article_q", "").strip()[:100]
    languages = [person.language for person in contacts] + [get_language()]
    return {
        "article_q": query,
        "articles": selectors.knowledge_articles_found(query, languages=languages) if query else [],
        "article_recipients": [p for p in contacts if p.email and not p.do_not_contact],
    }


@require_POST
@permission_required("care.work_call", raise_exception=True)
def article_link_send_view(request, pk):
    """Email the chosen article to the chosen contact; back to the screen it was sent from."""
    customer = get_object_or_404(selectors.customers_visible_to(request.user), pk=pk)
    call = None
    if request.POST.get("call"):
        call = get_object_or_404(selectors.calls_visible_to(request.user), pk=request.POST["call"], customer=customer)
    try:
        sent = article_link_send(customer=customer, person_id=int(request.POST.get("person") or 0),
                                 article_ref=request.POST.get("article", ""), acting_user=request.user, call=call)
    except (CareError, ValueError) as exc:
        messages.error(request, str(exc) if isinstance(exc, CareError) else _("Choose one of the customer's contacts."))
    else:
        messages.success(request, _("“%(title)s” was emailed to %(email)s.") % {
            "title": sent.title, "email": sent.person.email})
    back = reverse("care_call_work", args=[call.pk]) if call else reverse("care_customers:inspect", args=[customer.pk])
    query = request.POST.get("article_q", "")
    return redirect(back + (f"?{urlencode({'article_q': query})}" if query else ""))
