"""What every complaint transition shares: locking the row, the log entry, the follow-up checklist and
the SLA targets (first response and resolution, in working hours from when the complaint came in).

Kept apart from ``services.complaints`` so that ``services.workorders`` (run by a task) can use it
without importing the module that enqueues tasks.
"""

from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override
from wagtail.log_actions import log

from ..models import CallPurpose, CallScript, Complaint
from . import CareError
from .scheduling import add_working_hours

# (first response, resolution) in working hours, by severity; a category may be faster or slower.
# Settings override either: CARE_COMPLAINT_TARGETS = {"network:critical": [0.5, 4], "high": [2, 16]}.
TARGET_HOURS = {
    "critical": (1, 8),
    "high": (2, 16),
    "medium": (4, 27),
    "low": (8, 45),
    "network:critical": (0.5, 4),
    "network:high": (1, 8),
    "billing:low": (8, 63),
}


def target_hours(category: str, severity: str) -> tuple[float, float]:
    table = {**TARGET_HOURS, **getattr(settings, "CARE_COMPLAINT_TARGETS", {})}
    first, resolution = table.get(f"{category}:{severity}") or table.get(severity) or table["medium"]
    return float(first), float(resolution)


def complaint_set_targets(complaint: Complaint, start: datetime | None = None) -> None:
    """Fill the first-response and resolution due times, counted from ``start`` (default: received)."""
    start = start or complaint.received_at
    first, resolution = target_hours(complaint.category, complaint.severity)
    complaint.first_response_due_at = add_working_hours(start, first)
    complaint.resolution_due_at = add_working_hours(start, resolution)


def complaint_lock(complaint_id: int, *states) -> Complaint:
    """The complaint, locked for this transaction; with ``states``, only while it is in one of them."""
    try:
        complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
    except Complaint.DoesNotExist:
        raise CareError(_("This complaint does not exist."))
    if states and complaint.state not in states:
        raise CareError(
            _("This can't be done while the complaint is “%(state)s”.") % {"state": complaint.get_state_display()}
        )
    return complaint


def complaint_log(complaint, action, user, **data):
    log(instance=complaint, action=action, user=user, data={"state": complaint.state, **data})


def checklist_for(complaint: Complaint) -> list[dict]:
    """The steps of the live "complaint follow-up" call script, as a checklist to tick."""
    language = complaint.person.language if complaint.person_id else settings.LANGUAGE_CODE
    scripts = CallScript.objects.filter(purpose=CallPurpose.COMPLAINT_FOLLOWUP, live=True)
    script = scripts.filter(language=language).first() or scripts.first()
    items = []
    if script is not None:
        for step in script.steps:
            if step.block_type == "checklist":
                items.append(step.value["item"])
            elif step.block_type == "ask":
                items.append(step.value["question"])
    if not items:
        with override(language):
            items = [
                _("Verify the network at the customer's location"),
                _("Query the usage records"),
                _("Check the account status"),
                _("Decide: device problem or network problem"),
            ]
    return [{"text": str(text), "done": False} for text in items]
