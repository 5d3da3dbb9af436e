"""The CSV export of a dashboard panel (the panels themselves are in ``home.dashboard``)."""


from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation

from home.csv import csv_download
from home.dashboard import period_get
from home.registry import dashboard_panels


def dashboard_csv_view(request, key):
    """The panel's table as CSV, in the language the dashboard was shown in (``lang``)."""
    panel_class = dashboard_panels.get(key)
    if panel_class is None or not panel_class.visible_to(request.user):
        raise PermissionDenied
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    with translation.override(language):
        panel = panel_class(request, period_get(request.GET.get("period", "")))
        return csv_download(f"{key}-{panel.period.key}.csv", panel.csv_rows())
