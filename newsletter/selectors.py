"""Reads of the e-journal, for this app's views and for other apps (which must not import models).

The models are reached through the ``models`` package imported whole: the journal's pages call these
selectors from ``get_context``, so this module and ``newsletter.models`` import each other.
"""

from django.db.models import Count
from wagtail.models import Locale

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


def replies_queue(*, status: str | None = None):
    replies = models.ReaderReply.objects.select_related("issue", "person")
    return replies.filter(status=status) if status else replies


def replies_of_person(*, person_id: int):
    """A person's replies to the journal, newest first (for the care team's view of a customer)."""
    return models.ReaderReply.objects.filter(person_id=person_id).select_related("issue").order_by("-created_at")


def subscriptions_of_people(*, person_ids):
    """The journal subscriptions of these people, with their product lines (for the care customer page)."""
    return (
        models.Subscriber.objects.filter(person_id__in=list(person_ids))
        .select_related("person").prefetch_related("product_lines").order_by("person_id")
    )
