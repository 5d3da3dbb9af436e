"""A daily year of care work for the demo, so that every dashboard chart has a shape by week, month,
quarter and year: calls completed by each care account every working day, a queue due today and
overdue, complaints of every category with work orders (some past their SLA), and ratings after calls
and after complaints with the survey invitations behind them.

Rows are written in bulk (the services would send mail and log each step); idempotent by ``MARK``.
"""

import random
import secrets
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from home.models import ProductLine

from ..models import (
    Call,
    CallPurpose,
    Complaint,
    CustomerAccount,
    SatisfactionRating,
    SupportGroup,
    SurveyInvitation,
    WorkOrder,
)
from ..services.calls import call_schedule

MARK = "demo-daily-"
DAYS = 400
CATEGORY_WEIGHTS = {"network": 4, "repair": 3, "product": 3, "billing": 2}


def load_history(stdout=None):
    if Call.objects.filter(period_key__startswith=MARK).exists():
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["carestaff", "caremanager"])}
    customers = list(CustomerAccount.objects.select_related("organisation", "person").order_by("pk"))
    groups = list(SupportGroup.objects.order_by("pk"))
    if not customers or len(users) < 2 or not groups:
        return
    rng = random.Random(20)
    today = timezone.localdate()
    calls, ratings = _calls(rng, today, users, customers)
    Call.objects.bulk_create(calls, batch_size=1000)
    for rating in ratings:  # the call's pk is known only now
        rating.call_id = rating.call.pk
    _bulk_in_time(SatisfactionRating, ratings)
    _complaints(rng, today, customers, groups, users["caremanager"])
    call_schedule(today=today)  # the follow-up calls of the complaints just resolved, as every day
    if stdout is not None:
        stdout.write(f"care: {len(calls)} days-by-day demo calls and a year of complaints\n")


def _moment(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _contact(customer):
    return customer.person or customer.organisation.people.order_by("pk").first()


def _calls(rng, today, users, customers):
    calls, ratings = [], []
    n = 0
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        busy = 1 if day.weekday() >= 5 else 2 + (day.month % 3)  # a seasonal rhythm
        for username, per_day in (("carestaff", busy + rng.randint(0, 2)), ("caremanager", rng.randint(0, 2))):
            for _i in range(per_day):
                customer = customers[n % len(customers)]
                done = rng.random() < 0.85
                closed = _moment(day, rng.randint(9, 17), rng.randint(0, 59))
                call = Call(
                    customer=customer, contact=_contact(customer), purpose=rng.choice(
                        [CallPurpose.SIX_MONTHLY, CallPurpose.WELCOME, CallPurpose.QUALITY_CONTROL]),
                    period_key=f"{MARK}{n}", due_at=closed - timedelta(hours=2), deadline=day, team=customer.team,
                    assignee=users[username], state=Call.State.CLOSED, closed_at=closed,
                    disposition=Call.Disposition.COMPLETED if done else Call.Disposition.REFUSED,
                )
                calls.append(call)
                n += 1
                if done and rng.random() < 0.5:
                    ratings.append(SatisfactionRating(
                        score=rng.choice([5, 5, 4, 4, 4, 3, 2]), source=SatisfactionRating.Source.CALL,
                        customer=customer, person=call.contact, call=call, staff_member=call.assignee,
                        created_at=closed))
    # The queue: due today, and overdue since one to five days.
    for i in range(9):
        customer = customers[(n + i) % len(customers)]
        late = i % 3 == 0
        deadline = today - timedelta(days=1 + i % 5) if late else today + timedelta(days=2)
        calls.append(Call(
            customer=customer, contact=_contact(customer), purpose=CallPurpose.SIX_MONTHLY,
            period_key=f"{MARK}open-{i}", due_at=_moment(deadline if late else today, 9 + i),
            deadline=deadline, team=customer.team, assignee=users["carestaff"], state=Call.State.OPEN,
        ))
    return calls, ratings


def _complaints(rng, today, customers, groups, manager):
    now = timezone.now()
    categories = [c for c, w in CATEGORY_WEIGHTS.items() for _i in range(w)]
    people = [(c, _contact(c)) for c in customers if _contact(c) is not None]
    lines = list(ProductLine.objects.filter(active=True).order_by("pk")) or [None]
    complaints = []
    for back in range(DAYS, -1, -1):
        day = today - timedelta(days=back)
        for _i in range(rng.choice([2, 3, 3, 4, 4, 5] if day.weekday() < 5 else [1, 1, 2])):
            customer, person = rng.choice(people)
            received = _moment(day, rng.randint(8, 20), rng.randint(0, 59))
            if received > now:
                continue
            resolved = received + timedelta(hours=rng.choice([4, 8, 20, 30, 48, 72, 120]))
            # Older complaints are all resolved; about one in seven of the last fortnight's is still being worked on.
            done = resolved < now and (back > 14 or rng.random() < 0.85)
            complaints.append(Complaint(
                kind=Complaint.Kind.COMPLAINT, channel=rng.choice(Complaint.Channel.values),
                category=rng.choice(categories), product_line=rng.choice(lines), severity=rng.choice(["low", "medium", "medium", "high"]),
                summary=f"{MARK}{len(complaints)}", description="<p>演示 / demo</p>", person=person,
                state=Complaint.State.RESOLVED if done else Complaint.State.IN_PROGRESS, received_at=received,
                resolved_at=resolved if done else None,
                resolution="已排查并解决，回访确认 / Investigated, fixed and confirmed by phone" if done else "",
            ))
    Complaint.objects.bulk_create(complaints, batch_size=1000)
    complaints = list(Complaint.objects.filter(summary__startswith=MARK).order_by("received_at"))
    orders, invitations, ratings = [], [], []
    for complaint in complaints:
        if rng.random() < 0.6:
            sla = rng.choice([24, 48])
            due = complaint.received_at + timedelta(hours=sla)
            orders.append(WorkOrder(
                complaint=complaint, support_group=rng.choice(groups), sla_hours=sla, opened_at=complaint.received_at,
                due_at=due, closed_at=complaint.resolved_at, opened_by=manager,
            ))
        if complaint.resolved_at is None:
            continue
        customer = next(c for c, p in people if p.pk == complaint.person_id)
        sent = complaint.resolved_at + timedelta(hours=1)
        invitation = SurveyInvitation(
            token=secrets.token_urlsafe(24), customer=customer, person=complaint.person,
            reason=f"complaint-{complaint.pk}", complaint=complaint, expires_at=sent + timedelta(days=14),
            created_at=sent,
        )
        if rng.random() < 0.7 and sent + timedelta(hours=20) < now:
            answered = sent + timedelta(hours=rng.randint(1, 20))
            invitation.answered_at = answered
            ratings.append(SatisfactionRating(
                score=rng.choice([5, 5, 4, 4, 3, 2, 1]), source=SatisfactionRating.Source.SURVEY, customer=customer,
                person=complaint.person, complaint=complaint, created_at=answered))
        invitations.append(invitation)
    WorkOrder.objects.bulk_create(orders, batch_size=1000)
    _bulk_in_time(SatisfactionRating, ratings)
    _bulk_in_time(SurveyInvitation, invitations)


def _bulk_in_time(model, rows):
    """Create ``rows``, then put each back in its day (``auto_now_add`` stamps "now" in bulk_create)."""
    when = {}
    for row in rows:
        when.setdefault(row.created_at, []).append(row)
    model.objects.bulk_create(rows, batch_size=1000)
    for moment, saved in when.items():
        model.objects.filter(pk__in=[row.pk for row in saved]).update(created_at=moment)
