"""Building blocks shared by the admin screens of care."""

from django.core.exceptions import PermissionDenied
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views import chooser as snippet_chooser


class NoAddPermissionPolicy(ModelPermissionPolicy):
    """Calls are created by the rules, never by hand; ratings and access logs only by the system."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class PermissionMenuItem(MenuItem):
    """A menu item shown only to users holding ``permission``."""

    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


# Per-team visibility ------------------------------------------------------------------------------


class VisibleObjectMixin:
    """Limit a view to the objects ``visible(user)`` returns (care staff: their teams' only)."""

    visible = None

    def get_base_queryset(self):
        return self.visible(self.request.user)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not self.visible(self.request.user).filter(pk=obj.pk).exists():
            raise PermissionDenied
        return obj


class VisibleIndexView(VisibleObjectMixin, generic.IndexView):
    pass


class VisibleEditView(VisibleObjectMixin, generic.EditView):
    pass


class VisibleInspectView(VisibleObjectMixin, generic.InspectView):
    pass


class VisibleDeleteView(VisibleObjectMixin, generic.DeleteView):
    pass


class VisibleObjectQuerysetMixin:
    """For Wagtail's history and usage views, which load their object from ``get_base_object_queryset``."""

    visible = None

    def get_base_object_queryset(self):
        return self.visible(self.request.user)


class VisibleHistoryView(VisibleObjectQuerysetMixin, history.HistoryView):
    pass


class VisibleUsageView(VisibleObjectQuerysetMixin, usage.UsageView):
    pass


class TeamScopedViewSet(ModelViewSet):
    """A ModelViewSet whose listing, edit and inspect views show only what ``visible(user)`` returns.

    Set ``visible = staticmethod(selectors.<x>_visible_to)``; view classes given by a subclass must
    mix in ``VisibleObjectMixin`` (history and usage views ``VisibleObjectQuerysetMixin``). Every view
    naming an object (edit, inspect, delete, history, usage) answers 403/404 for another team's row.
    """

    visible = None
    index_view_class = VisibleIndexView
    edit_view_class = VisibleEditView
    inspect_view_class = VisibleInspectView
    delete_view_class = VisibleDeleteView
    history_view_class = VisibleHistoryView
    usage_view_class = VisibleUsageView

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(visible=self.visible, **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(visible=self.visible, **kwargs)

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(visible=self.visible, **kwargs)

    def get_delete_view_kwargs(self, **kwargs):
        return super().get_delete_view_kwargs(visible=self.visible, **kwargs)

    def get_history_view_kwargs(self, **kwargs):
        return super().get_history_view_kwargs(visible=self.visible, **kwargs)

    def get_usage_view_kwargs(self, **kwargs):
        return super().get_usage_view_kwargs(visible=self.visible, **kwargs)


# Read-only listings --------------------------------------------------------------------------------

_LIST_ONLY = {"add_url_name": None, "edit_url_name": None, "copy_url_name": None, "delete_url_name": None,
              "inspect_url_name": None}


class ListOnlyViewSet(ModelViewSet):
    """Only the listing: nobody adds, edits or deletes these records here (``extra_urlpatterns`` adds views)."""

    copy_view_enabled = False
    form_fields = []

    def get_index_view_kwargs(self, **kwargs):
        return {**super().get_index_view_kwargs(**kwargs), **_LIST_ONLY}

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name in ("index", "index_results")] + self.extra_urlpatterns()

    def extra_urlpatterns(self):
        return []

    def object_url(self, instance):
        """Where a record of this listing is shown (usage pages link there); None: nowhere."""
        return None

    @property
    def url_finder_class(self):
        # There is no edit view to link to (a usage page failed with NoReverseMatch for "edit").
        viewset = self
        return type("_ListOnlyURLFinder", (ModelAdminURLFinder,),
                    {"construct_edit_url": lambda finder, instance: viewset.object_url(instance)})


# Snippet choosers ----------------------------------------------------------------------------------

_LISTING_ACTIONS = ["add", "change", "delete", "view"]


class ListingPermissionMixin:
    """Answer 403 to whoever may not open the model's listing (Wagtail's choosers check nothing)."""

    def dispatch(self, request, *args, **kwargs):
        if not ModelPermissionPolicy(self.model_class).user_has_any_permission(request.user, _LISTING_ACTIONS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _restricted(view_class):
    return type(view_class.__name__, (ListingPermissionMixin, view_class), {})


class RestrictedSnippetChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    """The snippet chooser, restricted like the snippet's listing (``chooser_viewset_class``)."""

    choose_view_class = _restricted(snippet_chooser.ChooseView)
    choose_results_view_class = _restricted(snippet_chooser.ChooseResultsView)
    chosen_view_class = _restricted(snippet_chooser.SnippetChosenView)
    chosen_multiple_view_class = _restricted(snippet_chooser.SnippetChosenMultipleView)
    create_view_class = _restricted(snippet_chooser.SnippetCreateView)
