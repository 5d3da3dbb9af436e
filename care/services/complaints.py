"""Complaints and suggestions: intake from every channel, hand-over, resolution and closing.

Escalation to a support group and the SLA clock are in ``services.workorders``. Every transition
locks the complaint row, checks the current state, and writes a Wagtail log entry with an action
code registered in ``care.wagtail_hooks``.
"""

import hashlib

import bleach
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from home.models import Person
from home.services.outbox import outbox_enqueue_template
from home.services.people import person_match_or_create

from ..models import CallPurpose, Complaint, DayCount
from ..tasks import survey_send_for_complaint_task
from . import CareError
from .calls import call_create_for_complaint
from .complaint_state import checklist_for, complaint_lock, complaint_log, complaint_set_targets
from .daycounts import day_counts_refresh
from .satisfaction import survey_waits_for_quality_call

__all__ = [
    "complaint_check_item", "complaint_close", "complaint_create", "complaint_hand_over", "complaint_lock",
    "complaint_log", "complaint_resolve", "complaint_start", "complaint_submit", "complaint_update",
    "description_clean",
]

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
    "care.complaint_checklist": (gettext_lazy("Tick complaint checklist"), gettext_lazy("Complaint checklist ticked")),
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
    complaint.checklist = checklist_for(complaint)
    complaint_set_targets(complaint)
    complaint.full_clean()
    complaint.save()
    day_counts_refresh(measure=DayCount.Measure.COMPLAINTS_RECEIVED, moments=[complaint.received_at])
    complaint_log(complaint, "care.complaint_received", None, channel=complaint.channel)
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
    complaint.checklist = checklist_for(complaint)
    complaint_set_targets(complaint)
    complaint.full_clean()
    complaint.save()
    day_counts_refresh(measure=DayCount.Measure.COMPLAINTS_RECEIVED, moments=[complaint.received_at])
    complaint_log(complaint, "care.complaint_received", acting_user, channel=complaint.channel)
    if notify:
        _notify_received(complaint)
    return complaint


@transaction.atomic
def complaint_update(*, complaint_id: int, acting_user, **fields) -> Complaint:
    """Staff correct the classification: kind, category, product line, severity, summary."""
    allowed = {"kind", "category", "product_line", "severity", "summary"}
    complaint = complaint_lock(complaint_id)
    changed = {}
    for name, value in fields.items():
        if name not in allowed:
            raise CareError(_("This field can't be changed here."))
        if getattr(complaint, name) != value:
            changed[name] = str(value)
            setattr(complaint, name, value)
    if not changed:
        return complaint
    if {"category", "severity"} & set(changed):
        complaint_set_targets(complaint)
    complaint.full_clean()
    complaint.save()
    if {"kind", "category", "product_line"} & set(changed):  # what the day counts are kept per
        day_counts_refresh(measure=DayCount.Measure.COMPLAINTS_RECEIVED, moments=[complaint.received_at])
        day_counts_refresh(measure=DayCount.Measure.COMPLAINTS_RESOLVED, moments=[complaint.resolved_at])
    complaint_log(complaint, "care.complaint_update", acting_user, changed=changed)
    return complaint


@transaction.atomic
def complaint_start(*, complaint_id: int, acting_user) -> Complaint:
    """Take a new complaint into work; whoever takes an unowned (online) one becomes responsible."""
    complaint = complaint_lock(complaint_id, Complaint.State.NEW)
    complaint.state = Complaint.State.IN_PROGRESS
    complaint.first_responded_at = complaint.first_responded_at or timezone.now()
    if complaint.responsible_id is None:
        complaint.responsible = acting_user
        complaint.received_by = complaint.received_by or acting_user
    complaint.save()
    complaint_log(complaint, "care.complaint_start", acting_user)
    return complaint


@transaction.atomic
def complaint_hand_over(*, complaint_id: int, acting_user, to_user) -> Complaint:
    complaint = complaint_lock(complaint_id)
    if not complaint.is_open:
        raise CareError(_("A resolved or closed complaint can't be handed over."))
    if to_user is None or not to_user.is_active:
        raise CareError(_("Choose an active staff member."))
    previous = complaint.responsible
    complaint.responsible = to_user
    complaint.save()
    complaint_log(complaint, "care.complaint_hand_over", acting_user, previous=str(previous or ""), to=str(to_user))
    return complaint

