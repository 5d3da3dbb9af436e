"""People and organisations: match new input to an existing person by normalised email or mobile."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
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


def organisations_get_or_create(*, names) -> dict[str, int]:
    """Bulk ``organisation_get_or_create``: {name key (case-folded, spaces collapsed): organisation id}."""
    wanted = {}
    for name in names:
        name = " ".join((name or "").split())
        if name:
            wanted.setdefault(name.casefold(), name)
    found = dict(Organisation.objects.filter(name_key__in=wanted).values_list("name_key", "id"))
    missing = [Organisation(name=name, name_key=key) for key, name in wanted.items() if key not in found]
    if missing:
        Organisation.objects.bulk_create(missing, ignore_conflicts=True)
        found.update(Organisation.objects.filter(name_key__in=[o.name_key for o in missing])
                     .values_list("name_key", "id"))
    return found


def people_upsert_from_table(*, table: str) -> None:
    """Bulk ``person_match_or_create(update=True)`` by normalised email, set-based, for imports.

    ``table`` (a temporary table) has the columns ``email`` (normalised, one row per address), ``name``
    (spaces collapsed), ``language``, ``company_key`` (an organisation's ``name_key`` or '') and
    ``person_id``, which this fills. A known person gets the language, and the name and organisation
    where given. The email uniqueness is a partial index (``email <> ''``), which
    ``bulk_create(update_conflicts=…)`` cannot name as its conflict target, hence the SQL (PostgreSQL and
    SQLite alike): one upsert and one update, whatever the number of rows.
    """
    person = connection.ops.quote_name(Person._meta.db_table)
    organisation = connection.ops.quote_name(Organisation._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {person} (name, email, mobile, language, organisation_id, do_not_contact, created_at, "  # noqa: S608
            f"updated_at) SELECT r.name, r.email, '', r.language, o.id, %s, %s, %s FROM {table} r "
            f"LEFT JOIN {organisation} o ON o.name_key = r.company_key WHERE true "
            f"ON CONFLICT (email) WHERE NOT (email = '') DO UPDATE SET "
            f"name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE {person}.name END, "
            f"language = excluded.language, "
            f"organisation_id = COALESCE(excluded.organisation_id, {person}.organisation_id), "
            f"updated_at = excluded.updated_at",
            [False, now, now],
        )
        cursor.execute(f"UPDATE {table} AS r SET person_id = p.id FROM {person} AS p "  # noqa: S608
                       f"WHERE p.email = r.email AND NOT (p.email = '')")
