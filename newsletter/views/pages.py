"""Public views of the journal's pages (the pages render themselves; this is the home page section)."""

from .. import selectors


def latest_issue_section(request, page):
    """Home page section: the newest issue in the page's language."""
    issue = selectors.issues_live(language=page.locale.language_code).first()
    return {"template": "newsletter/home_section.html", "issue": issue}
