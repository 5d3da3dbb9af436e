"""Writes about customers and their contacts."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.models import AccessLog, Organisation, Person
from home.services.people import organisation_get_or_create, person_match_or_create
from home.services.rights import access_log_record

from ..models import CareTeam, CustomerAccount
from . import CareError


def errors_text(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


def customer_get_or_create(
    *, organisation: Organisation | None = None, person: Person | None = None
) -> CustomerAccount:
    """The customer account of a company (by organisation) or of a private person.

    A person of a company that is a customer belongs to that company's account.
    """
    if organisation is None and person is not None and person.organisation_id:
        organisation = person.organisation
    if organisation is not None:
        lookup = {"organisation": organisation, "defaults": {"kind": CustomerAccount.Kind.COMPANY}}
    elif person is not None:
        lookup = {"person": person, "defaults": {"kind": CustomerAccount.Kind.PERSON}}
    else:
        raise CareError(_("A customer needs an organisation or a person."))
    try:
        with transaction.atomic():
            customer, _created = CustomerAccount.objects.get_or_create(**lookup)
    except IntegrityError:
        lookup.pop("defaults")
        customer = CustomerAccount.objects.get(**lookup)
    return customer


@transaction.atomic
def customer_create(
    *,
    organisation_name: str = "",
    contact_name: str = "",
    email: str = "",
    mobile: str = "",
    language: str = "zh-hans",
    address: str = "",
    team: CareTeam | None = None,
    is_key_account: bool = False,
    specialist=None,
    direct_line: str = "",
    mailbox: str = "",
    acting_user=None,
) -> CustomerAccount:
    """Create (or find) a company customer with its first contact, or a private customer."""
    person = None
    if email or mobile:
        try:
            person = person_match_or_create(
                name=contact_name, email=email, mobile=mobile, language=language, organisation_name=organisation_name,
                update=True,
            )
        except ValidationError as exc:
            raise CareError(errors_text(exc))
    organisation = organisation_get_or_create(name=organisation_name, is_key_account=is_key_account or None)
    customer = customer_get_or_create(organisation=organisation, person=person)
    customer.address = address or customer.address
    customer.team = team or customer.team
    customer.specialist = specialist or customer.specialist
    customer.direct_line = direct_line or customer.direct_line
    customer.mailbox = mailbox or customer.mailbox
    customer_save(customer=customer, acting_user=acting_user)
    return customer


def customer_save(*, customer: CustomerAccount, acting_user=None) -> CustomerAccount:
    """Validate and store a customer edited in the admin."""
    try:
        customer.full_clean()
    except ValidationError as exc:
        raise CareError(errors_text(exc))
    customer.save()
    if acting_user is not None:
        log(instance=customer, action="care.customer_save", user=acting_user)
    return customer


def contact_add(
    *, customer: CustomerAccount, name: str, email: str = "", mobile: str = "", language: str = "zh-hans",
    acting_user=None,
) -> Person:
    """Add a contact person to a company customer (matched to an existing person by email or mobile)."""
    if customer.kind != CustomerAccount.Kind.COMPANY:
        raise CareError(_("Only a company customer has several contacts."))
    try:
        person = person_match_or_create(
            name=name, email=email, mobile=mobile, language=language, organisation_name=customer.organisation.name,
            update=True,
        )
    except ValidationError as exc:
        raise CareError(errors_text(exc))
    if acting_user is not None:
        log(instance=customer, action="care.contact_add", user=acting_user, data={"person": person.pk})
    return person


def customer_contacts(customer: CustomerAccount):
    """The people to phone for a customer, the most reachable first."""
    if customer.person_id:
        return Person.objects.filter(pk=customer.person_id)
    return Person.objects.filter(organisation_id=customer.organisation_id).order_by("do_not_contact", "pk")


def customer_primary_contact(customer: CustomerAccount) -> Person | None:
    for person in customer_contacts(customer):
        if not person.do_not_contact and (person.mobile or person.email):
            return person
    return None


def _reveal_what(call) -> str:
    return f"care call {call.pk}: mobile revealed"


def contact_reveal(*, call, person: Person, user, path: str = "") -> bool:
    """Show a contact's full mobile number on a call screen: logged once per user, call and person
    (who and when, in the personal-data access log). Returns whether this was the first reveal."""
    what = _reveal_what(call)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if AccessLog.objects.filter(user=user, person=person, what=what).exists():
            return False
        access_log_record(user=user, person=person, what=what, path=path)
    return True


def revealed_contacts(*, call, user) -> set[int]:
    """Ids of the contacts whose number this user has revealed on this call."""
    return set(AccessLog.objects.filter(user=user, what=_reveal_what(call)).values_list("person_id", flat=True))
