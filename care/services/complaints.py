"""Complaints and suggestions: intake from every channel, work orders with an SLA, resolution.

Every transition locks the complaint row, checks the current state, and writes a Wagtail log entry
with an action code registered in ``care.wagtail_hooks``.
"""

import hashlib
import logging

import bleach
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from wagtail.log_actions import log

from home.models import Person
from home.roles import CARE_MANAGERS
from home.services.outbox import outbox_enqueue_template
from home.services.people import person_match_or_create

from .. import sla
from ..models import Complaint, SupportGroup, WorkOrder
from . import CareError

logger = logging.getLogger(__name__)

ALLOWED_TAGS = ["p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre"]
ALLOWED_ATTRIBUTES = {"a": ["href"]}
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]

# Log action codes (registered in wagtail_hooks).
LOG_ACTIONS = {
    "care.complaint_received": (gettext_lazy("Complaint received"), gettext_lazy("Complaint received")),
    "care.complaint_update": (gettext_lazy("Edit complaint"), gettext_lazy("Complaint edited")),
    "care.complaint_start": (gettext_lazy("Start work"), gettext_lazy("Work started")),
    "care.complaint_hand_over": (gettext_lazy("Hand over"), gettext_lazy("Handed over")),
    "care.complaint_escalate": (gettext_lazy("Escalate"), gettext_lazy("Escalated to a support group")),
    "care.complaint_wait": (gettext_lazy("Wait for the customer"), gettext_lazy("Waiting for the customer")),
    "care.complaint_resume": (gettext_lazy("Resume"), gettext_lazy("Resumed")),
    "care.complaint_resolve": (gettext_lazy("Resolve"), gettext_lazy("Resolved")),
    "care.complaint_close": (gettext_lazy("Close"), gettext_lazy("Closed")),
    "care.workorder_checklist": (gettext_lazy("Tick checklist"), gettext_lazy("Checklist item ticked")),
    "care.workorder_overdue": (gettext_lazy("Flag overdue"), gettext_lazy("Work order overdue")),
}


def description_clean(text: str) -> str:
    """Sanitise customer text to a small HTML allow-list; plain text keeps its paragraphs."""
    cleaned = bleach.clean(
        text or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS, strip=True
    ).strip()
    if not any(f"<{tag}" in cleaned for tag in ("p", "ul", "ol", "blockquote", "pre")):
        cleaned = linebreaks(cleaned, autoescape=False)
    return bleach.linkify(cleaned, callbacks=[_link_attrs], parse_email=False)


def _link_attrs(attrs, new=False):
    attrs[(None, "rel")] = "nofollow ugc noopener"
    href = attrs.get((None, "href"), "")
    if not href.startswith(("http://", "https://", "mailto:")):
        return None
    return attrs


def _lock(complaint_id: int) -> Complaint:
    try:
        return Complaint.objects.select_for_update().get(pk=complaint_id)
    except Complaint.DoesNotExist:
        raise CareError(_("This complaint does not exist."))


def _require_state(complaint: Complaint, *states):
    if complaint.state not in states:
        raise CareError(
            _("This can't be done while the complaint is “%(state)s”.") % {"state": complaint.get_state_display()}
        )


def _log(complaint, action, user, **data):
    log(instance=complaint, action=action, user=user, data={"state": complaint.state, **data})


def _notify_received(complaint: Complaint):
    person = complaint.person
    if not (person and person.email):
        return
    outbox_enqueue_template(
        template="care/emails/complaint_received",
        context={"complaint": complaint, "status_path": complaint_status_path(complaint, person.language)},
        to_email=person.email,
        language=person.language,
        kind="care.complaint_received",
        person=person,
        key=f"care-complaint-received:{complaint.pk}",
    )


def complaint_status_path(complaint: Complaint, language: str) -> str:
    from django.urls import reverse

    with override(language):
        return reverse("care:complaint_status", args=[complaint.status_token])


def _customer(*, name, email, mobile, organisation_name, language) -> Person:
    try:
        return person_match_or_create(
            name=name, email=email, mobile=mobile, language=language, organisation_name=organisation_name,
            update=False,
        )
    except ValidationError as exc:
        raise CareError(" ".join(exc.messages))


@transaction.atomic
def complaint_submit(
    *,
    kind: str,
    category: str,
    summary: str,
    description: str,
    name: str,
    email: str,
    mobile: str = "",
    organisation_name: str = "",
    product_line=None,
    language: str = "zh-hans",
) -> Complaint:
    """A customer files a complaint or suggestion on the public form; they are emailed its reference."""
    person = _customer(name=name, email=email, mobile=mobile, organisation_name=organisation_name, language=language)
    complaint = Complaint(
        kind=kind,
        channel=Complaint.Channel.WEB,
        category=category,
        product_line=product_line,
        severity=Complaint.Severity.MEDIUM,
        summary=" ".join(summary.split())[:200],
        description=description_clean(description),
        person=person,
        organisation=person.organisation,
    )
    complaint.full_clean()
    complaint.save()
    _log(complaint, "care.complaint_received", None, channel=complaint.channel)
    _notify_received(complaint)
    return complaint


