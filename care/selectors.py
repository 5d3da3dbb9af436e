"""Reads of customer care. Other apps read care data only through here.

Care reads other feature apps only through their ``selectors`` module, imported by name at the top
of this file: a missing selector is an import-time or attribute error, a failing one raises.
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from home.identity import normalise_mobile, phone_key
from home.models import Organisation, Person
from newsletter import selectors as journal_selectors
from training import selectors as training_selectors

from .models import (
    Call,
    CareTeam,
    Complaint,
    CustomerAccount,
    Device,
    GiftRecipient,
    SatisfactionRating,
    SurveyInvitation,
)
from .services.scheduling import half_year_start

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
    # Keys from small subqueries, not an OR across joined members and calls made DISTINCT: that took
    # over a second per listing with 25,000 customers (bench/customer_search.py).
    return customers.filter(
        Q(team__in=CareTeam.objects.filter(members=user).values("pk")) | Q(specialist=user)
        | Q(pk__in=Call.objects.filter(Q(team__members=user) | Q(assignee=user)).values("customer_id"))
    )


def ratings_visible_to(user):
    """Satisfaction ratings of the customers this user sees."""
    ratings = SatisfactionRating.objects.select_related("customer__organisation", "customer__person", "staff_member",
                                                        "product_line")
    if user.is_authenticated and user_sees_all_calls(user):
        return ratings
    return ratings.filter(customer__in=customers_visible_to(user).values("pk"))


def complaints_visible_to(user):
    """Every complaint for care managers (as for calls); for care staff the complaints of their teams'
    customers, those of no team's customer (nobody's yet: every team sees them), and those they took or
    are responsible for. A
    complaint belongs to the team of the customer account of its organisation, its person, or the
    person's organisation."""
    complaints = Complaint.objects.all()
    if not user.is_authenticated:
        return complaints.none()
    if user_sees_all_calls(user):
        return complaints
    mine = (Q(organisation__customer_account__team__members=user) | Q(person__customer_account__team__members=user)
            | Q(person__organisation__customer_account__team__members=user)
            | Q(received_by=user) | Q(responsible=user))
    some_team = (Q(organisation__customer_account__team__isnull=False)
                 | Q(person__customer_account__team__isnull=False)
                 | Q(person__organisation__customer_account__team__isnull=False))
    return complaints.filter(
        Q(pk__in=Complaint.objects.filter(mine).values("pk"))
        | ~Q(pk__in=Complaint.objects.filter(some_team).values("pk"))
    )


# Finding a customer from whatever the caller gives ---------------------------------------------


def _text_lookup(text: str) -> str:
    """``icontains`` from three characters (a trigram index serves it on PostgreSQL); a prefix for
    shorter text (a two-character Chinese name or its start), which the same index serves."""
    return "icontains" if len(text) >= 3 else "istartswith"


def customers_matching(text: str) -> Q:
    """A filter on CustomerAccount for one search text: a mobile or landline in any format, a name,
    a company, an email, a device serial, a certificate number (training.selectors) or an address.

    The text is read as what it looks like (an email, a phone number, else a name, company or
    address), and each identifier is looked up on its own table by its own indexed column; the
    customers are then picked by key. One OR across the joined people and devices of 100,000 people
    used no index and took seconds (bench/customer_search.py)."""
    text = " ".join((text or "").split())[:200]
    if not text:
        return Q(pk__in=[])
    digits = "".join(ch for ch in text if ch.isdigit())
    if "@" in text:
        people, query = Q(email=text.lower()), Q(mailbox__iexact=text)
    elif len(digits) >= 7 and len(digits) >= len(text.replace(" ", "")) - 4:
        try:
            mobile = normalise_mobile(text)
        except ValidationError:
            mobile = ""
        people = Q(mobile=mobile) if mobile else Q(pk__in=[])
        query = Q(direct_line_key__startswith=phone_key(text))
    else:
        lookup = _text_lookup(text)
        people = Q(**{f"name__{lookup}": text})
        query = Q(organisation__in=_keys(Organisation.objects.filter(**{f"name__{lookup}": text}), "pk"))
        if len(text) >= 3:
            query |= Q(address__icontains=text)
    query |= Q(pk__in=_keys(Device.objects.filter(serial__in={text, text.upper()}), "customer_id"))
    certificate = training_selectors.certificate_find(number=text.upper())
    if certificate is not None and certificate.person_id:
        people |= Q(pk=certificate.person_id)
    matched = Person.objects.filter(people).values_list("pk", "organisation_id")[:SEARCH_KEYS]
    return (query | Q(person__in=[pk for pk, _org in matched])
            | Q(organisation__in={org for _pk, org in matched if org}))


