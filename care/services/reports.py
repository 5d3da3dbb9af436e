"""Complaint figures: the weekly complaint report and the monthly key-account service report."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from wagtail.models import ModelLogEntry

from home.emails import attachment
from home.models import Organisation
from home.roles import CARE_MANAGERS
from home.services.outbox import outbox_enqueue_template
from training import selectors as training_selectors

from ..models import Call, Complaint, CustomerAccount, KeyAccountReport, SatisfactionRating
from ..pdf import key_account_report_pdf
from ..selectors import complaints_visible_to
from . import CareError
from .customers import customer_contacts


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)), timezone.get_current_timezone())


def _hours(delta: timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 3600, 1)


def _resolve_hours(complaints) -> list[float]:
    return [
        (c.resolved_at - c.received_at).total_seconds() / 3600 for c in complaints if c.resolved_at and c.received_at
    ]


def _average(values):
    return round(sum(values) / len(values), 1) if values else None


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_full_week() -> date:
    return week_start_of(timezone.localdate()) - timedelta(days=7)


TREND_WEEKS = 8  # the chosen week is compared with this many weeks before it
_CLOSED = {Complaint.State.RESOLVED, Complaint.State.CLOSED}


def _histories(complaints: list[Complaint]) -> dict[int, list[tuple[datetime, str]]]:
    """Each complaint's states over time: from its log entries (every transition logs the state it
    left the complaint in) and from its received, resolved and closed times (which staff may have
    entered after the fact), in time order."""
    events = {}
    for c in complaints:
        events[c.pk] = [(c.received_at, Complaint.State.NEW)]
        if c.resolved_at:
            events[c.pk].append((c.resolved_at, Complaint.State.RESOLVED))
        if c.closed_at:
            events[c.pk].append((c.closed_at, Complaint.State.CLOSED))
    states = set(Complaint.State.values)
    entries = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Complaint), object_id__in=[str(pk) for pk in events]
    ).values_list("object_id", "timestamp", "data")
    for object_id, moment, data in entries.iterator():
        state = (data or {}).get("state")
        if state in states:
            events[int(object_id)].append((moment, state))
    for history in events.values():
        history.sort(key=lambda event: event[0])
    return events


def _as_of(complaint: Complaint, history: list, moment: datetime) -> dict | None:
    """The complaint's state at ``moment`` and its SLA (resolution target) then; None before it came in."""
    before = [event for event in history if event[0] < moment]
    if complaint.received_at >= moment or not before:
        return None
    state = before[-1][1]
    due = complaint.resolution_due_at
    if state in _CLOSED:
        resolved_at = before[-1][0]
        for when, earlier in reversed(before):
            if earlier not in _CLOSED:
                break
            resolved_at = when
        sla = "none" if due is None else ("met" if resolved_at <= due else "late")
    else:
        sla = "none" if due is None else ("overdue" if due < moment else "on_track")
    return {"state": state, "open": state not in _CLOSED, "sla": sla}


def sla_labels() -> dict:
    return {"none": _("no target"), "met": _("resolved in time"), "late": _("resolved late"),
            "overdue": _("overdue"), "on_track": _("open, in time")}


def _row(complaint: Complaint, status: dict) -> dict:
    local = timezone.localtime
    person = complaint.person.name if complaint.person_id else ""
    organisation = complaint.organisation.name if complaint.organisation_id else ""
    return {
        "pk": complaint.pk,
        "reference": complaint.reference,
        "received_at": f"{local(complaint.received_at):%Y-%m-%d %H:%M}",
        "customer": " · ".join(part for part in (organisation, person) if part) or "–",
        "kind": str(complaint.get_kind_display()),
        "category": str(complaint.get_category_display()),
        "product_line": complaint.product_line.name if complaint.product_line_id else "",
        "priority": str(complaint.get_severity_display()),
        "state": str(Complaint.State(status["state"]).label),
        "sla": status["sla"],
        "sla_label": str(sla_labels()[status["sla"]]),
        "resolution_due_at": f"{local(complaint.resolution_due_at):%Y-%m-%d %H:%M}" if complaint.resolution_due_at else "",
        "summary": complaint.summary,
    }


def _counted(rows: list[dict], key: str, value_key: str | None = None) -> list[dict]:
    counts = {}
    for row in rows:
        label = row[key] or _("not given")
        entry = counts.setdefault(label, {"label": label, "count": 0, "value": row.get(value_key) if value_key else None})
        entry["count"] += 1
    return sorted(counts.values(), key=lambda entry: (-entry["count"], entry["label"]))


