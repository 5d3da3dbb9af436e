"""The archive as an RSS feed, one per language: /<lang>/journal/feed/."""

from django.contrib.syndication.views import Feed
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from home.emails import absolute_url

from . import selectors


class IssueFeed(Feed):
    title = _("Care & Journal: the monthly e-journal")
    description = _("New issues of the customer e-journal.")

    def link(self):
        return f"/{get_language()}/journal/"

    def items(self):
        return selectors.issues_live(language=get_language())[:20]

    def item_title(self, item):
        return f"{item.title} (No. {item.issue_number}, {item.issue_date:%Y-%m})"

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return absolute_url(item.get_url_parts()[2]) if item.get_url_parts() else absolute_url(item.url or "/")

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_enclosure_url(self, item):
        if item.cover_image:
            return absolute_url(item.cover_image.get_rendition("width-1200").url)
        return None

    def item_enclosure_length(self, item):
        return 0

    item_enclosure_mime_type = "image/png"
