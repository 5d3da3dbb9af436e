"""People and organisations: match new input to an existing person by normalised email and mobile.

Two kinds of input reach these services:

- Staff (the care screen, a subscriber import) are trusted: ``person_match_or_create(update=True)``
  matches by email or mobile, fills in what is missing and replaces the name, language and
  organisation given.
- Public forms (class booking, complaint form, journal subscription, reader replies) are not:
  with ``update=False`` (the default) a known person's stored details are never changed. The
  submission is attached to a known person only when every identifier given agrees with that
  person's stored details: email and mobile both equal when both are given, or the one identifier
  given equal when only one is given. Anything else (a stranger's mobile with a new email, a known
  email with another mobile, or with a mobile the person has not given before) makes a separate
  person flagged ``duplicate_of`` the person it resembles, for a care manager to merge
  (``person_merge``) or keep apart (``person_keep_apart``).

Concurrent first submissions of one email both succeed: the loser of the insert race re-reads the
winner's row inside a savepoint and attaches to it.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.exceptions import HomeError
from home.identity import normalise_email, normalise_mobile, normalise_name
from home.models import Language, Organisation, Person


def organisation_get_or_create(*, name: str, is_key_account: bool | None = None) -> Organisation | None:
    name = normalise_name(name)
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


def _known(*, email: str, mobile: str) -> tuple[Person | None, Person | None]:
    """The unflagged people holding this email and this mobile (locked)."""
    query = Q(pk__in=[])
    if email:
        query |= Q(email=email)
    if mobile:
        query |= Q(mobile=mobile)
    found = list(Person.objects.select_for_update().filter(query, duplicate_of=None).order_by("pk"))
    by_email = next((p for p in found if email and p.email == email), None)
    by_mobile = next((p for p in found if mobile and p.mobile == mobile), None)
    return by_email, by_mobile


def _fill(person: Person, *, name, email, mobile, language, organisation_name, update: bool) -> None:
    if email and not person.email:
        person.email = email
    if mobile and not person.mobile and not Person.objects.filter(
            mobile=mobile, duplicate_of=None).exclude(pk=person.pk).exists():
        person.mobile = mobile
    if name and (update or not person.name):
        person.name = name
    if language in Language.values and (update or not person.pk):
        person.language = language
    organisation = organisation_get_or_create(name=organisation_name)
    if organisation and (update or person.organisation_id is None):
        person.organisation = organisation


def _insert(person: Person) -> bool:
    """Save a new person in a savepoint; False when another request inserted the same email/mobile first."""
    person.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        person.pk = None
        return False
    return True


@transaction.atomic
def person_match_or_create(
    *,
    name: str = "",
    email: str = "",
    mobile: str = "",
    language: str = "",
    organisation_name: str = "",
    update: bool = False,
) -> Person:
    """Find the person these details belong to, or create one (see the module's docstring).

    ``update=True`` is for staff input only. Raises ValidationError for an invalid email or mobile.
    """
    email = normalise_email(email)
    mobile = normalise_mobile(mobile)
    name = normalise_name(name)
    if not email and not mobile:
        raise ValidationError(_("Give an email address or a mobile number."))
    details = {"name": name, "email": email, "mobile": mobile, "language": language,
               "organisation_name": organisation_name}
    for _attempt in range(3):
        by_email, by_mobile = _known(email=email, mobile=mobile)
        if update:
            person = by_email or by_mobile or Person()
            _fill(person, **details, update=True)
            if person.pk:
                person.full_clean()
                person.save()
                return person
        elif by_email is None and by_mobile is None:
            person = Person()
            _fill(person, **details, update=False)
        elif by_email is not None and by_email.pk == getattr(by_mobile, "pk", None) or (
                by_email is not None and not mobile) or (by_mobile is not None and not email):
            return by_email or by_mobile  # every identifier given agrees: attach, change nothing
        else:
            return _flagged(similar=by_email or by_mobile, **details)
        if _insert(person):
            return person
        # Another request inserted this email or mobile meanwhile: read again and decide again.
    raise IntegrityError("person_match_or_create: the same details kept being inserted concurrently")


def _flagged(*, similar: Person, name, email, mobile, language, organisation_name) -> Person:
    """A separate person for conflicting public input; the same conflicting input reuses its record."""
    same = Person.objects.filter(duplicate_of__isnull=False, email=email, mobile=mobile).order_by("pk").first()
    if same is not None:
        return same
    person = Person(duplicate_of=similar, name=name, email=email, mobile=mobile)
    if language in Language.values:
        person.language = language
    person.organisation = organisation_get_or_create(name=organisation_name)
    person.full_clean(validate_constraints=False)
    person.save()
    return person


# Staff: merge or keep apart ------------------------------------------------------------------------


def _relations():
    """Every foreign key and one-to-one field on another model that points at Person."""
    return [rel for rel in Person._meta.get_fields(include_hidden=True)
            if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)
            and rel.related_model is not Person]


@transaction.atomic
def person_merge(*, flagged_id: int, acting_user) -> Person:
    """Move everything of a flagged person onto the person it duplicates, fill that person's missing
    details from it, and delete the flagged record. Raises HomeError when the records cannot be merged."""
    flagged = Person.objects.select_for_update().filter(pk=flagged_id).exclude(duplicate_of=None).first()
    if flagged is None:
        raise HomeError(_("This person is not flagged as a possible duplicate any more."))
    keep = Person.objects.select_for_update().get(pk=flagged.duplicate_of_id)
    moved = {}
    try:
        with transaction.atomic():
            for rel in _relations():
                count = rel.related_model._base_manager.filter(**{rel.field.name: flagged}).update(
                    **{rel.field.name: keep})
                if count:
                    moved[rel.related_model._meta.label] = count
            Person.objects.filter(duplicate_of=flagged).update(duplicate_of=keep)
    except IntegrityError:
        raise HomeError(_("Both records hold the same kind of record (for example a journal subscription); "
                          "edit one of them before merging."))
    filled = [field for field in ("email", "mobile", "name") if getattr(flagged, field) and not getattr(keep, field)]
    for field in filled:
        setattr(keep, field, getattr(flagged, field))
    if keep.organisation_id is None and flagged.organisation_id:
        keep.organisation_id = flagged.organisation_id
        filled.append("organisation")
    flagged_pk, flagged_label = flagged.pk, str(flagged)
    flagged.delete()
    try:
        keep.full_clean()
    except ValidationError as exc:
        raise HomeError(" ".join(exc.messages))
    keep.save()
    log(instance=keep, action="home.person_merge", user=acting_user,
        data={"merged": flagged_pk, "merged_label": flagged_label, "moved": moved, "filled": filled})
    return keep


@transaction.atomic
def person_keep_apart(*, flagged_id: int, acting_user) -> Person:
    """Staff judged a flagged person to be someone else: clear the flag (only when nothing is shared)."""
    flagged = Person.objects.select_for_update().filter(pk=flagged_id).exclude(duplicate_of=None).first()
    if flagged is None:
        raise HomeError(_("This person is not flagged as a possible duplicate any more."))
    similar = flagged.duplicate_of
    flagged.duplicate_of = None
    try:
        flagged.full_clean()
    except ValidationError:
        raise HomeError(_("These records share an email address or mobile number, so they cannot be kept "
                          "apart; merge them instead."))
    flagged.save()
    log(instance=flagged, action="home.person_keep_apart", user=acting_user, data={"similar": similar.pk})
    return flagged


def organisations_create_missing(*, names) -> int:
    """Bulk ``organisation_get_or_create`` for imports: create those of the organisations named in ``names``
    that do not exist yet (matched on the name key: case-folded, spaces collapsed); returns how many."""
    wanted = {}
    for name in names:
        name = " ".join((name or "").split())
        if name:
            wanted.setdefault(name.casefold(), name)
    found = set(Organisation.objects.filter(name_key__in=wanted).values_list("name_key", flat=True))
    missing = [Organisation(name=name, name_key=key) for key, name in wanted.items() if key not in found]
    Organisation.objects.bulk_create(missing, ignore_conflicts=True)  # another import may have made some meanwhile
    return len(missing)


def people_upsert_from_table(*, table: str, lines: tuple[int, int]) -> None:
    """Bulk ``person_match_or_create(update=True)`` by normalised email, set-based, for imports.

    ``table`` (a temporary table) has the columns ``line``, ``email`` (normalised, one row per address),
    ``name`` (spaces collapsed), ``language`` and ``company_key`` (an organisation's ``name_key`` or '');
    the rows whose line is within ``lines`` (first, last) are upserted. A known person gets the language,
    and the name and organisation where given. The email uniqueness is a partial index (``email <> ''``),
    which ``bulk_create(update_conflicts=…)`` cannot name as its conflict target, hence the SQL (PostgreSQL
    and SQLite alike): one statement, whatever the number of rows. ``people_ids_to_table`` then fills the
    table's ``person_id``.
    """
    person = connection.ops.quote_name(Person._meta.db_table)
    organisation = connection.ops.quote_name(Organisation._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {person} (name, email, mobile, language, organisation_id, do_not_contact, created_at, "  # noqa: S608
            f"updated_at) SELECT r.name, r.email, '', r.language, o.id, %s, %s, %s FROM {table} r "
            f"LEFT JOIN {organisation} o ON o.name_key = r.company_key WHERE r.line BETWEEN %s AND %s "
            f"ON CONFLICT (email) WHERE NOT (email = '') AND duplicate_of_id IS NULL DO UPDATE SET "
            f"name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE {person}.name END, "
            f"language = excluded.language, "
            f"organisation_id = COALESCE(excluded.organisation_id, {person}.organisation_id), "
            f"updated_at = excluded.updated_at",
            [False, now, now, *lines],
        )


def people_ids_to_table(*, table: str) -> None:
    """Fill ``person_id`` of every row of ``table`` (see ``people_upsert_from_table``) from its email."""
    person = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} AS r SET person_id = p.id FROM {person} AS p "  # noqa: S608
                       f"WHERE p.email = r.email AND NOT (p.email = '') AND p.duplicate_of_id IS NULL")
