"""Reads of customer care. Other apps read care data only through here."""

import logging
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from .models import Call, CareTeam, CustomerAccount, Device, SatisfactionRating, SurveyInvitation
from .scheduling import half_year_start

logger = logging.getLogger(__name__)


# Calls: who sees what ----------------------------------------------------------------------------


def user_sees_all_calls(user) -> bool:
    return bool(user.is_superuser or user.has_perm("care.view_all_calls"))


def calls_visible_to(user):
    """Every call for care managers; for care staff only the calls of their teams and their own."""
    calls = Call.objects.select_related("customer__organisation", "customer__person", "contact", "assignee", "team")
    if not user.is_authenticated:
        return calls.none()
    if user_sees_all_calls(user):
        return calls
    return calls.filter(Q(team__members=user) | Q(assignee=user)).distinct()


def customers_visible_to(user):
    customers = CustomerAccount.objects.select_related("organisation", "person", "team", "specialist")
    if not user.is_authenticated:
        return customers.none()
    if user_sees_all_calls(user):
        return customers
    return customers.filter(
        Q(team__members=user) | Q(specialist=user) | Q(calls__team__members=user) | Q(calls__assignee=user)
    ).distinct()


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))


def calls_due_today(user, *, today: date | None = None, mine_only: bool = False):
    """Open calls whose time has come by the end of today and whose deadline has not passed."""
    today = today or timezone.localdate()
    calls = calls_visible_to(user).filter(state=Call.State.OPEN, due_at__lt=_end_of_day(today), deadline__gte=today)
    return calls.filter(assignee=user) if mine_only else calls


def calls_overdue(user, *, today: date | None = None, mine_only: bool = False):
    today = today or timezone.localdate()
    calls = calls_visible_to(user).filter(state=Call.State.OPEN, deadline__lt=today)
    return calls.filter(assignee=user) if mine_only else calls


def calls_upcoming(user, *, today: date | None = None):
    today = today or timezone.localdate()
    return calls_visible_to(user).filter(state=Call.State.OPEN, due_at__gte=_end_of_day(today))


def call_queue_per_team(user, *, today: date | None = None) -> list[dict]:
    """For each team the user sees: calls due today and overdue."""
    today = today or timezone.localdate()
    teams = CareTeam.objects.all() if user_sees_all_calls(user) else CareTeam.objects.filter(members=user)
    open_calls = Q(calls__state=Call.State.OPEN)
    rows = teams.annotate(
        due_today=Count("calls", filter=open_calls & Q(calls__due_at__lt=_end_of_day(today),
                                                       calls__deadline__gte=today)),
        overdue=Count("calls", filter=open_calls & Q(calls__deadline__lt=today)),
    ).order_by("name")
    return [{"team": team, "due_today": team.due_today, "overdue": team.overdue} for team in rows]


def customer_recent_calls(customer: CustomerAccount, limit: int = 10):
    return customer.calls.select_related("assignee", "contact").order_by("-due_at", "-pk")[:limit]


def customer_devices(customer: CustomerAccount):
    return Device.objects.filter(customer=customer).select_related("product_line").order_by("-activated_on", "pk")


def customer_for_organisation(organisation) -> CustomerAccount | None:
    """The customer record of a company (specialist, direct line, mailbox), if it has one."""
    return CustomerAccount.objects.filter(organisation=organisation).select_related("specialist").first()


def customer_for_person(person) -> CustomerAccount | None:
    if person.organisation_id:
        found = CustomerAccount.objects.filter(organisation_id=person.organisation_id).first()
        if found:
            return found
    return CustomerAccount.objects.filter(person=person).first()


def customer_recent_complaints(customer: CustomerAccount, limit: int = 10) -> list:
    """The customer's recent complaints (the complaints part of care may not be there yet)."""
    try:
        from .models import Complaint
    except ImportError:
        return []
    query = Q(organisation_id=customer.organisation_id) if customer.organisation_id else Q(person_id=customer.person_id)
    return list(Complaint.objects.filter(query).order_by("-received_at", "-pk")[:limit])


