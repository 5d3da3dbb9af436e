"""Writes about calls: the scheduling rules, walking a script, logging outcomes and retries, ratings."""

import logging
import re
import secrets
from datetime import date, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.emails import absolute_url
from home.models import Person
from home.services.outbox import outbox_enqueue_template

from ..models import (
    Call,
    CallAttempt,
    CallPurpose,
    CallScript,
    CareTeam,
    CustomerAccount,
    Device,
    SatisfactionRating,
    SurveyInvitation,
)
from ..scheduling import (
    add_months,
    add_working_days,
    add_working_hours,
    day_at,
    next_working_moment,
    outside_quiet_hours,
    work_start,
)
from . import CareError
from .customers import customer_get_or_create, customer_primary_contact

logger = logging.getLogger(__name__)

MAX_TRIES = 3
RETRY_HOURS = {Call.Disposition.NO_ANSWER: 4, Call.Disposition.BUSY: 1}
DEADLINE_DAYS = {
    CallPurpose.WELCOME: 3,
    CallPurpose.SIX_MONTHLY: 10,
    CallPurpose.COMPLAINT_FOLLOWUP: 2,
    CallPurpose.QUALITY_CONTROL: 5,
}
WELCOME_LOOKBACK_DAYS = 30


# Creating calls ----------------------------------------------------------------------------------


def _default_team() -> CareTeam | None:
    return CareTeam.objects.order_by("name", "pk").first()


def call_assignment(customer: CustomerAccount) -> tuple[CareTeam | None, object]:
    """(team, assignee) for a new call: a key account's specialist, else the team member with the fewest open calls."""
    team = customer.team or _default_team()
    if customer.is_key_account and customer.specialist_id:
        specialist = customer.specialist
        if customer.team is None:
            team = specialist.care_teams.order_by("name").first() or team
        return team, specialist
    if team is None:
        return None, None
    member = (
        team.members.filter(is_active=True)
        .annotate(open_calls=Count("care_calls", filter=Q(care_calls__state=Call.State.OPEN)))
        .order_by("open_calls", "pk")
        .first()
    )
    return team, member


def script_for(purpose: str, language: str) -> CallScript | None:
    scripts = CallScript.objects.filter(live=True, purpose=purpose)
    return scripts.filter(language=language).order_by("pk").first() or scripts.order_by("pk").first()


def call_create(
    *,
    customer: CustomerAccount,
    purpose: str,
    period_key: str,
    due_at: datetime,
    deadline: date | None = None,
    device: Device | None = None,
    complaint=None,
    dry_run: bool = False,
) -> tuple[Call | None, bool]:
    """Create the call for (customer, purpose, period) unless it exists. Returns (call, created).

    With ``dry_run`` nothing is written and a new call is returned unsaved.
    """
    existing = Call.objects.filter(customer=customer, purpose=purpose, period_key=period_key).first()
    if existing:
        return existing, False
    contact = customer_primary_contact(customer)
    team, assignee = call_assignment(customer)
    due_at = outside_quiet_hours(next_working_moment(due_at))
    if deadline is None:
        deadline = add_working_days(timezone.localtime(due_at).date(), DEADLINE_DAYS.get(purpose, 3))
    call = Call(
        customer=customer, contact=contact, device=device, purpose=purpose, period_key=period_key, due_at=due_at,
        deadline=max(deadline, timezone.localtime(due_at).date()), team=team, assignee=assignee,
        script=script_for(purpose, contact.language if contact else settings.LANGUAGE_CODE), complaint=complaint,
    )
    call.full_clean(validate_constraints=False)
    if dry_run:
        return call, True
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError:
        return Call.objects.get(customer=customer, purpose=purpose, period_key=period_key), False
    return call, True


