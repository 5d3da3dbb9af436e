"""How model field values read in the admin's inspect pages."""

from django.utils import formats, timezone
from django.utils.html import format_html
from wagtail.admin.ui.fields import BaseFieldDisplay


class LocalDateTimeDisplay(BaseFieldDisplay):
    """A moment in the site's (or the user's) time zone: Wagtail's inspect view prints the stored UTC time."""

    def render_html(self, parent_context=None):
        if self.value is None:
            return "-"
        local = timezone.localtime(self.value) if timezone.is_aware(self.value) else self.value
        return format_html('<time datetime="{}">{}</time>', local.isoformat(),
                           formats.date_format(local, "Y-m-d H:i"))
