"""Which care permissions each role holds (applied by home.roles.sync_roles)."""

from home.roles import CARE_MANAGERS, CARE_STAFF

# Calls, customers and devices. Care staff see only their teams' calls: that is enforced in
# care.selectors.calls_visible_to, not by these model permissions.
_CALLS_STAFF = [
    "care.view_customeraccount", "care.view_device", "care.add_device",
    "care.view_call", "care.work_call", "care.view_satisfactionrating",
]
_CALLS_MANAGERS = [
    "care.view_customeraccount", "care.add_customeraccount", "care.change_customeraccount",
    "care.view_device", "care.add_device", "care.change_device", "care.delete_device",
    "care.view_call", "care.work_call", "care.view_all_calls", "care.change_call",
    "care.view_careteam", "care.add_careteam", "care.change_careteam",
    "care.view_callscript", "care.add_callscript", "care.change_callscript", "care.delete_callscript",
    "care.publish_callscript",
    "care.view_satisfactionrating", "care.view_surveyinvitation",
]

# Complaints and work orders (staff and managers); campaigns, letters, reports (managers only).
_COMPLAINTS_STAFF = [
    "care.view_complaint", "care.add_complaint", "care.change_complaint",
    "care.view_workorder", "care.change_workorder", "care.view_supportgroup",
]
_COMPLAINTS_MANAGERS = [
    *_COMPLAINTS_STAFF, "care.view_complaint_report",
    "care.add_supportgroup", "care.change_supportgroup",
    "care.view_giftcampaign", "care.add_giftcampaign", "care.change_giftcampaign", "care.delete_giftcampaign",
    "care.view_giftrecipient", "care.change_giftrecipient",
    "care.view_lettertemplate", "care.add_lettertemplate", "care.change_lettertemplate",
    "care.delete_lettertemplate", "care.publish_lettertemplate",
    "care.view_keyaccountreport", "care.add_keyaccountreport",
]

PERMISSIONS = {
    CARE_STAFF: _CALLS_STAFF + _COMPLAINTS_STAFF,
    CARE_MANAGERS: _CALLS_MANAGERS + _COMPLAINTS_MANAGERS,
}
