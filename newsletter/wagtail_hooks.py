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
    # Delivery
    for code, label, message in [
        ("newsletter.delivery_start", gettext_lazy("Send issue"), gettext_lazy("Issue sent to subscribers")),
        ("newsletter.delivery_cancel", gettext_lazy("Cancel delivery"), gettext_lazy("Scheduled delivery cancelled")),
        ("newsletter.delivery_test", gettext_lazy("Test send"), gettext_lazy("Test copy sent")),
        ("newsletter.subscriber_status", gettext_lazy("Subscription status changed"),
         gettext_lazy("Subscription status changed")),
        ("newsletter.subscriber_unsubscribe", gettext_lazy("Unsubscribe"), gettext_lazy("Subscriber unsubscribed")),
    ]:
        actions.register_action(code, label, message)


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


# Delivery: the send screen, its POST-only actions and the live progress --------------------------


@hooks.register("register_admin_urls")
def register_delivery_urls():
    from django.urls import path

    from . import admin_views

    return [
        path("journal/send/<int:page_id>/", admin_views.send_form, name="newsletter_send"),
        path("journal/send/<int:page_id>/start/", admin_views.send_start, name="newsletter_send_start"),
        path("journal/send/<int:page_id>/test/", admin_views.send_test, name="newsletter_send_test"),
        path("journal/deliveries/<int:pk>/progress/", admin_views.delivery_progress,
             name="newsletter_delivery_progress"),
        path("journal/deliveries/<int:pk>/cancel/", admin_views.delivery_cancel, name="newsletter_delivery_cancel"),
    ]


def _send_button(page, user, priority):
    from django.urls import reverse
    from wagtail.admin.widgets import Button

    from .models import IssuePage

    if page.live and issubclass(page.specific_class or type(page), IssuePage) and user.has_perm("newsletter.send_issue"):
        return Button(gettext_lazy("Send as email"), reverse("newsletter_send", args=[page.pk]), icon_name="mail",
                      priority=priority)
    return None


@hooks.register("register_page_header_buttons")
def send_issue_header_button(page, user, view_name=None, next_url=None):
    button = _send_button(page, user, 12)
    return [button] if button else []


@hooks.register("register_page_listing_more_buttons")
def send_issue_listing_button(page, user, next_url=None):
    button = _send_button(page, user, 12)
    return [button] if button else []
