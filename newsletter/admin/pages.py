"""Admin side of the journal's pages: after each save, warn the editor about problems of the email;
tell explicit saves from the editor's autosave, and clear abandoned autosaved drafts that hold a slug."""

from django.contrib import messages

from ..emails import issue_email_problems
from ..models import IssuePage
from ..services import issues


def _is_issue(page_or_class):
    cls = page_or_class if isinstance(page_or_class, type) else (page_or_class.specific_class or type(page_or_class))
    return issubclass(cls, IssuePage)


def _is_autosave(request):
    return not request.accepts("text/html")


def clear_abandoned_drafts(request, parent_page, page_class):
    """Before a new issue is saved: remove the editor's own abandoned autosaved draft with its slug."""
    if request.method == "POST" and _is_issue(page_class) and request.POST.get("slug"):
        issues.issue_drafts_abandoned_delete(parent=parent_page, slug=request.POST["slug"], acting_user=request.user)


def mark_created(request, page):
    if _is_issue(page):
        issues.issue_mark_saved(page=page, acting_user=request.user, autosave=_is_autosave(request))


def mark_saved(request, page):
    if _is_issue(page) and not _is_autosave(request):
        issues.issue_mark_saved(page=page, acting_user=request.user, autosave=False)


def warn_email_problems(request, page):
    if not _is_issue(page) or _is_autosave(request):
        return
    draft = page.specific.get_latest_revision_as_object()
    for problem in issue_email_problems(draft):
        messages.warning(request, problem)
