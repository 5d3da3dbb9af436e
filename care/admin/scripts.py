"""Admin screens of call scripts (snippets with drafts and revisions)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet

from ..models import CallScript
from .base import RestrictedSnippetChooserViewSet


class CallScriptViewSet(SnippetViewSet):
    model = CallScript
    icon = "list-ol"
    menu_label = _("Call scripts")
    menu_order = 150
    list_display = ["name", "purpose", "language", "live"]
    list_filter = ["purpose", "language"]
    chooser_viewset_class = RestrictedSnippetChooserViewSet