def call_ensure_welcome(*, device: Device, dry_run: bool = False) -> tuple[Call | None, bool]:
    """The welcome call of a device's activation day: one per customer and activation date."""
    if not device.activated_on or not device.customer.active:
        return None, False
    if device.activated_on < timezone.localdate() - timedelta(days=WELCOME_LOOKBACK_DAYS):
        return None, False  # an old activation (e.g. imported): too late to welcome
    activated = device.activated_on
    start = day_at(activated, work_start())
    return call_create(
        customer=device.customer, purpose=CallPurpose.WELCOME, period_key=f"welcome:{activated.isoformat()}",
        due_at=max(start, timezone.now()) if activated == timezone.localdate() else start,
        deadline=add_working_days(activated, DEADLINE_DAYS[CallPurpose.WELCOME]), device=device, dry_run=dry_run,
    )


def _six_monthly_due(first_activation: date, today: date) -> tuple[int, date] | None:
    """(period number, due date) of the latest six-month anniversary on or before today."""
    months = (today.year - first_activation.year) * 12 + today.month - first_activation.month
    period = months // 6
    while period >= 1 and add_months(first_activation, 6 * period) > today:
        period -= 1
    if period < 1:
        return None
    return period, add_months(first_activation, 6 * period)


def call_ensure_six_monthly(*, customer: CustomerAccount, first_activation: date, today: date, dry_run=False):
    due = _six_monthly_due(first_activation, today)
    if due is None:
        return None, False
    period, due_date = due
    return call_create(
        customer=customer, purpose=CallPurpose.SIX_MONTHLY, period_key=f"six:{period}",
        due_at=day_at(due_date, work_start()), dry_run=dry_run,
    )


def _complaint_model():
    try:
        return apps.get_model("care", "Complaint")
    except LookupError:
        return None


def call_create_for_complaint(*, complaint_id: int, purpose: str, dry_run: bool = False) -> Call | None:
    """The follow-up or quality-control call of a resolved complaint (called by the complaint flow).

    Idempotent: one call per complaint and purpose. Returns None when the complaint names no customer.
    """
    if purpose not in (CallPurpose.COMPLAINT_FOLLOWUP, CallPurpose.QUALITY_CONTROL):
        raise CareError(_("A complaint leads only to a follow-up or a quality-control call."))
    Complaint = _complaint_model()
    complaint = Complaint.objects.select_related("person", "organisation").get(pk=complaint_id)
    organisation = getattr(complaint, "organisation", None)
    person = getattr(complaint, "person", None)
    if organisation is None and person is None:
        return None
    customer = customer_get_or_create(organisation=organisation, person=person)
    now = timezone.now()
    due_at = now if purpose == CallPurpose.COMPLAINT_FOLLOWUP else add_working_hours(now, 24)
    call, created = call_create(
        customer=customer, purpose=purpose, period_key=f"complaint:{complaint.pk}", due_at=due_at,
        complaint=complaint, dry_run=dry_run,
    )
    if created and not dry_run and person is not None and call.contact_id != person.pk:
        call.contact = person
        call.save(update_fields=["contact", "updated_at"])
    return call


def call_schedule(*, today: date | None = None, dry_run: bool = False) -> list[dict]:
    """Run every rule once. Idempotent: a second run creates nothing. Returns what was (or would be) created."""
    today = today or timezone.localdate()
    created = []

    def note(call, was_created):
        if was_created:
            created.append({
                "customer": str(call.customer), "customer_id": call.customer_id, "purpose": call.purpose,
                "period": call.period_key, "due": timezone.localtime(call.due_at).isoformat(),
                "assignee": call.assignee.get_username() if call.assignee else None,
                "team": str(call.team) if call.team else None,
            })

    # Welcome calls: devices activated in the last weeks whose welcome call is missing.
    since = today - timedelta(days=WELCOME_LOOKBACK_DAYS)
    for device in (Device.objects.filter(activated_on__gte=since, activated_on__lte=today, customer__active=True)
                   .select_related("customer__organisation", "customer__person").order_by("activated_on", "pk")):
        note(*call_ensure_welcome(device=device, dry_run=dry_run))

    # Six-monthly callbacks, from each active customer's first activation.
    customers = (CustomerAccount.objects.filter(active=True)
                 .annotate(first_activation=Min("devices__activated_on"))
                 .filter(first_activation__isnull=False, first_activation__lte=today - timedelta(days=180))
                 .select_related("organisation", "person", "team", "specialist"))
    for customer in customers:
        note(*call_ensure_six_monthly(customer=customer, first_activation=customer.first_activation, today=today,
                                      dry_run=dry_run))

    # Safety net for the complaint flow: recently resolved complaints without their follow-up call.
    Complaint = _complaint_model()
    if Complaint is not None and hasattr(Complaint, "resolved_at"):
        recent = Complaint.objects.filter(
            resolved_at__date__gte=today - timedelta(days=WELCOME_LOOKBACK_DAYS), resolved_at__date__lte=today
        ).exclude(calls__purpose=CallPurpose.COMPLAINT_FOLLOWUP)
        for complaint in recent.filter(Q(person__isnull=False) | Q(organisation__isnull=False)):
            before = Call.objects.filter(complaint=complaint, purpose=CallPurpose.COMPLAINT_FOLLOWUP).exists()
            call = call_create_for_complaint(complaint_id=complaint.pk, purpose=CallPurpose.COMPLAINT_FOLLOWUP,
                                             dry_run=dry_run)
            if call is not None:
                note(call, not before)
    return created


