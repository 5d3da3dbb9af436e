"""Public views of the knowledge base: a journal section as an article, "was this helpful?", the
suggestions the complaint form shows while a customer types, and the knowledge results of the
public search."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from home.ratelimit import ratelimit
from home.search.results import SearchSource, hit_for

from .. import selectors
from ..services import NewsletterError
from ..services.knowledge import (
    knowledge_deflection_record,
    knowledge_deflection_submitted,
    knowledge_feedback_record,
    knowledge_search_term_count,
)


def section(request, pk: int):
    article = selectors.knowledge_section_get(pk)
    if article is None:
        raise Http404
    context = selectors.knowledge_article_context(article=article, request=request)
    return render(request, "newsletter/knowledge/section.html", context)


@require_POST
@ratelimit("knowledge-helpful", limit=20, window=60)
def helpful(request):
    kind = request.POST.get("kind", "")
    article_id = request.POST.get("article", "")
    answer = request.POST.get("helpful", "")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    key = f"{kind}:{article_id}"
    answered = request.session.get("knowledge_answered", [])
    if not article_id.isdigit() or answer not in ("yes", "no"):
        messages.error(request, _("Choose yes or no."))
        return redirect(back)
    if key not in answered:
        try:
            knowledge_feedback_record(kind=kind, article_id=int(article_id), helpful=answer == "yes")
        except NewsletterError as exc:
            messages.error(request, str(exc))
            return redirect(back)
        request.session["knowledge_answered"] = [*answered, key][-200:]
    messages.success(request, _("Thank you for your answer."))
    return redirect(back)


def _product_line(value: str):
    """A product line by slug or by id (the complaint form's select sends ids)."""
    value = value.strip()[:60]
    return next((line for line in selectors.product_lines() if value in (line.slug, str(line.pk))), None)


@require_GET
@ratelimit("knowledge-suggest", limit=60, window=60, methods=("GET",))
def suggest(request):
    """Up to five articles for a product line and a typed subject, as JSON (for the complaint form).

    What was shown is noted once per visit (the row's id in the session) so that the knowledge
    dashboard can tell how many customers went on to submit."""
    query = " ".join(request.GET.get("q", "").split())[:200]
    line = _product_line(request.GET.get("product_line", ""))
    articles = knowledge_suggestions(query=query, product_line=line.slug if line else "", language=get_language())
    if articles:
        deflection = knowledge_deflection_record(deflection_id=request.session.get("knowledge_deflection"),
                                                 query=query, product_line=line, shown=len(articles))
        request.session["knowledge_deflection"] = deflection.pk
    return JsonResponse({"articles": [{"title": a.title, "url": a.get_url()} for a in articles]})


@require_POST
@ratelimit("knowledge-submitted", limit=20, window=60)
def suggest_submitted(request):
    """The complaint form was sent after suggestions were shown (a beacon from the form's script).

    The session is only read: the beacon runs alongside the form's own request, which writes it."""
    deflection_id = request.session.get("knowledge_deflection")
    recorded = bool(deflection_id) and knowledge_deflection_submitted(deflection_id=deflection_id)
    return JsonResponse({"recorded": recorded})


def knowledge_suggestions(*, query: str, product_line: str, language: str, limit: int = 5) -> list:
    """Articles matching any word of the query (within the product line when chosen)."""
    if not query:
        return []
    return selectors.knowledge_search(query=query, language=language, product_line=product_line,
                                      operator="or", limit=limit)[:limit]


def search_knowledge(*, query, language, product_line=""):
    articles = selectors.knowledge_search(query=query, language=language, product_line=product_line)
    knowledge_search_term_count(query=query, language=language, found=len(articles))
    return [hit_for(a, query, url=a.get_url(), meta=a.product_line.name if a.product_line else "") for a in articles]


def suggest_knowledge(*, language, product_line=""):
    groups = selectors.knowledge_by_product_line(language=language, product_line=product_line)
    articles = [a for group in groups for a in group["articles"]][:5]
    return [hit_for(a, "", url=a.get_url(), meta=a.product_line.name if a.product_line else "") for a in articles]


def search_issues(*, query, language, product_line=""):
    issues = selectors.issues_search(query=query, language=language, product_line=product_line)
    return [hit_for(i, query, url=i.url, meta=str(i.issue_date.strftime("%Y-%m"))) for i in issues]


SOURCES = [
    SearchSource(key="knowledge", label=gettext_lazy("Knowledge articles"), order=10, search=search_knowledge,
                 suggest=suggest_knowledge),
    SearchSource(key="issues", label=gettext_lazy("Journal issues"), order=20, search=search_issues),
]
