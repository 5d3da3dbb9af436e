"""Reads of the e-journal, for this app's views and for other apps (which must not import models).

The models are reached through the ``models`` package imported whole: the journal's pages call these
selectors from ``get_context``, so this module and ``newsletter.models`` import each other.
"""

from django.conf import settings
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.models import Locale

from home.search import segment
from home.search.results import search
from home.selectors import product_lines_active

from . import models


def product_lines():
    return product_lines_active()


def issues_live(*, language: str | None = None):
    """Published issues, newest first; of one language when given."""
    issues = models.IssuePage.objects.live().select_related("cover_image", "locale")
    if language:
        issues = issues.filter(locale__language_code=language)
    return issues.order_by("-issue_date", "-issue_number", "-first_published_at")


def issues_archive(*, index, product_line: str = "", year: int | None = None):
    """The archive listing of a journal index page, filtered by product line slug and year."""
    issues = issues_live().child_of(index)
    if product_line:
        issues = issues.filter(product_line_slugs__contains=f" {product_line} ")
    if year:
        issues = issues.filter(issue_date__year=year)
    return issues


def issue_years(*, index) -> list[int]:
    return sorted({d.year for d in issues_live().child_of(index).dates("issue_date", "year")}, reverse=True)


def issue_get(ref, *, language: str | None = None) -> "models.IssuePage | None":
    """An issue by page id, slug or "latest" (the newest published one), in ``language`` if given.

    By id the issue is returned whatever its state (for rendering drafts); by slug or "latest" only
    published issues are considered. A slug or id in another language resolves to its translation.
    """
    ref = str(ref).strip()
    issue = None
    if ref == "latest":
        issue = issues_live(language=language or Locale.get_default().language_code).first()
        return issue
    if ref.isdigit():
        issue = models.IssuePage.objects.filter(pk=int(ref)).first()
    else:
        candidates = models.IssuePage.objects.live().filter(slug=ref).select_related("locale")
        issue = next((p for p in candidates if language and p.locale.language_code == language), None)
        issue = issue or candidates.first()
    if issue is not None and language and issue.locale.language_code != language:
        issue = issue.get_translation_or_none(Locale.objects.filter(language_code=language).first())
    return issue


def answer_counts(*, issue) -> dict:
    """{block_id: {choice: count, "total": n}} for one issue."""
    counts: dict = {}
    rows = (models.SectionAnswer.objects.filter(issue=issue).values("block_id", "choice")
            .annotate(n=Count("pk")).order_by())
    for row in rows:
        section = counts.setdefault(row["block_id"], {"total": 0})
        section[row["choice"]] = row["n"]
        section["total"] += row["n"]
    return counts


def _section_names(page) -> dict:
    """{block id: name} of an issue's sections: by heading (a question's heading is the question).
    Read from the stored JSON, so that no image or page chooser in the body is loaded."""
    blocks = page.body.stream_block.child_blocks
    names = {}
    for child in page.body.raw_data:
        value = child.get("value")
        heading = value.get("heading", "") if isinstance(value, dict) else ""
        block = blocks.get(child.get("type"))
        names[child.get("id")] = str(heading or (block.label if block else child.get("type")))
    return names


def section_titles(*, issue_ids, language: str) -> dict:
    """{issue id: (issue title, {block id: section name})} in ``language``. A translation keeps its
    sections' ids, so a section is named from the issue's translation in ``language`` when there is
    one, else from the issue itself. Two queries."""
    fields = ("pk", "title", "body", "translation_key")
    issues = list(models.IssuePage.objects.filter(pk__in=set(issue_ids)).only(*fields))
    translated = {page.translation_key: page for page in models.IssuePage.objects.filter(
        translation_key__in=[issue.translation_key for issue in issues], locale__language_code=language).only(*fields)}
    result = {}
    for issue in issues:
        shown = translated.get(issue.translation_key, issue)
        result[issue.pk] = (shown.title, {**_section_names(issue), **_section_names(shown)})
    return result


def answered_issues(*, language: str) -> list[tuple[int, str]]:
    """[(issue id, title in ``language``)] of the issues readers answered in, newest first."""
    ids = set(models.SectionAnswer.objects.values_list("issue_id", flat=True).distinct())
    titles = section_titles(issue_ids=ids, language=language)
    return [(pk, titles[pk][0]) for pk in sorted(titles, reverse=True)]


