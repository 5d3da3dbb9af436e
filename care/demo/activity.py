"""A year of care history for the demo: worked calls, ratings, resolved complaints and a launched
gift campaign, so that dashboards and customer timelines have something to show.

Runs after the other care demo loaders; idempotent (it does nothing once its calls exist).
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from ..models import Call, CallPurpose, Complaint, CustomerAccount, GiftCampaign, GiftRecipient, SatisfactionRating
from ..services.campaigns import campaign_preview, gift_address_enter, gift_campaign_launch, gift_recipient_set_state
from ..services.complaints import complaint_resolve
from ..services.daycounts import day_counts_rebuild
from .complaints import checklist_tick_all
from .history import load_history

MARK = "demo-history-"


def load_day_counts(pages, stdout=None):
    """The dashboards' per-day counts of the demo calls and complaints (written around the services)."""
    day_counts_rebuild()


def load_activity(pages, stdout=None):
    load_history(stdout)
    if Call.objects.filter(period_key__startswith=MARK).exists():
        return
    rng = random.Random(2026)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["carestaff", "caremanager"])}
    customers = list(CustomerAccount.objects.select_related("organisation", "person").order_by("pk"))
    if not customers or len(users) < 2:
        return
    now = timezone.now()
    for i in range(72):
        when = now - timedelta(days=rng.randint(0, 330), hours=rng.randint(0, 6))
        customer = customers[i % len(customers)]
        completed = rng.random() < 0.8
        call = Call(
            customer=customer,
            contact=customer.person or customer.organisation.people.order_by("pk").first(),
            purpose=rng.choice([CallPurpose.SIX_MONTHLY, CallPurpose.WELCOME]),
            period_key=f"{MARK}{i}",
            due_at=when,
            deadline=when.date(),
            team=customer.team,
            assignee=users["carestaff"] if i % 4 else users["caremanager"],
            state=Call.State.CLOSED,
            disposition=Call.Disposition.COMPLETED if completed else Call.Disposition.REFUSED,
            closed_at=when + timedelta(minutes=15),
        )
        call.full_clean(validate_constraints=False)
        call.save()
        if completed and rng.random() < 0.75:
            rating = SatisfactionRating.objects.create(
                score=rng.choice([5, 5, 4, 4, 4, 3, 2]), source=SatisfactionRating.Source.CALL, customer=customer,
                person=call.contact, call=call, staff_member=call.assignee,
            )
            SatisfactionRating.objects.filter(pk=rating.pk).update(created_at=call.closed_at)

    manager = users["caremanager"]
    this_year = Complaint.objects.filter(
        received_at__year=now.year, state__in=[Complaint.State.NEW, Complaint.State.IN_PROGRESS]
    ).order_by("received_at")
    for complaint in list(this_year)[:3]:
        checklist_tick_all(complaint.pk, manager)
        complaint_resolve(complaint_id=complaint.pk, acting_user=manager, notify=False,
                          resolution="已更换设备并回访确认 / Replaced the device and confirmed by phone")
        resolved = min(complaint.received_at + timedelta(hours=rng.randint(6, 96)), now)
        Complaint.objects.filter(pk=complaint.pk).update(resolved_at=resolved)

    campaign = GiftCampaign.objects.filter(state=GiftCampaign.State.DRAFT, letter_template__isnull=False).first()
    if campaign is not None:
        gift_campaign_launch(campaign_id=campaign.pk, acting_user=manager,
                             previewed=campaign_preview(campaign)["digest"])
        recipients = campaign.recipients.filter(state=GiftRecipient.State.ADDRESS_TO_CONFIRM).order_by("pk")
        for n, recipient in enumerate(recipients[:3]):
            gift_address_enter(recipient_id=recipient.pk, name=recipient.ship_name or "客户", phone=f"1380013{8100 + n}",
                               address=f"上海市浦东新区世纪大道{100 + n}号", postcode="200120", acting_user=manager)
            if n < 2:
                gift_recipient_set_state(recipient_id=recipient.pk, state=GiftRecipient.State.SHIPPED, acting_user=manager,
                                         courier="顺丰速运", tracking=f"SF{1000000 + recipient.pk}")
    if stdout is not None:
        stdout.write("care: a year of demo call history, ratings, resolved complaints and a launched gift campaign\n")
