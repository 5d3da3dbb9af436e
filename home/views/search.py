"""The public search page: every registered source (journal issues, knowledge articles, courses,
classes) searched in the visitor's language, results grouped by kind, filtered by product line and
paginated; with nothing found, suggestions (the product line's articles) and the hotline."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import get_language

from home.registry import search_sources
from home.selectors import product_lines_active

PER_PAGE = 20
MAX_QUERY = 100


def search(request):
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY]
    lines = list(product_lines_active())
    product_line = request.GET.get("product_line", "").strip()
    if product_line not in {line.slug for line in lines}:
        product_line = ""
    language = get_language()
    sources = sorted(search_sources.items(), key=lambda s: s.order)
    hits = []
    if query:
        for source in sources:
            hits.extend((source, hit) for hit in source.search(query=query, language=language,
                                                               product_line=product_line))
    page_obj = Paginator(hits, PER_PAGE).get_page(request.GET.get("page"))
    groups = []
    for source, hit in page_obj:
        if not groups or groups[-1]["source"] is not source:
            groups.append({"source": source, "hits": []})
        groups[-1]["hits"].append(hit)
    suggestions = []
    if query and not hits:
        for source in sources:
            if source.suggest:
                suggestions.extend(source.suggest(language=language, product_line=product_line))
    params = "&".join(f"{k}={v}" for k, v in (("q", query), ("product_line", product_line)) if v)
    return render(request, "home/search.html", {
        "query": query, "groups": groups, "page_obj": page_obj, "total": len(hits),
        "product_lines": lines, "selected_product_line": product_line, "suggestions": suggestions,
        "filter_query": params,
    })
