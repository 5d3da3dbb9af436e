from django.utils.translation import gettext_lazy as _
from wagtail.models import Page


class JournalIndexPage(Page):
    parent_page_types = ["home.HomePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("journal archive")
