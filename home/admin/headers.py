"""The header of an admin page of our own (a function view in Wagtail's frame)."""

from django.urls import reverse
from django.utils.translation import gettext as _


def page_header(title, *trail, subtitle: str = "", crumb: str = "", icon: str = "") -> dict:
    """Template context: ``title`` (and ``subtitle``) as the page's <title> and heading, and breadcrumbs
    from the dashboard through ``trail`` ((label, url), ...) to the page, labelled ``crumb`` (default: the
    title), as Wagtail's own views have them."""
    items = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
    items += [{"url": url, "label": label} for label, url in trail]
    items.append({"url": "", "label": crumb or title})
    return {"page_title": title, "page_subtitle": subtitle, "header_title": f"{title}: {subtitle}" if subtitle else title,
            "header_icon": icon, "breadcrumbs_items": items}
