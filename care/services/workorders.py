"""Work orders: escalating a complaint to a support group with an SLA counted in working hours,
pausing the clock while we wait for the customer, the follow-up checklist, and flagging overdue orders.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from home.roles import CARE_MANAGERS
from home.services.outbox import outbox_enqueue_template

from ..models import Complaint, SupportGroup, WorkOrder
from . import CareError
from .complaint_state import checklist_for, complaint_lock, complaint_log
from .scheduling import add_working_hours, working_time_between

# Due time of a work order by the complaint's severity, in working hours (overridable in settings).
SLA_HOURS = {"critical": 4, "high": 8, "medium": 18, "low": 36}


def sla_hours_for(severity: str) -> int:
    table = {**SLA_HOURS, **getattr(settings, "CARE_COMPLAINT_SLA_HOURS", {})}
    return table.get(severity, table["medium"])


def due_at_for(severity: str, opened_at: datetime) -> datetime:
    return add_working_hours(opened_at, sla_hours_for(severity))


@transaction.atomic
def complaint_escalate(*, complaint_id: int, acting_user, support_group: SupportGroup, note: str = "") -> WorkOrder:
    """Open a work order for a support group, due by the complaint's severity in working hours."""
    complaint = complaint_lock(complaint_id, Complaint.State.NEW, Complaint.State.IN_PROGRESS)
    if not support_group.active:
        raise CareError(_("This support group is no longer active."))
    now = timezone.now()
    hours = sla_hours_for(complaint.severity)
    order = WorkOrder(
        complaint=complaint,
        support_group=support_group,
        note=note,
        checklist=checklist_for(complaint),
        sla_hours=hours,
        opened_at=now,
        due_at=add_working_hours(now, hours),
        opened_by=acting_user,
    )
    order.full_clean()
    order.save()
    complaint.state = Complaint.State.ESCALATED
    complaint.first_responded_at = complaint.first_responded_at or now
    if complaint.responsible_id is None:
        complaint.responsible = acting_user
    complaint.save()
    complaint_log(complaint, "care.complaint_escalate", acting_user, support_group=support_group.name,
         due_at=order.due_at.isoformat(), work_order=order.pk)
    if support_group.email:
        outbox_enqueue_template(
            template="care/emails/complaint_escalated",
            context={"order": order, "complaint": complaint},
            to_email=support_group.email,
            language=settings.LANGUAGE_CODE,
            kind="care.complaint_escalated",
            key=f"care-complaint-escalated:{order.pk}",
        )
    return order


@transaction.atomic
def complaint_wait_for_customer(*, complaint_id: int, acting_user, note: str = "") -> Complaint:
    """We need something from the customer: the SLA clock of an open work order stops."""
    complaint = complaint_lock(complaint_id, Complaint.State.IN_PROGRESS, Complaint.State.ESCALATED)
    complaint.state = Complaint.State.WAITING
    complaint.save()
    order = complaint.current_work_order
    if order and order.paused_at is None:
        order.paused_at = timezone.now()
        order.save(update_fields=["paused_at"])
    complaint_log(complaint, "care.complaint_wait", acting_user, note=note)
    return complaint


@transaction.atomic
def complaint_resume(*, complaint_id: int, acting_user) -> Complaint:
    """The customer answered: the clock runs again and the due time moves by the working time paused."""
    complaint = complaint_lock(complaint_id, Complaint.State.WAITING)
    order = complaint.current_work_order
    data = {}
    if order is not None:
        if order.paused_at is not None:
            paused = working_time_between(order.paused_at, timezone.now())
            order.due_at = add_working_hours(order.due_at, paused.total_seconds() / 3600) if paused else order.due_at
            order.paused_at = None
            order.save(update_fields=["due_at", "paused_at"])
            data = {"paused_working_hours": round(paused.total_seconds() / 3600, 2), "due_at": order.due_at.isoformat()}
        complaint.state = Complaint.State.ESCALATED
    else:
        complaint.state = Complaint.State.IN_PROGRESS
    complaint.save()
    complaint_log(complaint, "care.complaint_resume", acting_user, **data)
    return complaint


@transaction.atomic
def workorder_check_item(*, work_order_id: int, index: int, done: bool, acting_user) -> WorkOrder:
    order = WorkOrder.objects.select_for_update().select_related("complaint").get(pk=work_order_id)
    if order.closed_at is not None:
        raise CareError(_("This work order is closed."))
    if not 0 <= index < len(order.checklist):
        raise CareError(_("No such checklist item."))
    order.checklist[index]["done"] = bool(done)
    order.save(update_fields=["checklist"])
    complaint_log(order.complaint, "care.workorder_checklist", acting_user, item=order.checklist[index]["text"], done=done)
    return order


def _managers_of(group: SupportGroup):
    managers = [user for user in group.managers.filter(is_active=True) if user.email]
    if managers:
        return managers
    return list(get_user_model().objects.filter(groups__name=CARE_MANAGERS, is_active=True).exclude(email=""))


def workorders_flag_overdue(*, now=None) -> list[int]:
    """Flag every open, running work order past its due time once, and email its group's managers
    (or the care managers). Running it again flags and sends nothing more."""
    now = now or timezone.now()
    flagged = []
    candidates = WorkOrder.objects.filter(
        closed_at__isnull=True, paused_at__isnull=True, overdue_notified_at__isnull=True, due_at__lt=now
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            order = (
                WorkOrder.objects.select_for_update()
                .select_related("complaint", "support_group")
                .filter(pk=pk, closed_at__isnull=True, paused_at__isnull=True, overdue_notified_at__isnull=True)
                .first()
            )
            if order is None:
                continue
            order.overdue_notified_at = now
            order.save(update_fields=["overdue_notified_at"])
            complaint_log(order.complaint, "care.workorder_overdue", None, work_order=order.pk,
                 support_group=order.support_group.name, due_at=order.due_at.isoformat())
            for user in _managers_of(order.support_group):
                outbox_enqueue_template(
                    template="care/emails/complaint_overdue",
                    context={"order": order, "complaint": order.complaint, "user": user},
                    to_email=user.email,
                    language=settings.LANGUAGE_CODE,
                    kind="care.workorder_overdue",
                    key=f"care-workorder-overdue:{order.pk}:{user.pk}",
                )
            flagged.append(order.pk)
    return flagged
