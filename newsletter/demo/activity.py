"""Demo history of the e-journal: confirmed subscribers over the past year, the first demo issue
already sent to them with opens, clicks, replies and "was this helpful?" answers, so that the
editors' dashboard has figures. The latest issue stays unsent, for editors to try sending.

Runs after the journal's demo pages (``newsletter.demo.pages``); idempotent (it does nothing once its subscribers exist).
"""

import random
import secrets
from datetime import timedelta

from django.utils import timezone

from home.models import Language, ProductLine
from home.services.consent import consent_record
from home.services.people import person_match_or_create

from ..models import Delivery, IssuePage, Recipient, SectionAnswer, Subscriber
from ..services.engagement import answer_choices, answer_record
from ..services.segments import segment_key, segment_normalise
from ..services.subscribers import consent_text

SOURCE = "demo history"
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "杰", "涛", "明"]


def load_activity(pages, stdout=None):
    if Subscriber.objects.filter(source=SOURCE).exists():
        return
    issues = list(IssuePage.objects.live().filter(locale__language_code="zh-hans").order_by("issue_date", "pk"))
    if len(issues) < 2:
        return
    rng = random.Random(2026)
    now = timezone.now()
    lines = list(ProductLine.objects.all())
    subscribers = []
    # Readers join every few days over more than a year, more of them lately (the list grows), so that
    # the growth chart has a shape by week, month, quarter and year.
    joins = sorted((now - timedelta(days=400 * rng.random() ** 1.6, hours=rng.randint(0, 23)) for _n in range(300)),
                   reverse=True)
    for n, joined in enumerate(joins):
        english = n % 4 == 0
        name = f"Reader {n}" if english else SURNAMES[n % 10] + GIVEN[n % 12]
        person = person_match_or_create(name=name, email=f"reader{n:03d}.demo@example.com",
                                        language=Language.EN if english else Language.ZH_HANS)
        subscriber = Subscriber.objects.create(
            person=person, status=Subscriber.Status.ACTIVE, source=SOURCE,
            language=Language.EN if english else Language.ZH_HANS,
        )
        subscriber.product_lines.set(rng.sample(lines, k=min(len(lines), rng.randint(1, 2))))
        Subscriber.objects.filter(pk=subscriber.pk).update(created_at=joined, confirmed_at=joined)
        consent_record(person=person, purpose="journal", granted=True, source=SOURCE, text=consent_text(subscriber.language))
        if joined < now - timedelta(days=21):  # subscribed before the issue was sent
            subscribers.append(subscriber)

    issue = issues[0]
    sent_at = now - timedelta(days=20)
    segment = segment_normalise({})
    delivery = Delivery.objects.create(
        issue=issue, issue_key=issue.translation_key, segment=segment, segment_key=segment_key(segment),
        state=Delivery.State.DONE, total=len(subscribers), started_at=sent_at, finished_at=sent_at + timedelta(minutes=2),
    )
    recipients = []
    for subscriber in subscribers:
        opened = rng.random() < 0.65
        clicked = opened and rng.random() < 0.4
        recipients.append(Recipient(
            delivery=delivery, subscriber=subscriber, issue_key=issue.translation_key, rid=secrets.token_hex(12),
            language=subscriber.language, state=Recipient.State.SENT, attempts=1, sent_at=sent_at,
            opened_at=sent_at + timedelta(hours=rng.randint(1, 72)) if opened else None,
            clicked_at=sent_at + timedelta(hours=rng.randint(1, 72)) if clicked else None,
            replied_at=sent_at + timedelta(days=1) if clicked and rng.random() < 0.3 else None,
        ))
    for recipient in recipients[-4:]:
        recipient.unsubscribed_at = sent_at + timedelta(days=2)
    Recipient.objects.bulk_create(recipients)

    questions = [child for child in issue.body if child.block_type in ("helpful", "poll")]
    for recipient in recipients:
        if recipient.opened_at is None:
            continue
        for child in questions:
            if rng.random() < 0.6:
                choices = answer_choices(child)
                choice = choices[0] if rng.random() < 0.75 else rng.choice(choices)
                answer = answer_record(issue_id=issue.pk, block_id=child.id, choice=choice, reader=recipient.rid,
                                       source="email")
                # Answers keep coming in after the send, until today.
                answered = sent_at + timedelta(hours=rng.randint(1, int((now - sent_at).total_seconds() // 3600)))
                SectionAnswer.objects.filter(pk=answer.pk).update(created_at=answered)
    if stdout is not None:
        stdout.write(f"newsletter: {len(subscribers)} demo subscribers and the history of one sent issue\n")
