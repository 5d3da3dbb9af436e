"""Listing filters labelled in the user's language.

django-filter names a lookup itself ("Received is greater than or equal to") from its own catalogue,
which has no Simplified Chinese, so the filter and its active-filter chip came out half in English.
``FilterSet`` labels the lookups our listings use from the project's catalogue instead
("Received from", "Received before"), at render time in the user's language.
"""

from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy
from django_filters.utils import verbose_field_name
from wagtail.admin.filters import WagtailFilterSet

LOOKUP_LABELS = {
    "gte": gettext_lazy("%(field)s from"),
    "lt": gettext_lazy("%(field)s before"),
    "in": gettext_lazy("%(field)s is one of"),
    "isnull": gettext_lazy("%(field)s is empty"),
}


def _label(model, field_name, lookup_expr):
    return capfirst(str(LOOKUP_LABELS[lookup_expr]) % {"field": verbose_field_name(model, field_name)})


_lazy_label = lazy(_label, str)


class FilterSet(WagtailFilterSet):
    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        filter_ = super().filter_for_field(field, field_name, lookup_expr)
        if lookup_expr in LOOKUP_LABELS:
            filter_.label = _lazy_label(cls._meta.model, field_name, lookup_expr)
        return filter_


class TranslatedFiltersMixin:
    """For a ViewSet whose ``list_filter`` uses lookups: its filters come from ``FilterSet``."""

    def get_index_view_kwargs(self, **kwargs):
        return {**super().get_index_view_kwargs(**kwargs), "base_filterset_class": FilterSet}
