"""People and organisations: match new input to an existing person by normalised email or mobile."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from home.identity import normalise_email, normalise_mobile
from home.models import Language, Organisation, Person


def organisation_get_or_create(*, name: str, is_key_account: bool | None = None) -> Organisation | None:
    name = " ".join((name or "").split())
    if not name:
        return None
    org = Organisation.objects.filter(name_key=name.casefold()).first()
    if org is None:
        try:
            with transaction.atomic():
                org = Organisation(name=name, is_key_account=bool(is_key_account))
                org.full_clean(exclude=["name_key"])
                org.save()
        except IntegrityError:
            org = Organisation.objects.get(name_key=name.casefold())
    if is_key_account is not None and org.is_key_account != is_key_account:
        org.is_key_account = is_key_account
        org.save(update_fields=["is_key_account", "name_key"])
    return org


@transaction.atomic
def person_match_or_create(
    *,
    name: str = "",
    email: str = "",
    mobile: str = "",
    language: str = "",
    organisation_name: str = "",
    update: bool = True,
) -> Person:
    """Find the person with this email or mobile (normalised), or create one.

    Known details are filled in where missing; with ``update`` the name, language and organisation
    given replace the stored ones. Raises ValidationError for an invalid email or mobile.
    """
    email = normalise_email(email)
    mobile = normalise_mobile(mobile)
    if not email and not mobile:
        raise ValidationError(_("Give an email address or a mobile number."))
    query = Q()
    if email:
        query |= Q(email=email)
    if mobile:
        query |= Q(mobile=mobile)
    matches = list(Person.objects.select_for_update().filter(query).order_by("pk"))
    person = next((p for p in matches if email and p.email == email), None) or (matches[0] if matches else None)
    if person is None:
        person = Person()
    if email and not person.email:
        person.email = email
    if mobile and not person.mobile and not Person.objects.filter(mobile=mobile).exclude(pk=person.pk).exists():
        person.mobile = mobile
    name = " ".join((name or "").split())
    if name and (update or not person.name):
        person.name = name
    if language in Language.values and (update or not person.pk):
        person.language = language
    organisation = organisation_get_or_create(name=organisation_name)
    if organisation and (update or person.organisation_id is None):
        person.organisation = organisation
    person.full_clean()
    person.save()
    return person
