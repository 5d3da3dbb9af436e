"""Admin screens of satisfaction ratings (given in calls or through survey links; read-only)."""

from django.utils.translation import gettext_lazy as _

from home.admin.filters import TranslatedFiltersMixin

from .. import selectors
from ..models import SatisfactionRating
from .base import TeamScopedViewSet


class RatingViewSet(TranslatedFiltersMixin, TeamScopedViewSet):
    model = SatisfactionRating
    visible = staticmethod(selectors.ratings_visible_to)
    icon = "pick"
    menu_label = _("Satisfaction ratings")
    menu_order = 160
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["score", "customer", "source", "staff_member", "service_station", "product_line", "created_at"]
    list_filter = {"score": ["exact", "gte"], "source": ["exact"], "product_line": ["exact"],
                   "complaint": ["isnull"], "created_at": ["gte", "lt"]}
    form_fields = ["comment"]