@transaction.atomic
def complaint_create(
    *,
    acting_user,
    channel: str,
    kind: str,
    category: str,
    severity: str,
    summary: str,
    description: str,
    name: str = "",
    email: str = "",
    mobile: str = "",
    organisation_name: str = "",
    product_line=None,
    language: str = "zh-hans",
    received_at=None,
    notify: bool = True,
) -> Complaint:
    """Care staff enter a complaint taken by phone, SMS, email or IM; they are responsible for it."""
    person = _customer(name=name, email=email, mobile=mobile, organisation_name=organisation_name, language=language)
    complaint = Complaint(
        kind=kind,
        channel=channel,
        category=category,
        product_line=product_line,
        severity=severity,
        summary=" ".join(summary.split())[:200],
        description=description_clean(description),
        person=person,
        organisation=person.organisation,
        received_by=acting_user,
        responsible=acting_user,
        received_at=received_at or timezone.now(),
    )
    complaint.full_clean()
    complaint.save()
    _log(complaint, "care.complaint_received", acting_user, channel=complaint.channel)
    if notify:
        _notify_received(complaint)
    return complaint


@transaction.atomic
def complaint_update(*, complaint_id: int, acting_user, **fields) -> Complaint:
    """Staff correct the classification: kind, category, product line, severity, summary."""
    allowed = {"kind", "category", "product_line", "severity", "summary"}
    complaint = _lock(complaint_id)
    changed = {}
    for name, value in fields.items():
        if name not in allowed:
            raise CareError(_("This field can't be changed here."))
        if getattr(complaint, name) != value:
            changed[name] = str(value)
            setattr(complaint, name, value)
    if not changed:
        return complaint
    complaint.full_clean()
    complaint.save()
    _log(complaint, "care.complaint_update", acting_user, changed=changed)
    return complaint


@transaction.atomic
def complaint_start(*, complaint_id: int, acting_user) -> Complaint:
    """Take a new complaint into work; whoever takes an unowned (online) one becomes responsible."""
    complaint = _lock(complaint_id)
    _require_state(complaint, Complaint.State.NEW)
    complaint.state = Complaint.State.IN_PROGRESS
    if complaint.responsible_id is None:
        complaint.responsible = acting_user
        complaint.received_by = complaint.received_by or acting_user
    complaint.save()
    _log(complaint, "care.complaint_start", acting_user)
    return complaint


@transaction.atomic
def complaint_hand_over(*, complaint_id: int, acting_user, to_user) -> Complaint:
    complaint = _lock(complaint_id)
    if not complaint.is_open:
        raise CareError(_("A resolved or closed complaint can't be handed over."))
    if to_user is None or not to_user.is_active:
        raise CareError(_("Choose an active staff member."))
    previous = complaint.responsible
    complaint.responsible = to_user
    complaint.save()
    _log(complaint, "care.complaint_hand_over", acting_user, previous=str(previous or ""), to=str(to_user))
    return complaint


def _checklist_for(complaint: Complaint) -> list[dict]:
    """The steps of the live "complaint follow-up" call script, as a checklist to tick."""
    from ..models import CallScript

    language = complaint.person.language if complaint.person_id else settings.LANGUAGE_CODE
    scripts = CallScript.objects.filter(purpose="complaint_followup", live=True)
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


@transaction.atomic
def complaint_escalate(*, complaint_id: int, acting_user, support_group: SupportGroup, note: str = "") -> WorkOrder:
    """Open a work order for a support group, due by the complaint's severity in working hours."""
    complaint = _lock(complaint_id)
    _require_state(complaint, Complaint.State.NEW, Complaint.State.IN_PROGRESS)
    if not support_group.active:
        raise CareError(_("This support group is no longer active."))
    now = timezone.now()
    hours = sla.sla_hours_for(complaint.severity)
    order = WorkOrder(
        complaint=complaint,
        support_group=support_group,
        note=note,
        checklist=_checklist_for(complaint),
        sla_hours=hours,
        opened_at=now,
        due_at=sla.add_working_hours(now, hours),
        opened_by=acting_user,
    )
    order.full_clean()
    order.save()
    complaint.state = Complaint.State.ESCALATED
    if complaint.responsible_id is None:
        complaint.responsible = acting_user
    complaint.save()
    _log(complaint, "care.complaint_escalate", acting_user, support_group=support_group.name,
         due_at=order.due_at.isoformat(), work_order=order.pk)
    return order


