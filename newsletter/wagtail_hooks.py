from django.contrib import messages
from django.utils.translation import gettext_lazy
from wagtail import hooks

from .viewsets import NewsletterViewSetGroup


@hooks.register("register_admin_viewset")
def register_viewsets():
    return NewsletterViewSetGroup()


@hooks.register("register_log_actions")
def register_log_actions(actions):
    # Journal issues: readers' replies
    actions.register_action(
        "newsletter.reply_status", gettext_lazy("Reply status changed"), gettext_lazy("Reader reply status changed")
    )


# Journal issues: warn the editor about problems of the email after each save -------------------


def _warn_email_problems(request, page):
    from .emails import issue_email_problems
    from .models import IssuePage

    if not issubclass(page.specific_class or type(page), IssuePage):
        return
    draft = page.specific.get_latest_revision_as_object()
    for problem in issue_email_problems(draft):
        messages.warning(request, problem)


@hooks.register("after_create_page")
def warn_email_problems_after_create(request, page):
    _warn_email_problems(request, page)


@hooks.register("after_edit_page")
def warn_email_problems_after_edit(request, page):
    _warn_email_problems(request, page)
