"""Writes about customers, their contacts and their devices."""

import csv
import io
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.models import Organisation, Person, ProductLine
from home.services.people import organisation_get_or_create, person_match_or_create

from ..models import CareTeam, CustomerAccount, Device
from ..scheduling import add_months
from . import CareError


def _errors(exc: ValidationError) -> str:
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
                name=contact_name, email=email, mobile=mobile, language=language, organisation_name=organisation_name
            )
        except ValidationError as exc:
            raise CareError(_errors(exc))
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
        raise CareError(_errors(exc))
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
            name=name, email=email, mobile=mobile, language=language, organisation_name=customer.organisation.name
        )
    except ValidationError as exc:
        raise CareError(_errors(exc))
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


# Devices -----------------------------------------------------------------------------------------


@transaction.atomic
def device_register(
    *,
    customer: CustomerAccount,
    product_line: ProductLine,
    model: str,
    serial: str,
    service_station: str = "",
    activated_on: date | None = None,
    warranty_until: date | None = None,
    acting_user=None,
) -> Device:
    """Register a device; when it comes with an activation date, its welcome call is scheduled too."""
    serial = (serial or "").strip()
    device = Device(
        customer=customer, product_line=product_line, model=(model or "").strip(), serial=serial,
        service_station=(service_station or "").strip(),
    )
    try:
        device.full_clean(exclude=["activated_on", "warranty_until"])
    except ValidationError as exc:
        raise CareError(_errors(exc))
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError:
        raise CareError(_("A device with serial number %(serial)s is already registered.") % {"serial": serial})
    if acting_user is not None:
        log(instance=device, action="care.device_register", user=acting_user)
    if activated_on:
        device = device_activate(
            device_id=device.pk, activated_on=activated_on, warranty_until=warranty_until, acting_user=acting_user
        )
    return device


@transaction.atomic
def device_activate(
    *, device_id: int, activated_on: date | None = None, warranty_until: date | None = None, acting_user=None
) -> Device:
    """Mark a device activated (today by default) and schedule the customer's welcome call."""
    from .calls import call_ensure_welcome

    device = Device.objects.select_for_update(of=("self",)).select_related("customer").get(pk=device_id)
    if device.activated_on:
        raise CareError(_("This device was already activated on %(date)s.") % {"date": device.activated_on})
    device.activated_on = activated_on or timezone.localdate()
    device.warranty_until = warranty_until or add_months(
        device.activated_on, getattr(settings, "CARE_WARRANTY_MONTHS", 12)
    )
    try:
        device.full_clean()
    except ValidationError as exc:
        raise CareError(_errors(exc))
    device.save(update_fields=["activated_on", "warranty_until"])
    if acting_user is not None:
        log(instance=device, action="care.device_activate", user=acting_user)
    call_ensure_welcome(device=device)
    return device


CSV_COLUMNS = ["customer", "product_line", "model", "serial", "activated_on", "warranty_until", "service_station"]


def _customer_from_cell(value: str) -> CustomerAccount | None:
    value = " ".join((value or "").split())
    if not value:
        return None
    customer = CustomerAccount.objects.filter(organisation__name_key=value.casefold()).first()
    if customer:
        return customer
    from home.selectors import person_find

    if "@" in value:
        people = person_find(email=value)
    else:
        people = person_find(mobile=value)
    person = people.first()
    if person is None:
        return None
    return CustomerAccount.objects.filter(person=person).first() or (
        CustomerAccount.objects.filter(organisation_id=person.organisation_id).first() if person.organisation_id else None
    )


def _date_cell(value: str, label: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CareError(_("%(field)s is not a date like 2026-03-31: %(value)s") % {"field": label, "value": value})


def devices_import_csv(*, data: bytes | str, acting_user=None) -> dict:
    """Import devices from CSV (columns: CSV_COLUMNS; UTF-8, a BOM is fine).

    Each row is imported on its own; returns {"imported": n, "rejected": [{"line", "serial", "reason"}]}.
    """
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(data))
    missing = [c for c in ("customer", "product_line", "model", "serial") if c not in (reader.fieldnames or [])]
    if missing:
        raise CareError(_("The file lacks the columns: %(columns)s") % {"columns": ", ".join(missing)})
    lines = {pl.slug: pl for pl in ProductLine.objects.all()}
    imported, rejected = 0, []
    for row in reader:
        line_no = reader.line_num
        serial = (row.get("serial") or "").strip()
        try:
            customer = _customer_from_cell(row.get("customer", ""))
            if customer is None:
                raise CareError(_("Unknown customer: %(value)s") % {"value": row.get("customer", "")})
            product_line = lines.get((row.get("product_line") or "").strip())
            if product_line is None:
                raise CareError(_("Unknown product line: %(value)s") % {"value": row.get("product_line", "")})
            if not serial:
                raise CareError(_("The serial number is missing."))
            activated_on = _date_cell(row.get("activated_on", ""), _("activation date"))
            warranty_until = _date_cell(row.get("warranty_until", ""), _("warranty end"))
            if activated_on and activated_on > timezone.localdate():
                raise CareError(_("The activation date is in the future."))
            device_register(
                customer=customer, product_line=product_line, model=row.get("model", ""), serial=serial,
                service_station=row.get("service_station", ""), activated_on=activated_on,
                warranty_until=warranty_until, acting_user=acting_user,
            )
        except CareError as exc:
            rejected.append({"line": line_no, "serial": serial, "reason": str(exc)})
        else:
            imported += 1
    return {"imported": imported, "rejected": rejected}