# Each identifier's matches are read first, on their own (a subquery inside the OR was planned as a
# scan); a search text matching more people or companies than this shows the first ones only.
SEARCH_KEYS = 1000


def _keys(queryset, field: str) -> list:
    return list(queryset.values_list(field, flat=True)[:SEARCH_KEYS])


def customers_find(user, text: str):
    """The customers this user may see that match ``text`` (see ``customers_matching``)."""
    matching = CustomerAccount.objects.filter(customers_matching(text)).values("pk")
    return customers_visible_to(user).filter(pk__in=matching)


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


LATE_WINDOW_DAYS = 30


def call_queue_per_team(user, *, today: date | None = None) -> list[dict]:
    """For each team the user sees: calls due today, overdue, and closed late in the last 30 days."""
    today = today or timezone.localdate()
    teams = CareTeam.objects.all() if user_sees_all_calls(user) else CareTeam.objects.filter(members=user)
    open_calls = Q(calls__state=Call.State.OPEN)
    since = _end_of_day(today - timedelta(days=LATE_WINDOW_DAYS))
    rows = teams.annotate(
        due_today=Count("calls", filter=open_calls & Q(calls__due_at__lt=_end_of_day(today),
                                                       calls__deadline__gte=today)),
        overdue=Count("calls", filter=open_calls & Q(calls__deadline__lt=today)),
        closed_late=Count("calls", filter=Q(calls__state=Call.State.CLOSED, calls__days_late__gt=0,
                                            calls__closed_at__gte=since)),
    ).order_by("name")
    return [{"team": team, "due_today": team.due_today, "overdue": team.overdue, "closed_late": team.closed_late}
            for team in rows]


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
    """The customer's recent complaints and suggestions."""
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


def customer_valid_certificates(customer: CustomerAccount, person_ids: list[int]) -> list:
    """Valid certificates of the customer's staff (training.selectors)."""
    if customer.organisation_id:
        return list(training_selectors.certificates_valid_for_organisation(organisation_id=customer.organisation_id))
    found = []
    for person_id in person_ids:
        found += [c for c in training_selectors.certificates_for_person(person_id=person_id) if str(c.status) == "valid"]
    return found


def people_training_signups(person_ids: list[int], limit: int = 10) -> list:
    """Training sign-ups of these people (training.selectors.signups_for_person)."""
    found = []
    for person_id in person_ids:
        found += list(training_selectors.signups_for_person(person_id=person_id))
    return found[:limit]


def people_journal_replies(person_ids: list[int], limit: int = 10) -> list:
    """Recent replies of these people to the journal (newsletter.selectors.replies_of_person)."""
    found = []
    for person_id in person_ids:
        found += list(journal_selectors.replies_of_person(person_id=person_id)[:limit])
    return sorted(found, key=lambda reply: reply.created_at, reverse=True)[:limit]


def people_journal_subscriptions(person_ids: list[int]) -> list:
    """Journal subscriptions of these people (newsletter.selectors.subscriptions_of_people)."""
    return list(journal_selectors.subscriptions_of_people(person_ids=person_ids))