def answered_sections(*, language: str) -> list[tuple[str, str]]:
    """[(block id, "issue · section")] of every section readers answered, named in ``language``."""
    pairs = set(models.SectionAnswer.objects.values_list("issue_id", "block_id").distinct())
    titles = section_titles(issue_ids={issue for issue, _block in pairs}, language=language)
    choices = {}
    for issue, block in sorted(pairs):
        title, names = titles.get(issue, ("", {}))
        choices.setdefault(block, f"{title} · {names.get(block) or _('a section since removed')}")
    return sorted(choices.items(), key=lambda item: item[1])


def replies_queue(*, status: str | None = None):
    replies = models.ReaderReply.objects.select_related("issue", "person")
    return replies.filter(status=status) if status else replies


def replies_of_person(*, person_id: int):
    """A person's replies to the journal, newest first (for the care team's view of a customer)."""
    return models.ReaderReply.objects.filter(person_id=person_id).select_related("issue").order_by("-created_at")


# Knowledge base and search ------------------------------------------------------------------------

SEARCH_LIMIT = 100


def _product_line_id(slug: str):
    if not slug:
        return None
    line = next((line for line in product_lines() if line.slug == slug), None)
    return line.pk if line else 0


def knowledge_sections_live(*, language: str, product_line: str = ""):
    sections = models.KnowledgeSection.objects.filter(live=True, language=language)
    line_id = _product_line_id(product_line)
    if line_id is not None:
        sections = sections.filter(product_line_id=line_id)
    return sections.select_related("issue", "product_line")


def knowledge_pages_live(*, language: str, product_line: str = ""):
    pages = models.KnowledgeArticlePage.objects.live().filter(locale__language_code=language)
    line_id = _product_line_id(product_line)
    if line_id is not None:
        pages = pages.filter(product_line_id=line_id)
    return pages.select_related("product_line")


def knowledge_section_get(pk: int):
    """A live section article, or None."""
    return models.KnowledgeSection.objects.filter(pk=pk, live=True).select_related("issue", "product_line").first()


def knowledge_article_ref(article) -> str:
    """A reference naming a live article of either kind, for forms of other apps: "page:12", "section:3"."""
    kind = "section" if isinstance(article, models.KnowledgeSection) else "page"
    return f"{kind}:{article.pk}"


def knowledge_article_by_ref(ref: str):
    """The live article a reference names (``knowledge_article_ref``), or None."""
    kind, _sep, pk = str(ref).partition(":")
    if not pk.isdigit():
        return None
    if kind == "section":
        return knowledge_section_get(int(pk))
    if kind == "page":
        return models.KnowledgeArticlePage.objects.live().filter(pk=int(pk)).select_related("locale").first()
    return None


def knowledge_article_language(article) -> str:
    return article.language if isinstance(article, models.KnowledgeSection) else article.locale.language_code


def knowledge_article_in_language(article, language: str):
    """The live version of an article in ``language`` (a page's translation, or the same section of the
    issue's translation); the article itself when it has none."""
    if knowledge_article_language(article) == language:
        return article
    if isinstance(article, models.KnowledgeSection):
        issue = article.issue.get_translations().live().filter(locale__language_code=language).first()
        found = issue and models.KnowledgeSection.objects.filter(issue=issue, block_id=article.block_id,
                                                                 live=True).first()
    else:
        found = article.get_translations().live().filter(locale__language_code=language).first()
    return found or article


def knowledge_article_link(article) -> str:
    """The article's absolute address at BASE_URL, in its own language (for emails)."""
    if isinstance(article, models.KnowledgeSection):
        with translation.override(article.language):
            return settings.BASE_URL + article.get_url()
    _site_id, _root, path = article.get_url_parts()
    return settings.BASE_URL + path