@transaction.atomic
def complaint_check_item(*, complaint_id: int, index: int, done: bool, acting_user) -> Complaint:
    """Tick (or untick) one item of the complaint's follow-up checklist."""
    complaint = complaint_lock(complaint_id)
    if not complaint.is_open:
        raise CareError(_("A resolved or closed complaint can't be changed."))
    if not 0 <= index < len(complaint.checklist):
        raise CareError(_("No such checklist item."))
    complaint.checklist[index]["done"] = bool(done)
    complaint.first_responded_at = complaint.first_responded_at or timezone.now()
    complaint.save(update_fields=["checklist", "first_responded_at", "updated_at"])
    complaint_log(complaint, "care.complaint_checklist", acting_user, item=complaint.checklist[index]["text"],
                  done=bool(done))
    return complaint


def _open_items(complaint: Complaint) -> list[str]:
    items = complaint.checklist_open_items
    for order in complaint.work_orders.filter(closed_at__isnull=True):
        items += [item["text"] for item in order.checklist if not item.get("done")]
    return items


def _in_quality_sample(complaint: Complaint) -> bool:
    """A stable sample of resolved complaints (CARE_QC_SAMPLE_RATE, default 20%) gets a quality call."""
    rate = settings.CARE_QC_SAMPLE_RATE
    digest = int(hashlib.sha256(complaint.reference.encode()).hexdigest()[:8], 16)
    return digest % 10000 < rate * 10000


@transaction.atomic
def complaint_resolve(
    *, complaint_id: int, acting_user, resolution: str, skip_reason: str = "", notify: bool = True
) -> Complaint:
    """Resolve: close the work order, create the follow-up call (and for a sample a quality call),
    tell the customer and send the satisfaction survey (or, where that is the rule, leave it to the
    quality-control call: ``survey_waits_for_quality_call``).

    Every checklist item (of the complaint and of its open work order) must be done, or ``skip_reason``
    says why not; it is kept on the complaint."""
    complaint = complaint_lock(
        complaint_id, Complaint.State.NEW, Complaint.State.IN_PROGRESS, Complaint.State.ESCALATED, Complaint.State.WAITING
    )
    resolution = (resolution or "").strip()
    if not resolution:
        raise CareError(_("Say what was done or changed to resolve it."))
    open_items = _open_items(complaint)
    skip_reason = (skip_reason or "").strip()
    if open_items and not skip_reason:
        raise CareError(_("The checklist is not finished (%(items)s): finish it or say why it is skipped.")
                        % {"items": "; ".join(open_items)})
    now = timezone.now()
    complaint.checklist_skip_reason = skip_reason if open_items else ""
    complaint.first_responded_at = complaint.first_responded_at or now
    complaint.state = Complaint.State.RESOLVED
    complaint.resolution = resolution
    complaint.resolved_at = now
    if complaint.responsible_id is None:
        complaint.responsible = acting_user
    complaint.full_clean()
    complaint.save()
    day_counts_refresh(measure=DayCount.Measure.COMPLAINTS_RESOLVED, moments=[complaint.resolved_at])
    complaint.work_orders.filter(closed_at__isnull=True).update(closed_at=now, paused_at=None)
    calls = []
    if complaint.person_id:
        purposes = [CallPurpose.COMPLAINT_FOLLOWUP] + ([CallPurpose.QUALITY_CONTROL] if _in_quality_sample(complaint) else [])
        for purpose in purposes:
            call = call_create_for_complaint(complaint_id=complaint.pk, purpose=purpose)
            if call is not None:
                calls.append(call.pk)
    complaint_log(complaint, "care.complaint_resolve", acting_user, calls=calls,
                  skipped=open_items if open_items else [], skip_reason=complaint.checklist_skip_reason)
    person = complaint.person
    if notify and person and person.email and not person.do_not_contact and not survey_waits_for_quality_call(complaint):
        survey_send_for_complaint_task.delay_on_commit(complaint.pk)
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
    complaint = complaint_lock(complaint_id, Complaint.State.RESOLVED)
    complaint.state = Complaint.State.CLOSED
    complaint.closed_at = timezone.now()
    complaint.save()
    complaint_log(complaint, "care.complaint_close", acting_user)
    return complaint