def knowledge_articles_found(query: str, *, languages, limit: int = 10) -> list[dict]:
    """Live knowledge articles matching ``query`` in these languages, best first, each as
    {ref, title, language, product_line, url} (newsletter.selectors.knowledge_search)."""
    query = " ".join(str(query).split())[:100]
    found = []
    for language in dict.fromkeys(languages):
        for article in journal_selectors.knowledge_search(query=query, language=language, limit=limit):
            found.append({"ref": journal_selectors.knowledge_article_ref(article), "title": article.title,
                          "language": language, "product_line": article.product_line,
                          "url": journal_selectors.knowledge_article_link(article)})
    return found[:limit]


# The customer's whole story -----------------------------------------------------------------------
# Calls, complaints, training sign-ups, certificates, journal replies and gift letters in one
# chronological list (the call screen's timeline).

TIMELINE_KINDS = {
    "call": _("Calls"),
    "complaint": _("Complaints and suggestions"),
    "signup": _("Training sign-ups"),
    "certificate": _("Certificates"),
    "reply": _("Journal replies"),
    "gift": _("Gift letters"),
    "article": _("Articles emailed"),
}


def _moment(value):
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time.min))
    return timezone.now()


def customer_timeline(customer: CustomerAccount, person_ids: list[int], *, kind: str = "", limit: int = 200) -> list[dict]:
    """Entries {kind, kind_label, when, title, detail}, newest first; ``kind`` filters to one kind."""
    wanted = [kind] if kind in TIMELINE_KINDS else list(TIMELINE_KINDS)
    entries = []

    def add(entry_kind, when, title, detail=""):
        entries.append({"kind": entry_kind, "kind_label": TIMELINE_KINDS[entry_kind], "when": _moment(when),
                        "title": str(title), "detail": str(detail)})

    if "call" in wanted:
        for call in Call.objects.filter(customer=customer).order_by("-due_at")[:limit]:
            detail = call.get_disposition_display() if call.disposition else call.get_state_display()
            if call.notes:
                detail = f"{detail} · {Truncator(call.notes).chars(200)}"
            add("call", call.closed_at or call.due_at, call.get_purpose_display(), detail)
    if "complaint" in wanted:
        who = Q(person_id__in=person_ids)
        if customer.organisation_id:
            who |= Q(organisation_id=customer.organisation_id)
        for complaint in Complaint.objects.filter(who).order_by("-received_at")[:limit]:
            add("complaint", complaint.received_at, f"{complaint.get_kind_display()} {complaint.reference}: {complaint.summary}",
                complaint.get_state_display())
    if "signup" in wanted:
        for signup in training_selectors.signups_for_people(person_ids=person_ids)[:limit]:
            add("signup", signup.created_at, signup.session, f"{signup.person} · {signup.get_status_display()}")
    if "certificate" in wanted:
        for person_id in person_ids:
            for certificate in training_selectors.certificates_for_person(person_id=person_id)[:limit]:
                add("certificate", certificate.issued_on, f"{certificate.number} · {certificate.course_title_zh_hans}",
                    f"{certificate.holder_name} · {certificate.get_status_display()}")
    if "reply" in wanted:
        for person_id in person_ids:
            for reply in journal_selectors.replies_of_person(person_id=person_id)[:limit]:
                add("reply", reply.created_at, reply.issue or _("Journal"),
                    Truncator(strip_tags(reply.body)).chars(120))
    if "gift" in wanted:
        for recipient in GiftRecipient.objects.filter(person_id__in=person_ids).select_related("campaign")[:limit]:
            add("gift", recipient.created_at, recipient.campaign.name, recipient.get_state_display())
    if "article" in wanted:
        for sent in customer.article_links.select_related("person", "sent_by")[:limit]:
            sender = (sent.sent_by.get_full_name() or sent.sent_by.get_username()) if sent.sent_by else ""
            add("article", sent.sent_at, sent.title,
                _("to %(person)s by %(sender)s") % {"person": sent.person.name or sent.person.email, "sender": sender})
    entries.sort(key=lambda entry: entry["when"], reverse=True)
    return entries[:limit]


def complaints_of_person(*, person_id: int):
    """Complaints and suggestions a person filed, newest first (for the customer's own page)."""
    return Complaint.objects.filter(person_id=person_id).order_by("-received_at", "-pk")