def calls_for_customer_period(customer: CustomerAccount, start: datetime, end: datetime):
    """Calls of a customer closed in [start, end): for the key-account monthly report."""
    return customer.calls.filter(closed_at__gte=start, closed_at__lt=end).order_by("closed_at")


# Figures -----------------------------------------------------------------------------------------


def six_month_coverage(*, today: date | None = None) -> dict:
    """Share of active customers reached (a completed call) in the current half-year."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.combine(half_year_start(today), datetime.min.time()))
    active = CustomerAccount.objects.filter(active=True)
    total = active.count()
    completed = Call.objects.filter(
        state=Call.State.CLOSED, disposition=Call.Disposition.COMPLETED, closed_at__gte=start
    ).values("customer_id")
    reached = active.filter(pk__in=completed).count()
    return {"since": half_year_start(today), "active": total, "reached": reached,
            "share": round(reached / total, 4) if total else None}


def csat(*, since: datetime | None = None, until: datetime | None = None, ratings=None) -> dict:
    """Customer satisfaction: share of 4-5 ratings."""
    ratings = ratings if ratings is not None else SatisfactionRating.objects.all()
    if since:
        ratings = ratings.filter(created_at__gte=since)
    if until:
        ratings = ratings.filter(created_at__lt=until)
    figures = ratings.aggregate(total=Count("pk"), satisfied=Count("pk", filter=Q(score__gte=4)))
    total = figures["total"]
    return {"ratings": total, "satisfied": figures["satisfied"],
            "share": round(figures["satisfied"] / total, 4) if total else None}


def survey_response_rate(*, since: datetime | None = None, until: datetime | None = None) -> dict:
    """Answered survey links out of those sent."""
    invitations = SurveyInvitation.objects.all()
    if since:
        invitations = invitations.filter(created_at__gte=since)
    if until:
        invitations = invitations.filter(created_at__lt=until)
    figures = invitations.aggregate(sent=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
    sent = figures["sent"]
    return {"sent": sent, "answered": figures["answered"],
            "share": round(figures["answered"] / sent, 4) if sent else None}


def customer_satisfaction(customer: CustomerAccount, *, since=None, until=None) -> dict:
    return csat(since=since, until=until, ratings=SatisfactionRating.objects.filter(customer=customer))


# Other apps, read through their selectors --------------------------------------------------------
# The owning apps may not offer these yet: a missing module or function gives an empty list.


def _call_optional(module_name: str, function_name: str, **kwargs) -> list:
    """``module.function(**kwargs)`` as a list; [] when the module or function is missing or fails."""
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return []
    function = getattr(module, function_name, None)
    if function is None:
        return []
    try:
        return list(function(**kwargs))
    except Exception:  # an adapter must never break the call screen
        logger.exception("care: %s.%s failed", module_name, function_name)
        return []


def customer_valid_certificates(customer: CustomerAccount, person_ids: list[int]) -> list:
    """Valid certificates of the customer's staff (training.certificate_selectors)."""
    if customer.organisation_id:
        return _call_optional("training.certificate_selectors", "certificates_valid_for_organisation",
                              organisation_id=customer.organisation_id)
    found = []
    for person_id in person_ids:
        found += [c for c in _call_optional("training.certificate_selectors", "certificates_for_person",
                                            person_id=person_id) if str(getattr(c, "status", "valid")) == "valid"]
    return found


def people_training_signups(person_ids: list[int], limit: int = 10) -> list:
    """Training sign-ups of these people (training.selectors.signups_for_person, when it exists)."""
    found = []
    for person_id in person_ids:
        found += _call_optional("training.selectors", "signups_for_person", person_id=person_id)
    return found[:limit]


def people_journal_replies(person_ids: list[int], limit: int = 10) -> list:
    """Recent replies of these people to the journal (newsletter.selectors.replies_of_person)."""
    found = []
    for person_id in person_ids:
        found += _call_optional("newsletter.selectors", "replies_of_person", person_id=person_id)[:limit]
    return sorted(found, key=lambda r: getattr(r, "created_at", None) or timezone.now(), reverse=True)[:limit]
