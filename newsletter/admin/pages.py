"""Admin side of the journal's pages: after each save, warn the editor about problems of the email."""

from django.contrib import messages

from ..emails import issue_email_problems
from ..models import IssuePage


def warn_email_problems(request, page):
    if not issubclass(page.specific_class or type(page), IssuePage):
        return
    draft = page.specific.get_latest_revision_as_object()
    for problem in issue_email_problems(draft):
        messages.warning(request, problem)
