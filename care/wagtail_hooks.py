"""Registration only: the admin menu group, the call screen URL, permission policies and log actions."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin import CareViewSetGroup
from .admin.base import NoAddPermissionPolicy
from .admin.calls import call_work_view
from .admin.customers import CustomerSearchPanel
from .models import Call, SatisfactionRating
from .services.campaigns import LOG_ACTIONS as CAMPAIGN_LOG_ACTIONS
from .services.complaints import LOG_ACTIONS as COMPLAINT_LOG_ACTIONS
from .services.knowledge import LOG_ACTIONS as KNOWLEDGE_LOG_ACTIONS

for _model in (Call, SatisfactionRating):
    register_permission_policy(_model, NoAddPermissionPolicy(_model))


@hooks.register("construct_homepage_panels")
def add_customer_search_panel(request, panels):
    if request.user.has_perm("care.view_customeraccount"):
        panels.insert(0, CustomerSearchPanel())


@hooks.register("register_admin_viewset")
def register_care_viewsets():
    return CareViewSetGroup()


@hooks.register("register_admin_urls")
def register_care_admin_urls():
    return [
        path("care/calls/<int:pk>/work/", call_work_view, name="care_call_work"),
    ]


@hooks.register("register_log_actions")
def register_care_log_actions(actions):
    # Calls, customers, devices
    actions.register_action("care.customer_save", _("Save customer"), _("Customer saved"))
    actions.register_action("care.contact_add", _("Add contact"), _("Contact added"))
    actions.register_action("care.device_register", _("Register device"), _("Device registered"))
    actions.register_action("care.device_activate", _("Activate device"), _("Device activated"))
    actions.register_action("care.call_inbound", _("Log inbound call"), _("Inbound call logged"))
    actions.register_action("care.call_answer", _("Record script answer"), _("Script answer recorded"))
    actions.register_action("care.call_outcome", _("Log call outcome"), _("Call outcome logged"))
    actions.register_action("care.call_reassign", _("Reassign call"), _("Call reassigned"))
    # Complaints, work orders, gift campaigns
    for code, (label, message) in {**COMPLAINT_LOG_ACTIONS, **CAMPAIGN_LOG_ACTIONS, **KNOWLEDGE_LOG_ACTIONS}.items():
        actions.register_action(code, label, message)