@transaction.atomic
def complaint_wait_for_customer(*, complaint_id: int, acting_user, note: str = "") -> Complaint:
    """We need something from the customer: the SLA clock of an open work order stops."""
    complaint = _lock(complaint_id)
    _require_state(complaint, Complaint.State.IN_PROGRESS, Complaint.State.ESCALATED)
    complaint.state = Complaint.State.WAITING
    complaint.save()
    order = complaint.current_work_order
    if order and order.paused_at is None:
        order.paused_at = timezone.now()
        order.save(update_fields=["paused_at"])
    _log(complaint, "care.complaint_wait", acting_user, note=note)
    return complaint


@transaction.atomic
def complaint_resume(*, complaint_id: int, acting_user) -> Complaint:
    """The customer answered: the clock runs again and the due time moves by the working time paused."""
    complaint = _lock(complaint_id)
    _require_state(complaint, Complaint.State.WAITING)
    order = complaint.current_work_order
    data = {}
    if order is not None:
        if order.paused_at is not None:
            paused = sla.working_time_between(order.paused_at, timezone.now())
            order.due_at = sla.add_working_hours(order.due_at, paused.total_seconds() / 3600) if paused else order.due_at
            order.paused_at = None
            order.save(update_fields=["due_at", "paused_at"])
            data = {"paused_working_hours": round(paused.total_seconds() / 3600, 2), "due_at": order.due_at.isoformat()}
        complaint.state = Complaint.State.ESCALATED
    else:
        complaint.state = Complaint.State.IN_PROGRESS
    complaint.save()
    _log(complaint, "care.complaint_resume", acting_user, **data)
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
    _log(order.complaint, "care.workorder_checklist", acting_user, item=order.checklist[index]["text"], done=done)
    return order


def _in_quality_sample(complaint: Complaint) -> bool:
    """A stable sample of resolved complaints (CARE_QC_SAMPLE_RATE, default 20%) gets a quality call."""
    rate = float(getattr(settings, "CARE_QC_SAMPLE_RATE", 0.2))
    digest = int(hashlib.sha256(complaint.reference.encode()).hexdigest()[:8], 16)
    return digest % 10000 < rate * 10000


def _create_call(complaint: Complaint, purpose: str):
    """Ask the care-calls service for the call; tolerate its absence (it is built alongside)."""
    try:
        from .calls import call_create_for_complaint
    except ImportError:
        logger.warning("care.services.calls.call_create_for_complaint is missing; no %s call created", purpose)
        return None
    return call_create_for_complaint(complaint_id=complaint.pk, purpose=purpose)


@transaction.atomic
def complaint_resolve(*, complaint_id: int, acting_user, resolution: str, notify: bool = True) -> Complaint:
    """Resolve: close the work order, create the follow-up call (and for a sample a quality call),
    and tell the customer."""
    complaint = _lock(complaint_id)
    _require_state(
        complaint, Complaint.State.NEW, Complaint.State.IN_PROGRESS, Complaint.State.ESCALATED, Complaint.State.WAITING
    )
    resolution = (resolution or "").strip()
    if not resolution:
        raise CareError(_("Say what was done or changed to resolve it."))
    now = timezone.now()
    complaint.state = Complaint.State.RESOLVED
    complaint.resolution = resolution
    complaint.resolved_at = now
    if complaint.responsible_id is None:
        complaint.responsible = acting_user
    complaint.full_clean()
    complaint.save()
    complaint.work_orders.filter(closed_at__isnull=True).update(closed_at=now, paused_at=None)
    calls = []
    if complaint.person_id:
        for purpose in ["complaint_followup"] + (["quality_control"] if _in_quality_sample(complaint) else []):
            call = _create_call(complaint, purpose)
            if call is not None:
                calls.append(call.pk)
    _log(complaint, "care.complaint_resolve", acting_user, calls=calls)
    person = complaint.person
    if notify and person and person.email and not person.do_not_contact:
        outbox_enqueue_template(
            template="care/emails/complaint_resolved",
            context={"complaint": complaint, "status_path": complaint_status_path(complaint, person.language)},
            to_email=person.email,
            language=person.language,
            kind="care.complaint_resolved",
            person=person,
            key=f"care-complaint-resolved:{complaint.pk}",
        )
    return complaint


@transaction.atomic
def complaint_close(*, complaint_id: int, acting_user) -> Complaint:
    complaint = _lock(complaint_id)
    _require_state(complaint, Complaint.State.RESOLVED)
    complaint.state = Complaint.State.CLOSED
    complaint.closed_at = timezone.now()
    complaint.save()
    _log(complaint, "care.complaint_close", acting_user)
    return complaint


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
            _log(order.complaint, "care.workorder_overdue", None, work_order=order.pk,
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