def knowledge_by_product_line(*, language: str, product_line: str = "") -> list[dict]:
    """Every live article of a language, grouped by product line (articles without one last)."""
    groups: dict = {}
    articles = [*knowledge_pages_live(language=language, product_line=product_line).order_by("title"),
                *knowledge_sections_live(language=language, product_line=product_line)]
    for article in articles:
        groups.setdefault(article.product_line, []).append(article)
    lines = [line for line in product_lines() if line in groups]
    return [{"product_line": line, "articles": groups[line]} for line in lines] + (
        [{"product_line": None, "articles": groups[None]}] if None in groups else [])


def knowledge_search(*, query: str, language: str, product_line: str = "", limit: int = SEARCH_LIMIT,
                     operator: str = "and") -> list:
    """Live knowledge articles (standalone pages and journal sections) matching ``query``, best first."""
    pages = knowledge_pages_live(language=language, product_line=product_line)
    sections = knowledge_sections_live(language=language, product_line=product_line)
    found = [*search(pages, query, operator=operator)[:limit], *search(sections, query, operator=operator)[:limit]]
    # Two searches, two scales of score: merge with the title matches first, each search's order kept.
    terms = [t.lower() for t in segment.query_terms(query)]
    found.sort(key=lambda a: not any(t in a.title.lower() for t in terms))
    return found[:limit]


def issues_search(*, query: str, language: str, product_line: str = "", limit: int = SEARCH_LIMIT):
    issues = issues_live(language=language)
    if product_line:
        issues = issues.filter(product_line_slugs__contains=f" {product_line} ")
    return list(search(issues, query)[:limit])


def knowledge_related_issue(article):
    if isinstance(article, models.KnowledgeSection):
        return article.issue if article.issue.live else None
    issue = article.related_issue
    return issue if issue is not None and issue.live else None


def knowledge_article_context(*, article, request) -> dict:
    """What an article page shows beside the text: its journal issue, courses of its product line, and
    whether this visitor has answered "was this helpful?"."""
    from training import selectors as training

    language = article.locale.language_code if hasattr(article, "locale") else article.language
    kind = "section" if isinstance(article, models.KnowledgeSection) else "page"
    courses = (list(training.courses_live(language=language, product_line_id=article.product_line_id)[:5])
               if article.product_line_id else [])
    return {
        "article": article,
        "article_kind": kind,
        "related_issue": knowledge_related_issue(article),
        "related_courses": courses,
        "answered": f"{kind}:{article.pk}" in request.session.get("knowledge_answered", []),
    }


def knowledge_figures(*, since, until=None, limit: int = 5) -> dict:
    """For the editors' dashboard: terms searched without an article found, the most and least
    helpful articles (answers from ``since`` to ``until``), and complaint forms sent after articles
    were suggested."""
    from django.db.models import Q

    until = until or timezone.now()
    terms = list(models.KnowledgeSearchTerm.objects.filter(without_articles__gt=0, last_searched_at__gte=since,
                                                           last_searched_at__lte=until)
                 .order_by("-without_articles", "query")[:limit])
    votes = {}
    rows = (models.KnowledgeFeedback.objects.filter(created_at__gte=since, created_at__lte=until)
            .values("section_id", "section__title", "page_id", "page__title")
            .annotate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False))))
    for row in rows:
        title = row["section__title"] or row["page__title"]
        votes[(row["section_id"], row["page_id"])] = {"title": title, "yes": row["yes"], "no": row["no"]}
    ranked = sorted(votes.values(), key=lambda v: (v["yes"] - v["no"], v["yes"]), reverse=True)
    deflections = models.KnowledgeDeflection.objects.filter(created_at__gte=since, created_at__lte=until)
    return {
        "no_result_terms": terms,
        "most_helpful": ranked[:limit],
        "least_helpful": list(reversed(ranked))[:limit],
        "suggested": deflections.count(),
        "submitted_after": deflections.filter(submitted=True).count(),
    }
def subscription_of_person(*, person_id: int):
    """A person's journal subscription with its product lines, or None (for the customer's own page)."""
    return models.Subscriber.objects.prefetch_related("product_lines").filter(person_id=person_id).first()
def subscriptions_of_people(*, person_ids):
    """The journal subscriptions of these people, with their product lines (for the care customer page)."""
    return (
        models.Subscriber.objects.filter(person_id__in=list(person_ids))
        .select_related("person").prefetch_related("product_lines").order_by("person_id")
    )