def complaint_weekly_figures(*, week_start: date, complaints=None) -> dict:
    """The week's (Monday to Sunday, local time) complaints listed and counted by category, product line
    and state at the week's end; how many were open and how many overdue at the end of the week (from
    each complaint's history, not today's state); the time to resolve what was resolved that week; and
    the same counts for the ``TREND_WEEKS`` weeks before. ``complaints``: the rows the reader may see."""
    base = Complaint.objects.all() if complaints is None else complaints
    week_start = week_start_of(week_start)
    weeks = [week_start - timedelta(days=7 * n) for n in range(TREND_WEEKS, -1, -1)]
    first, start, end = _start_of(weeks[0]), _start_of(week_start), _start_of(week_start + timedelta(days=7))
    # Closed before the first week began, a complaint is neither received nor open in any week shown.
    candidates = list(
        base.filter(received_at__lt=end)
        .exclude(Q(state__in=_CLOSED) & (Q(resolved_at__lt=first) | Q(closed_at__lt=first)))
        .select_related("person", "organisation", "product_line")
        .order_by("received_at", "pk")
    )
    histories = _histories(candidates)

    trend = []
    for monday in weeks:
        w_start, w_end = _start_of(monday), _start_of(monday + timedelta(days=7))
        statuses = [(c, _as_of(c, histories[c.pk], w_end)) for c in candidates]
        statuses = [(c, s) for c, s in statuses if s is not None]
        trend.append({
            "week_start": monday.isoformat(),
            "label": f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}",
            "received": sum(1 for c, _s in statuses if c.received_at >= w_start),
            "resolved": sum(1 for c, _s in statuses if c.resolved_at and w_start <= c.resolved_at < w_end),
            "open": sum(1 for _c, s in statuses if s["open"]),
            "overdue": sum(1 for _c, s in statuses if s["sla"] == "overdue"),
        })

    at_end = [(c, _as_of(c, histories[c.pk], end)) for c in candidates]
    at_end = [(c, s) for c, s in at_end if s is not None]
    items = [_row(c, s) | {"category_value": c.category, "product_line_id": c.product_line_id}
             for c, s in at_end if c.received_at >= start]
    open_rows = [_row(c, s) for c, s in at_end if s["open"]]
    resolved = list(base.filter(resolved_at__gte=start, resolved_at__lt=end))
    hours = sorted(_resolve_hours(resolved))
    iso = week_start.isocalendar()
    return {
        "week_start": week_start.isoformat(),
        "week_end": (week_start + timedelta(days=6)).isoformat(),
        "week_label": f"{iso.year}-W{iso.week:02d}",
        "received": len(items),
        "complaints": sum(1 for c, _s in at_end if c.received_at >= start and c.kind == Complaint.Kind.COMPLAINT),
        "suggestions": sum(1 for c, _s in at_end if c.received_at >= start and c.kind == Complaint.Kind.SUGGESTION),
        "items": items,
        "by_category": _counted(items, "category", "category_value"),
        "by_product_line": _counted(items, "product_line", "product_line_id"),
        "by_state": _counted(items, "state"),
        "resolved": len(resolved),
        "resolve_hours_average": _average(hours),
        "resolve_hours_median": round(hours[len(hours) // 2], 1) if hours else None,
        "open": len(open_rows),
        "open_items": open_rows,
        "overdue": [row for row in open_rows if row["sla"] == "overdue"],
        "trend": trend,
    }


def complaint_weekly_report_send(*, week_start: date | None = None) -> int:
    """Email last week's report to every care manager (once per week and manager). Returns the count."""
    if week_start is None:
        week_start = last_full_week()
    managers = get_user_model().objects.filter(groups__name=CARE_MANAGERS, is_active=True).exclude(email="")
    sent = 0
    for user in managers.distinct():
        figures = complaint_weekly_figures(week_start=week_start, complaints=complaints_visible_to(user))
        outbox_enqueue_template(
            template="care/emails/report_weekly",
            context={"figures": figures, "user": user},
            to_email=user.email,
            language=settings.LANGUAGE_CODE,
            kind="care.complaint_weekly_report",
            key=f"care-weekly-report:{week_start.isoformat()}:{user.pk}",
        )
        sent += 1
    return sent


# Key accounts ------------------------------------------------------------------------------------


def _training_figures(organisation: Organisation, start: datetime, end: datetime) -> dict:
    """Valid certificates of the account's staff, read through ``training.selectors``."""
    certificates = list(training_selectors.certificates_valid_for_organisation(organisation_id=organisation.pk))
    english = (get_language() or "").startswith("en")
    rows = [
        {
            "holder": cert.holder_name or str(cert.person),
            "course": (cert.course_title_en if english else "") or cert.course_title_zh_hans or str(cert.course),
            "number": cert.number,
            "expires_on": str(cert.expires_on or ""),
        }
        for cert in certificates
    ]
    issued = [c for c in certificates if c.issued_on and start.date() <= c.issued_on < end.date()]
    return {"valid_certificates": len(rows), "issued_this_month": len(issued), "certificates": rows}


def key_account_figures(*, organisation: Organisation, month: date) -> dict:
    month = month.replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    start, end = _start_of(month), _start_of(next_month)
    calls = Call.objects.filter(customer__organisation=organisation)
    calls_closed = calls.filter(closed_at__gte=start, closed_at__lt=end)
    complaints = Complaint.objects.filter(organisation=organisation)
    received = list(complaints.filter(received_at__gte=start, received_at__lt=end).order_by("received_at"))
    resolved = list(complaints.filter(resolved_at__gte=start, resolved_at__lt=end))
    ratings = SatisfactionRating.objects.filter(customer__organisation=organisation, created_at__gte=start,
                                                created_at__lt=end)
    rating = ratings.aggregate(n=Count("pk"), avg=Avg("score"), good=Count("pk", filter=Q(score__gte=4)))
    return {
        "organisation": organisation.name,
        "month": f"{month:%Y-%m}",
        "calls": {
            "made": calls_closed.count(),
            "completed": calls_closed.filter(disposition="completed").count(),
            "open": calls.filter(state="open").count(),
        },
        "complaints": {
            "received": len(received),
            "resolved": len(resolved),
            "resolve_hours_average": _average(_resolve_hours(resolved)),
            "items": [
                {"reference": c.reference, "date": f"{timezone.localtime(c.received_at):%Y-%m-%d}",
                 "kind": str(c.get_kind_display()), "summary": c.summary, "state": str(c.get_state_display()),
                 "resolve_hours": _hours(c.resolved_at - c.received_at) if c.resolved_at else None}
                for c in received
            ],
        },
        "training": _training_figures(organisation, start, end),
        "satisfaction": {
            "ratings": rating["n"],
            "average": round(rating["avg"], 2) if rating["avg"] is not None else None,
            "csat": round(100 * rating["good"] / rating["n"]) if rating["n"] else None,
        },
    }


def _report_contact(organisation: Organisation):
    account = CustomerAccount.objects.filter(organisation=organisation).first()
    people = customer_contacts(account) if account else organisation.people.order_by("do_not_contact", "pk")
    return next((p for p in people if p.email and not p.do_not_contact), None)


def key_account_report_generate(*, organisation_id: int, month: date, send: bool = True) -> KeyAccountReport:
    """Generate (once) the month's service report PDF for a key account and email it to its contact."""
    month = month.replace(day=1)
    organisation = Organisation.objects.get(pk=organisation_id)
    if not organisation.is_key_account:
        raise CareError(_("Only key accounts get a monthly service report."))
    existing = KeyAccountReport.objects.filter(organisation=organisation, month=month).first()
    if existing:
        return existing
    contact = _report_contact(organisation)
    language = contact.language if contact else settings.LANGUAGE_CODE
    with override(language):
        figures = key_account_figures(organisation=organisation, month=month)
        pdf = key_account_report_pdf(figures)
    try:
        with transaction.atomic():
            report = KeyAccountReport.objects.create(
                organisation=organisation, month=month, figures=figures, pdf=pdf,
                sent_to=contact.email if (contact and send) else "",
            )
            if contact and send:
                outbox_enqueue_template(
                    template="care/emails/report_key_account",
                    context={"figures": figures, "contact": contact},
                    to_email=contact.email,
                    language=language,
                    kind="care.key_account_report",
                    person=contact,
                    key=f"care-key-account-report:{organisation.pk}:{month:%Y-%m}",
                    attachments=[attachment(f"service-report-{month:%Y-%m}.pdf", pdf, "application/pdf")],
                )
    except IntegrityError:
        return KeyAccountReport.objects.get(organisation=organisation, month=month)
    return report


def key_account_reports_generate(*, month: date | None = None) -> list[int]:
    """Last month's report for every key account (on the 1st). Idempotent."""
    if month is None:
        month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    made = []
    for organisation in Organisation.objects.filter(is_key_account=True):
        made.append(key_account_report_generate(organisation_id=organisation.pk, month=month).pk)
    return made
