from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .complaint_admin import register_log_actions as register_complaint_log_actions
from .viewsets import care_viewset_group


@hooks.register("register_admin_viewset")
def register_care_viewsets():
    return care_viewset_group


@hooks.register("register_admin_urls")
def register_care_admin_urls():
    from .admin_views import call_work_view

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
    actions.register_action("care.call_answer", _("Record script answer"), _("Script answer recorded"))
    actions.register_action("care.call_outcome", _("Log call outcome"), _("Call outcome logged"))
    actions.register_action("care.call_reassign", _("Reassign call"), _("Call reassigned"))
    # Complaints, work orders, gift campaigns
    register_complaint_log_actions(actions)
