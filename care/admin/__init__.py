"""Admin screens of customer care, one module per sub-domain, in one menu group ("Customer care").

Registration happens in ``care.wagtail_hooks``.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.base import ViewSetGroup

from .calls import CallQueueViewSet, CallViewSet
from .campaigns import GiftCampaignViewSet, LetterTemplateViewSet
from .complaints import ComplaintViewSet, SupportGroupViewSet, WorkOrderViewSet
from .customers import CareTeamViewSet, CustomerViewSet, DeviceViewSet
from .reports import ComplaintReportViewSet, KeyAccountReportViewSet
from .satisfaction import RatingViewSet
from .scripts import CallScriptViewSet


class CareViewSetGroup(ViewSetGroup):
    menu_label = _("Customer care")
    menu_icon = "help"
    menu_order = 300
    items = [
        CallQueueViewSet("care_queue"),
        CallViewSet("care_calls"),
        CustomerViewSet("care_customers"),
        DeviceViewSet("care_devices"),
        CareTeamViewSet("care_teams"),
        CallScriptViewSet(),
        RatingViewSet("care_ratings"),
        ComplaintViewSet("care_complaints"),
        WorkOrderViewSet("care_workorders"),
        SupportGroupViewSet("care_support_groups"),
        ComplaintReportViewSet("care_complaint_report"),
        GiftCampaignViewSet("care_campaigns"),
        LetterTemplateViewSet(),
        KeyAccountReportViewSet("care_reports"),
    ]