# Walking a script --------------------------------------------------------------------------------


def script_steps(script: CallScript | None) -> list[dict]:
    """The script's steps as plain data, numbered from 1."""
    if script is None:
        return []
    steps = []
    for number, block in enumerate(script.steps, start=1):
        value = block.value
        step = {"number": number, "kind": block.block_type, "answer_kind": "", "choices": []}
        if block.block_type == "say":
            step["text"] = value["text"]
        elif block.block_type == "ask":
            step["text"] = value["question"]
            step["answer_kind"] = value["answer_kind"]
            step["choices"] = [str(c) for c in value["choices"]]
        else:
            step["text"] = value["item"]
            step["answer_kind"] = "checklist"
        step["branches"] = [(str(b["answer"]).strip(), int(b["goto"] or 0)) for b in value["branches"]]
        steps.append(step)
    return steps


_COMPARE = re.compile(r"^(<=|>=|<|>|=)\s*(-?\d+(?:\.\d+)?)$")


def _matches(rule: str, answer: str) -> bool:
    if rule == "*":
        return True
    found = _COMPARE.match(rule)
    if found:
        try:
            number = float(answer)
        except ValueError:
            return False
        op, limit = found.group(1), float(found.group(2))
        return {"<=": number <= limit, ">=": number >= limit, "<": number < limit, ">": number > limit,
                "=": number == limit}[op]
    return rule.casefold() == answer.casefold()


def script_next(steps: list[dict], number: int, answer: str) -> int | None:
    """The step after ``number`` given ``answer``: the first matching branch, else the next step; None ends."""
    step = steps[number - 1]
    for rule, goto in step["branches"]:
        if _matches(rule, answer):
            return goto if 1 <= goto <= len(steps) else None
    return number + 1 if number < len(steps) else None


def _clean_answer(step: dict, answer: str) -> str:
    answer = (answer or "").strip()
    kind = step["answer_kind"]
    if step["kind"] == "say":
        return "ok"
    if kind == "checklist":
        if answer not in ("done", "not_done"):
            raise CareError(_("Tick the item as done or not done."))
    elif kind == "yes_no":
        if answer not in ("yes", "no"):
            raise CareError(_("Answer yes or no."))
    elif kind == "choice":
        if answer not in step["choices"]:
            raise CareError(_("Pick one of the choices."))
    elif kind == "number":
        try:
            float(answer)
        except ValueError:
            raise CareError(_("Enter a number."))
    elif kind == "rating":
        if answer not in {"1", "2", "3", "4", "5"}:
            raise CareError(_("Give a rating from 1 to 5."))
    elif not answer:
        raise CareError(_("Enter the answer."))
    return answer[:2000]


def call_progress(call: Call) -> dict:
    """Where the caller is in the script: {"current": step number or None when done, "path": [...], "steps": {...}}."""
    steps = script_steps(call.script)
    answers = call.answers or {}
    current = answers.get("current", 1 if steps else None)
    return {"steps": steps, "current": current, "path": answers.get("path", []),
            "answers": answers.get("steps", {}), "finished": bool(steps) and current is None}


