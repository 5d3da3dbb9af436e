"""Writes about calls: the rules that create them, logging outcomes and retries, reassigning."""

import logging
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.services.outbox import outbox_enqueue_template

from .. import tasks
from ..models import (
    Call,
    CallAttempt,
    CallPurpose,
    CareTeam,
    Complaint,
    CustomerAccount,
    DayCount,
    Device,
    SatisfactionRating,
)
from . import CareError
from .customers import customer_get_or_create, customer_primary_contact
from .daycounts import day_counts_refresh
from .satisfaction import rating_record, survey_waits_for_quality_call
from .scheduling import (
    add_working_days,
    add_working_hours,
    day_at,
    next_working_moment,
    outside_quiet_hours,
    work_start,
)
from .scripts import script_for

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
    while period >= 1 and first_activation + relativedelta(months=6 * period) > today:
        period -= 1
    if period < 1:
        return None
    return period, first_activation + relativedelta(months=6 * period)


def call_ensure_six_monthly(*, customer: CustomerAccount, first_activation: date, today: date, dry_run=False):
    due = _six_monthly_due(first_activation, today)
    if due is None:
        return None, False
    period, due_date = due
    return call_create(
        customer=customer, purpose=CallPurpose.SIX_MONTHLY, period_key=f"six:{period}",
        due_at=day_at(due_date, work_start()), dry_run=dry_run,
    )


def call_create_for_complaint(*, complaint_id: int, purpose: str, dry_run: bool = False) -> Call | None:
    """The follow-up or quality-control call of a resolved complaint (called by the complaint flow).

    Idempotent: one call per complaint and purpose. Returns None when the complaint names no customer.
    """
    if purpose not in (CallPurpose.COMPLAINT_FOLLOWUP, CallPurpose.QUALITY_CONTROL):
        raise CareError(_("A complaint leads only to a follow-up or a quality-control call."))
    complaint = Complaint.objects.select_related("person", "organisation").get(pk=complaint_id)
    organisation = complaint.organisation
    person = complaint.person
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


@transaction.atomic
def call_log_inbound(*, customer: CustomerAccount, acting_user, contact=None) -> Call:
    """A customer phones in: an open call for them, taken now by whoever answered, to note on the call screen."""
    now = timezone.now()
    contact = contact or customer_primary_contact(customer)
    team = customer.team or acting_user.care_teams.order_by("name").first() or _default_team()
    call = Call(
        customer=customer, contact=contact, purpose=CallPurpose.INBOUND,
        period_key=f"inbound:{now.isoformat()}:{acting_user.pk}", due_at=now, deadline=timezone.localdate(now),
        team=team, assignee=acting_user,
        script=script_for(CallPurpose.INBOUND, contact.language if contact else settings.LANGUAGE_CODE),
    )
    call.full_clean(validate_constraints=False)
    call.save()
    log(instance=call, action="care.call_inbound", user=acting_user)
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

    The deadline never moves: a retry or callback after it keeps the call overdue, and the call
    records on closing how many days after its deadline it was closed (``days_late``).
    """
    now = now or timezone.now()
    call = Call.objects.select_for_update(of=("self",)).select_related("customer", "contact", "device").get(pk=call_id)
    if call.state != Call.State.OPEN:
        raise CareError(_("This call is already closed."))
    if disposition not in Call.Disposition.values:
        raise CareError(_("Choose the outcome of the call."))
    if call.attempts and now < call.due_at:
        raise CareError(_("The next try is due at %(when)s; it can't be logged before then.") % {
            "when": timezone.localtime(call.due_at).strftime("%Y-%m-%d %H:%M")})
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
    # The deadline never moves: a try or a callback after it leaves the call late, and closing it
    # records by how many days (a callback the customer asked for late counts as late too).
    past_deadline = call.state == Call.State.OPEN and timezone.localtime(call.due_at).date() > call.deadline
    if call.state == Call.State.CLOSED:
        call.days_late = max((timezone.localtime(now).date() - call.deadline).days, 0)
    try:
        call.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise CareError("; ".join(exc.messages))
    call.save()
    if call.state == Call.State.CLOSED and call.disposition == Call.Disposition.COMPLETED:
        day_counts_refresh(measure=DayCount.Measure.CALLS_COMPLETED, moments=[call.closed_at])
    CallAttempt.objects.create(call=call, user=acting_user, disposition=disposition, note=note, created_at=now)
    if rating is not None:
        rating_record(
            customer=call.customer, score=int(rating), source=SatisfactionRating.Source.CALL, person=call.contact,
            call=call, staff_member=acting_user, product_line=call.device.product_line if call.device else None,
            service_station=call.device.service_station if call.device else "", complaint=call.complaint,
        )
    if emailed:
        _send_unreached_email(call)
    if (call.state == Call.State.CLOSED and call.purpose == CallPurpose.QUALITY_CONTROL and call.complaint_id
            and survey_waits_for_quality_call(call.complaint)):
        tasks.survey_send_for_complaint_task.delay_on_commit(call.complaint_id)
    log(instance=call, action="care.call_outcome", user=acting_user,
        data={"disposition": disposition, "attempts": call.attempts, "days_late": call.days_late,
              "next_try_after_deadline": past_deadline})
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
