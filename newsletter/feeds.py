"""The archive as an RSS feed, one per language: /<lang>/journal/feed/. Every address is at BASE_URL."""

import mimetypes

from django.contrib.syndication.views import Feed
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from home.emails import absolute_url

from . import selectors


class IssueFeed(Feed):
    title = _("Care & Journal: the monthly e-journal")
    description = _("New issues of the customer e-journal.")

    def link(self):
        return absolute_url(f"/{get_language()}/journal/")

    def feed_url(self):
        return absolute_url(f"/{get_language()}/journal/feed/")

    def items(self):
        return selectors.issues_live(language=get_language())[:20]

    def item_title(self, item):
        return gettext("%(title)s (No. %(number)s, %(month)s)") % {
            "title": item.title, "number": item.issue_number, "month": date_format(item.issue_date, "YEAR_MONTH_FORMAT"),
        }

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return absolute_url(item.get_url_parts()[2]) if item.get_url_parts() else absolute_url(item.url or "/")

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def _cover(self, item):
        return item.cover_image.get_rendition("width-1200") if item.cover_image else None

    def item_enclosure_url(self, item):
        cover = self._cover(item)
        return absolute_url(cover.url) if cover else None

    def item_enclosure_length(self, item):
        cover = self._cover(item)
        return cover.file.size if cover else None

    def item_enclosure_mime_type(self, item):
        cover = self._cover(item)
        return (mimetypes.guess_type(cover.file.name)[0] or "application/octet-stream") if cover else None
