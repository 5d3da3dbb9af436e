"""Registration of the e-journal in the Wagtail admin: one menu group, permission policies, log
actions, admin URLs, page hooks and buttons. The screens themselves live in ``newsletter.admin``."""

from django.urls import path
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permissions import register_permission_policy

from .admin import deliveries, engagement, inbound, issues, pages, subscribers
from .admin.policies import ReadOnlyActions
from .models import Bounce, Delivery, InboundEmail, Subscriber

register_permission_policy(Subscriber, ReadOnlyActions(Subscriber, ["add"]))
register_permission_policy(Delivery, ReadOnlyActions(Delivery, ["add", "change", "delete"]))
register_permission_policy(Bounce, ReadOnlyActions(Bounce, ["add", "change", "delete"]))
register_permission_policy(InboundEmail, ReadOnlyActions(InboundEmail, ["add", "change", "delete"]))


class NewsletterViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("E-journal")
    menu_icon = "mail"
    menu_order = 300
    items = [issues.issue_listing_viewset, engagement.reader_reply_viewset, engagement.section_answer_viewset,
             subscribers.subscriber_viewset, deliveries.delivery_viewset, subscribers.bounce_viewset,
             inbound.inbound_viewset]


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
        ("newsletter.issue_saved", gettext_lazy("Save issue"), gettext_lazy("Issue saved by the editor")),
        ("newsletter.issue_autosaved", gettext_lazy("Autosave"), gettext_lazy("Issue created by the autosave")),
    ]:
        actions.register_action(code, label, message)


# Journal issues: warn the editor about problems of the email after each save -------------------


@hooks.register("before_create_page")
def clear_abandoned_issue_drafts(request, parent_page, page_class):
    pages.clear_abandoned_drafts(request, parent_page, page_class)


@hooks.register("after_create_page")
def warn_email_problems_after_create(request, page):
    pages.mark_created(request, page)
    pages.warn_email_problems(request, page)


@hooks.register("after_edit_page")
def warn_email_problems_after_edit(request, page):
    pages.mark_saved(request, page)
    pages.warn_email_problems(request, page)


# Delivery: the send screen, its POST-only actions and the live progress --------------------------


@hooks.register("register_admin_urls")
def register_delivery_urls():
    return [
        path("journal/send/<int:page_id>/", deliveries.send_form, name="newsletter_send"),
        path("journal/send/<int:page_id>/start/", deliveries.send_start, name="newsletter_send_start"),
        path("journal/send/<int:page_id>/test/", deliveries.send_test, name="newsletter_send_test"),
        path("journal/deliveries/<int:pk>/progress/", deliveries.delivery_progress,
             name="newsletter_delivery_progress"),
        path("journal/deliveries/<int:pk>/cancel/", deliveries.delivery_cancel, name="newsletter_delivery_cancel"),
    ]


@hooks.register("register_page_header_buttons")
def send_issue_header_button(page, user, view_name=None, next_url=None):
    button = deliveries.send_button(page, user, 12)
    return [button] if button else []


@hooks.register("register_page_listing_more_buttons")
def send_issue_listing_button(page, user, next_url=None):
    button = deliveries.send_button(page, user, 12)
    return [button] if button else []
