"""Complaint figures: the weekly complaint report and the monthly key-account service report."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from home.emails import attachment
from home.models import Organisation
from home.roles import CARE_MANAGERS
from home.services.outbox import outbox_enqueue_template
from training import selectors as training_selectors

from ..models import Call, Complaint, CustomerAccount, KeyAccountReport, SatisfactionRating, WorkOrder
from ..pdf import key_account_report_pdf
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


def complaint_weekly_figures(*, week_start: date) -> dict:
    """Counts by category, product line and state of what came in that week (Monday to Sunday), the
    time to resolve what was resolved that week, and the work orders overdue now."""
    start, end = _start_of(week_start), _start_of(week_start + timedelta(days=7))
    received = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
    categories = dict(Complaint.Category.choices)
    states = dict(Complaint.State.choices)
    by_category = [
        {"label": str(categories.get(row["category"], row["category"])), "count": row["n"]}
        for row in received.values("category").annotate(n=Count("pk")).order_by("-n", "category")
    ]
    by_state = [
        {"label": str(states.get(row["state"], row["state"])), "count": row["n"]}
        for row in received.values("state").annotate(n=Count("pk")).order_by("-n", "state")
    ]
    product_lines = {}
    for complaint in received.select_related("product_line"):
        label = complaint.product_line.name if complaint.product_line_id else _("not given")
        product_lines[label] = product_lines.get(label, 0) + 1
    by_product_line = [{"label": k, "count": v} for k, v in sorted(product_lines.items(), key=lambda kv: -kv[1])]
    resolved = list(Complaint.objects.filter(resolved_at__gte=start, resolved_at__lt=end))
    hours = sorted(_resolve_hours(resolved))
    now = timezone.now()
    overdue = list(
        WorkOrder.objects.filter(closed_at__isnull=True, paused_at__isnull=True, due_at__lt=now)
        .select_related("complaint", "support_group")
        .order_by("due_at")
    )
    return {
        "week_start": week_start.isoformat(),
        "week_end": (week_start + timedelta(days=6)).isoformat(),
        "received": received.count(),
        "complaints": received.filter(kind=Complaint.Kind.COMPLAINT).count(),
        "suggestions": received.filter(kind=Complaint.Kind.SUGGESTION).count(),
        "by_category": by_category,
        "by_product_line": by_product_line,
        "by_state": by_state,
        "resolved": len(resolved),
        "resolve_hours_average": _average(hours),
        "resolve_hours_median": round(hours[len(hours) // 2], 1) if hours else None,
        "open": Complaint.objects.exclude(state__in=[Complaint.State.RESOLVED, Complaint.State.CLOSED]).count(),
        "overdue": [
            {"reference": o.complaint.reference, "summary": o.complaint.summary, "group": o.support_group.name,
             "due_at": timezone.localtime(o.due_at).strftime("%Y-%m-%d %H:%M")}
            for o in overdue
        ],
    }


def complaint_weekly_report_send(*, week_start: date | None = None) -> int:
    """Email last week's report to every care manager (once per week and manager). Returns the count."""
    if week_start is None:
        week_start = week_start_of(timezone.localdate()) - timedelta(days=7)
    figures = complaint_weekly_figures(week_start=week_start)
    managers = get_user_model().objects.filter(groups__name=CARE_MANAGERS, is_active=True).exclude(email="")
    sent = 0
    for user in managers.distinct():
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