@transaction.atomic
def call_record_answer(*, call_id: int, step: int, answer: str, acting_user) -> Call:
    """Store the answer to one script step and move to the step its branches lead to."""
    call = Call.objects.select_for_update(of=("self",)).select_related("script").get(pk=call_id)
    if call.state != Call.State.OPEN:
        raise CareError(_("This call is closed."))
    steps = script_steps(call.script)
    if not 1 <= step <= len(steps):
        raise CareError(_("This step is not in the script."))
    answers = dict(call.answers or {})
    path = list(answers.get("path", []))
    current = answers.get("current", 1)
    if step in path:
        # Going back: forget what came after that step.
        path = path[: path.index(step)]
    elif step != current:
        raise CareError(_("Answer the current step first."))
    value = _clean_answer(steps[step - 1], answer)
    recorded = {str(n): answers.get("steps", {}).get(str(n)) for n in path}
    recorded[str(step)] = {"q": steps[step - 1]["text"], "a": value, "kind": steps[step - 1]["answer_kind"]}
    path.append(step)
    call.answers = {"path": path, "steps": recorded, "current": script_next(steps, step, value),
                    "script_revision": call.script.latest_revision_id if call.script else None}
    call.save(update_fields=["answers", "updated_at"])
    log(instance=call, action="care.call_answer", user=acting_user, data={"step": step})
    return call


# Outcomes and retries ----------------------------------------------------------------------------


def _send_unreached_email(call: Call):
    person = call.contact
    if person is None or not person.email or person.do_not_contact:
        return None
    return outbox_enqueue_template(
        template="care/emails/call_unreached",
        context={"call": call, "customer": call.customer},
        to_email=person.email, language=person.language, kind="care.call_unreached", person=person,
        key=f"care-call-unreached-{call.pk}",
    )


@transaction.atomic
def call_log_outcome(
    *,
    call_id: int,
    disposition: str,
    acting_user,
    note: str = "",
    callback_at: datetime | None = None,
    rating: int | None = None,
    now: datetime | None = None,
) -> Call:
    """Record the outcome of one try and apply the retry rules.

    - completed, wrong number, refused: the call is closed;
    - no answer / busy: again after 4 / 1 working hours; after 3 failed tries the call is closed and
      the customer is emailed;
    - call back: due again at the time the customer asked (moved out of quiet hours).
    """
    now = now or timezone.now()
    call = Call.objects.select_for_update(of=("self",)).select_related("customer", "contact", "device").get(pk=call_id)
    if call.state != Call.State.OPEN:
        raise CareError(_("This call is already closed."))
    if disposition not in Call.Disposition.values:
        raise CareError(_("Choose the outcome of the call."))
    if rating is not None and (disposition != Call.Disposition.COMPLETED or not 1 <= int(rating) <= 5):
        raise CareError(_("A rating from 1 to 5 can only be given in a completed call."))
    call.disposition = disposition
    if note:
        call.notes = (call.notes + "\n" if call.notes else "") + note
    emailed = None
    if disposition in RETRY_HOURS:
        call.attempts += 1
        if call.attempts >= MAX_TRIES:
            call.state = Call.State.CLOSED
            call.closed_at = now
            emailed = True
        else:
            call.due_at = outside_quiet_hours(add_working_hours(now, RETRY_HOURS[disposition]))
    elif disposition == Call.Disposition.CALLBACK:
        if callback_at is None or callback_at <= now:
            raise CareError(_("Give the time the customer asked to be called back."))
        call.callback_at = callback_at
        call.due_at = outside_quiet_hours(callback_at)
    else:
        call.state = Call.State.CLOSED
        call.closed_at = now
    due_day = timezone.localtime(call.due_at).date()
    if call.state == Call.State.OPEN and due_day > call.deadline:
        call.deadline = due_day
    try:
        call.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise CareError("; ".join(exc.messages))
    call.save()
    CallAttempt.objects.create(call=call, user=acting_user, disposition=disposition, note=note)
    if rating is not None:
        rating_record(
            customer=call.customer, score=int(rating), source=SatisfactionRating.Source.CALL, person=call.contact,
            call=call, staff_member=acting_user, product_line=call.device.product_line if call.device else None,
            service_station=call.device.service_station if call.device else "", complaint=call.complaint,
        )
    if emailed:
        _send_unreached_email(call)
    log(instance=call, action="care.call_outcome", user=acting_user,
        data={"disposition": disposition, "attempts": call.attempts})
    return call


