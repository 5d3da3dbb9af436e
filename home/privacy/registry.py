"""The registry of personal data, and what the shared base holds about people.

Every model that holds personal data declares it in its app's ``privacy.py`` (found like ``roles.py``):

    from home import privacy
    privacy.register(
        Subscriber,
        fields=["email", "name"],               # the personal fields (blanked by "anonymise")
        person="person",                         # ORM path to home.Person, if the model links to one
        match={"email": "email"},                # and/or fields holding a normalised email / mobile
        erase="delete",                          # "delete", "anonymise", "keep" or callable(queryset) -> str
        retention=[privacy.Retention("unconfirmed_subscribers_days", field="created_at",
                                     filter=Q(status="pending"), action="delete")],
    )
    privacy.exempt(ProductLine, "product names, not people")   # has a name field but no personal data

The shared base then finds everything about a person (``person_lookup``), exports it (``archive_build``),
erases it (``person_erase``) and enforces the retention periods in ``settings.RETENTION``
(``retention_enforce``) without knowing any feature app.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.apps import apps as global_apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from .identity import normalise_email, normalise_mobile
from .models import AccessLog, Consent, LoginAttempt, Organisation, OutboxMessage, Person, ProductLine, RightsRequest
from .models import ServiceSettings as _ServiceSettings

# Notes shown to care managers next to what is kept after an erasure (shared so they are translated once).
NOTE_PERSON = _("Anonymised: records kept by law still refer to an anonymous person.")
NOTE_LEDGER = _("The consent ledger is kept as proof; after erasure it refers to an anonymous person.")
NOTE_SECURITY_LOG = _("The access log is append-only and kept for security.")
NOTE_REQUEST_RECORD = _("Kept as the record of how requests were handled.")
NOTE_ACCOUNTING = _("Kept for accounting and invoices; the person it refers to is anonymised.")
NOTE_RECORD = _("Kept as a record (attendance, warranty, figures); it refers to an anonymous person after erasure.")
NOTE_TEXT_BLANKED = _("The record stays in figures and reports; its free text is blanked.")
NOTE_CERTIFICATE = _("Kept: number, course, dates and status stay verifiable; the holder's name is masked and the PDF "
                     "deleted.")
NOTE_SHIPPING = _("Kept in the campaign's budget; name, phone, address and letter are blanked.")

# Field names that suggest personal data; a model with one must be registered or exempted.
PERSONAL_FIELD_WORDS = {"email", "mail", "phone", "mobile", "tel", "name", "address", "addr", "wechat"}


@dataclass
class Retention:
    """Rows older than ``settings.RETENTION[setting]`` days (counted from ``field``) lose their data.

    ``action``: "delete", "anonymise" (blank ``fields``, default the registration's fields), or a
    callable(queryset) -> int. ``filter`` narrows the rows the rule applies to. An "anonymise" rule
    only touches rows that still hold something, so running it twice changes nothing more.
    """

    setting: str
    field: str = "created_at"
    action: str | Callable = "delete"
    filter: Q | None = None
    fields: list[str] | None = None


@dataclass
class Registration:
    model: type[models.Model]
    fields: list[str]
    person: str | None = None
    match: dict = field(default_factory=dict)
    export: Callable | None = None
    erase: str | Callable = "anonymise"
    retention: list[Retention] = field(default_factory=list)
    note: str = ""

    @property
    def label(self):
        return self.model._meta.label

    @property
    def title(self):
        return str(self.model._meta.verbose_name_plural)


_registry: dict[type, Registration] = {}
_exempt: dict[type, str] = {}
_discovered = False


def register(model, *, fields, person=None, match=None, export=None, erase="anonymise", retention=(), note=""):
    """Declare ``model``'s personal data. ``person="self"`` for home.Person itself."""
    if isinstance(erase, str) and erase not in {"delete", "anonymise", "keep"}:
        raise ValueError(f"erase must be delete, anonymise, keep or a callable, not {erase!r}")
    for name in fields:
        model._meta.get_field(name)  # fails early on a typo
    _registry[model] = Registration(
        model=model, fields=list(fields), person=person, match=dict(match or {}), export=export, erase=erase,
        retention=list(retention), note=note,
    )
    return model


def exempt(model, reason: str):
    """Declare that ``model`` holds no personal data although a field's name suggests it."""
    _exempt[model] = reason
    return model


_withdraw_handlers: dict[str, Callable] = {}


def on_withdraw(purpose: str, handler: Callable):
    """``handler(person, source)`` runs when the person withdraws ``purpose`` from the consent page, so the
    owning app stops for real (the journal unsubscribes them). The ledger entry is added either way."""
    _withdraw_handlers[purpose] = handler
    return handler


def withdraw_handler(purpose: str) -> Callable | None:
    _discover()
    return _withdraw_handlers.get(purpose)


def _discover():
    global _discovered
    if not _discovered:
        autodiscover_modules("privacy")
        _discovered = True


def registrations() -> list[Registration]:
    """Every registration, feature apps first and the shared base (people) last."""
    _discover()
    return sorted(_registry.values(), key=lambda reg: (reg.model._meta.app_label == "home", reg.model is Person))


def registration_for(model) -> Registration | None:
    _discover()
    return _registry.get(model)


def exemption_for(model) -> str | None:
    _discover()
    return _exempt.get(model)


def personal_looking_fields(model) -> list[str]:
    """Concrete fields whose name contains one of PERSONAL_FIELD_WORDS as a word (``holder_name``)."""
    found = []
    for f in model._meta.concrete_fields:
        if set(f.name.lower().split("_")) & PERSONAL_FIELD_WORDS:
            found.append(f.name)
    return found


def unregistered_models(app_labels=("home", "newsletter", "training", "care")) -> list[str]:
    """Models of our apps with personal-looking fields that are neither registered nor exempted."""
    _discover()
    missing = []
    for label in app_labels:
        try:
            config = global_apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            if model._meta.proxy or model in _registry or model in _exempt:
                continue
            if personal_looking_fields(model):
                missing.append(f"{model._meta.label} ({', '.join(personal_looking_fields(model))})")
    return missing


# Finding ----------------------------------------------------------------------------------------


@dataclass
class Finding:
    registration: Registration
    pks: list

    @property
    def queryset(self):
        return self.registration.model._default_manager.filter(pk__in=self.pks)


@dataclass
class Findings:
    email: str
    mobile: str
    people: list
    findings: list[Finding]

    @property
    def total(self):
        return sum(len(f.pks) for f in self.findings)

    def __bool__(self):
        return bool(self.total)


def _normalised(email, mobile):
    try:
        email = normalise_email(email)
    except ValidationError:
        email = ""
    try:
        mobile = normalise_mobile(mobile)
    except ValidationError:
        mobile = ""
    return email, mobile


def person_lookup(*, email: str = "", mobile: str = "") -> Findings:
    """Everything held about the person with this email and/or mobile, across every registered model."""
    email, mobile = _normalised(email, mobile)
    people_q = Q(pk__in=[])
    if email:
        people_q |= Q(email=email)
    if mobile:
        people_q |= Q(mobile=mobile)
    people = list(Person.objects.filter(people_q).values_list("pk", flat=True)) if (email or mobile) else []
    values = {"email": email, "mobile": mobile}
    findings = []
    for reg in registrations():
        query = Q(pk__in=[])
        usable = False
        if reg.person and people:
            query |= Q(pk__in=people) if reg.person == "self" else Q(**{f"{reg.person}__in": people})
            usable = True
        for kind, paths in reg.match.items():
            value = values.get(kind)
            if not value:
                continue
            for path in [paths] if isinstance(paths, str) else paths:
                query |= Q(**{f"{path}__iexact": value})
                usable = True
        if not usable:
            continue
        pks = list(reg.model._default_manager.filter(query).order_by().values_list("pk", flat=True).distinct())
        if pks:
            findings.append(Finding(registration=reg, pks=pks))
    return Findings(email=email, mobile=mobile, people=people, findings=findings)


# Export -----------------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, (dict, list, str, int, float, bool)) or value is None:
        return value
    return str(value)


def export_row(obj, reg: Registration | None = None) -> dict:
    """A row as {field name: plain value}; a registration's ``export`` callable replaces the default."""
    if reg and reg.export:
        return {key: _plain(value) for key, value in reg.export(obj).items()}
    row = {}
    for f in obj._meta.concrete_fields:
        if isinstance(f, (models.BinaryField,)) or f.name in {"token", "password"} or f.name.endswith("_token"):
            continue
        if f.is_relation:
            row[f.name] = _plain(getattr(obj, f.name))
        elif f.choices:
            row[f.name] = getattr(obj, f"get_{f.name}_display")()
        else:
            row[f.name] = _plain(getattr(obj, f.attname))
    return row


def findings_export(findings: Findings) -> dict:
    """{model label: {"title": ..., "rows": [...]}} for every record found."""
    data = {}
    for finding in findings.findings:
        reg = finding.registration
        rows = [export_row(obj, reg) for obj in finding.queryset.order_by("pk")]
        data[reg.label] = {"title": reg.title, "rows": rows}
    return data


def _header(model, key):
    try:
        return str(model._meta.get_field(key).verbose_name)
    except Exception:
        return key.replace("_", " ")


def archive_build(findings: Findings, *, note: str = "") -> bytes:
    """A zip with ``data.json`` (everything, machine-readable) and one readable CSV per kind of record."""
    data = findings_export(findings)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        payload = {
            "generated_at": timezone.localtime().isoformat(),
            "searched": {"email": findings.email, "mobile": findings.mobile},
            "note": note,
            "records": data,
        }
        archive.writestr("data.json", json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        models_by_label = {f.registration.label: f.registration.model for f in findings.findings}
        for label, section in data.items():
            keys = []
            for row in section["rows"]:
                keys += [key for key in row if key not in keys]
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow([_header(models_by_label[label], key) for key in keys])
            for row in section["rows"]:
                writer.writerow(["" if row.get(key) is None else _csv_value(row.get(key)) for key in keys])
            # utf-8 with a byte-order mark, so that spreadsheet programs show Chinese correctly
            archive.writestr(f"{label.replace('.', '-')}.csv", out.getvalue().encode("utf-8-sig"))
    return buffer.getvalue()


def _csv_value(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


# Erasure ----------------------------------------------------------------------------------------


def _blank_values(model, names):
    values = {}
    for name in names:
        f = model._meta.get_field(name)
        if f.null:
            values[f.attname] = None
        elif isinstance(f, models.JSONField):
            values[f.attname] = {} if isinstance(f.default, dict) or f.default is dict else []
        elif isinstance(f, (models.CharField, models.TextField)):
            values[f.attname] = ""
    return values


def _still_holding(model, values):
    query = Q(pk__in=[])
    for attname, blank in values.items():
        query |= Q(**{f"{attname}__isnull": False}) if blank is None else ~Q(**{attname: blank})
    return query


def anonymise(queryset, fields) -> int:
    """Blank ``fields`` on the rows that still hold something; returns how many rows changed."""
    values = _blank_values(queryset.model, fields)
    if not values:
        return 0
    return queryset.filter(_still_holding(queryset.model, values)).update(**values)


def _apply(action, queryset, fields):
    if callable(action):
        result = action(queryset)
        return result if isinstance(result, (int, str)) else len(queryset)
    if action == "delete":
        count = queryset.count()
        queryset.delete()
        return count
    if action == "anonymise":
        return anonymise(queryset, fields)
    return 0


@transaction.atomic
def findings_erase(findings: Findings) -> list[dict]:
    """Erase or anonymise everything found, as each registration says. Returns one line per model."""
    report = []
    for finding in findings.findings:
        reg = finding.registration
        count = len(finding.pks)
        result = _apply(reg.erase, finding.queryset, reg.fields)
        action = reg.erase if isinstance(reg.erase, str) else "custom"
        report.append({"model": reg.label, "title": reg.title, "found": count, "action": action,
                       "result": result, "note": reg.note})
    return report


# Retention --------------------------------------------------------------------------------------


def retention_enforce(*, now=None, dry_run=False) -> dict:
    """Apply every registered retention rule whose period is set in ``settings.RETENTION``.

    Returns {"<model label>:<setting>": rows removed or anonymised}. Idempotent.
    """
    now = now or timezone.now()
    periods = getattr(settings, "RETENTION", {})
    report = {}
    for reg in registrations():
        for rule in reg.retention:
            days = periods.get(rule.setting)
            if days is None:
                continue
            queryset = reg.model._default_manager.filter(**{f"{rule.field}__lt": now - timedelta(days=days)})
            if rule.filter is not None:
                queryset = queryset.filter(rule.filter)
            if rule.action == "anonymise":
                values = _blank_values(reg.model, rule.fields or reg.fields)
                queryset = queryset.filter(_still_holding(reg.model, values))
            key = f"{reg.label}:{rule.setting}"
            if dry_run:
                report[key] = queryset.count()
                continue
            with transaction.atomic():
                result = _apply(rule.action, queryset, rule.fields or reg.fields)
            report[key] = result if isinstance(result, int) else 0
    return report


# What the shared base itself holds ------------------------------------------------------------------


def _erase_person(queryset) -> int:
    """People are anonymised, not deleted: the records the law keeps still point at an anonymous row.

    Every consent they had given is withdrawn in the ledger first.
    """
    from .selectors import consent_current
    from .services import consent_record

    count = 0
    for person in queryset:
        for purpose in Consent.Purpose.values:
            if consent_current(person=person, purpose=purpose):
                consent_record(person=person, purpose=purpose, granted=False, source="erasure request")
        person.name = ""
        person.email = ""
        person.mobile = ""
        person.organisation = None
        person.do_not_contact = True
        person.save(update_fields=["name", "email", "mobile", "organisation", "do_not_contact", "updated_at"])
        count += 1
    return count


def _delete_archives(queryset) -> int:
    count = 0
    for request in queryset.exclude(archive=""):
        request.archive.delete(save=False)
        request.archive = ""
        request.save(update_fields=["archive"])
        count += 1
    return count


register(Person, fields=["name", "email", "mobile"], person="self", erase=_erase_person,
         note=NOTE_PERSON)
register(Consent, fields=["text"], person="person", erase="keep",
         note=NOTE_LEDGER)
register(OutboxMessage, fields=["to_email", "subject", "text", "html", "attachments"], person="person",
         match={"email": "to_email"}, erase="delete",
         retention=[Retention("sent_emails_days", field="created_at",
                              filter=Q(state__in=[OutboxMessage.State.SENT, OutboxMessage.State.FAILED]))])
register(AccessLog, fields=["path"], person="person", erase="keep",
         note=NOTE_SECURITY_LOG,
         retention=[Retention("access_log_days", field="created_at")])
register(RightsRequest, fields=["email", "mobile", "details"], match={"email": "email", "mobile": "mobile"},
         erase="keep", note=NOTE_REQUEST_RECORD,
         retention=[Retention("rights_archive_days", field="handled_at", filter=~Q(archive=""),
                              action=_delete_archives),
                    Retention("rights_requests_days", field="created_at")])
register(LoginAttempt, fields=["username", "ip"], erase="keep",
         retention=[Retention("login_attempts_days", field="created_at")])
exempt(Organisation, "customer companies' names, not people")
exempt(ProductLine, "names of product lines")
exempt(_ServiceSettings, "the service team's own hotline and mailbox")
