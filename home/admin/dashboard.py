"""The CSV export of a dashboard panel (the panels themselves are in ``home.dashboard``)."""

from django.core.exceptions import PermissionDenied

from home.dashboard import period_get
from home.registry import dashboard_panels


def dashboard_csv_view(request, key):
    panel_class = dashboard_panels.get(key)
    if panel_class is None or not panel_class.visible_to(request.user):
        raise PermissionDenied
    return panel_class(request, period_get(request.GET.get("period", ""))).csv_response()