@transaction.atomic
def call_reassign(*, call_id: int, assignee, acting_user) -> Call:
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.state != Call.State.OPEN:
        raise CareError(_("This call is already closed."))
    call.assignee = assignee
    call.save(update_fields=["assignee", "updated_at"])
    log(instance=call, action="care.call_reassign", user=acting_user, data={"assignee": assignee.pk if assignee else None})
    return call


# Satisfaction ------------------------------------------------------------------------------------


def rating_record(
    *, customer: CustomerAccount, score: int, source: str, person: Person | None = None, call: Call | None = None,
    staff_member=None, service_station: str = "", product_line=None, complaint=None, comment: str = "",
) -> SatisfactionRating:
    rating = SatisfactionRating(
        customer=customer, score=score, source=source, person=person, call=call, staff_member=staff_member,
        service_station=service_station, product_line=product_line, complaint=complaint, comment=comment[:2000],
    )
    try:
        rating.full_clean()
    except ValidationError as exc:
        raise CareError("; ".join(exc.messages))
    rating.save()
    return rating


def survey_url(invitation: SurveyInvitation, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return absolute_url(reverse("care:survey", args=[invitation.token]))


@transaction.atomic
def survey_send(
    *, customer: CustomerAccount, person: Person, reason: str, complaint=None, staff_member=None,
    service_station: str = "", product_line=None, valid_days: int = 14,
) -> SurveyInvitation | None:
    """Email a one-time satisfaction survey link (once per customer, person and reason)."""
    if not person.email or person.do_not_contact:
        return None
    invitation, created = SurveyInvitation.objects.get_or_create(
        customer=customer, person=person, reason=reason[:40],
        defaults={
            "token": secrets.token_urlsafe(32), "complaint": complaint, "staff_member": staff_member,
            "service_station": service_station, "product_line": product_line,
            "expires_at": timezone.now() + timedelta(days=valid_days),
        },
    )
    if created:
        outbox_enqueue_template(
            template="care/emails/survey",
            context={"customer": customer, "url": survey_url(invitation, person.language),
                     "expires_at": invitation.expires_at},
            to_email=person.email, language=person.language, kind="care.survey", person=person,
            key=f"care-survey-{invitation.pk}",
        )
    return invitation


def survey_send_for_complaint(*, complaint_id: int) -> SurveyInvitation | None:
    """The survey after a resolved complaint: rates who handled it and the product line."""
    complaint = _complaint_model().objects.select_related("person", "organisation").get(pk=complaint_id)
    if complaint.person is None:
        return None
    customer = customer_get_or_create(organisation=complaint.organisation, person=complaint.person)
    return survey_send(
        customer=customer, person=complaint.person, reason=f"complaint-{complaint.pk}", complaint=complaint,
        staff_member=getattr(complaint, "responsible", None), product_line=complaint.product_line,
    )


@transaction.atomic
def survey_answer(*, token: str, score: int, comment: str = "") -> SatisfactionRating:
    """Record the one answer a survey link allows."""
    invitation = SurveyInvitation.objects.select_for_update().filter(token=token).first()
    if invitation is None:
        raise CareError(_("This survey link is not valid."))
    if invitation.answered_at:
        raise CareError(_("This survey has already been answered. Thank you!"))
    if invitation.expires_at < timezone.now():
        raise CareError(_("This survey link has expired."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        raise CareError(_("Give a rating from 1 to 5."))
    if not 1 <= score <= 5:
        raise CareError(_("Give a rating from 1 to 5."))
    rating = rating_record(
        customer=invitation.customer, score=score, source=SatisfactionRating.Source.SURVEY, person=invitation.person,
        staff_member=invitation.staff_member, service_station=invitation.service_station,
        product_line=invitation.product_line, complaint=invitation.complaint, comment=comment,
    )
    invitation.rating = rating
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["rating", "answered_at"])
    return rating
