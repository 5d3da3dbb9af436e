"""Product lines, a snippet under Settings."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet

from home.models import ProductLine


class ProductLineViewSet(SnippetViewSet):
    model = ProductLine
    icon = "tag"
    menu_label = _("Product lines")
    add_to_settings_menu = True
    list_display = ["name_zh_hans", "name_en", "slug", "active"]


product_line_viewset = ProductLineViewSet()
