"""Finding everything held about one person across every registered model, and exporting it as an archive."""

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from home import csv as safe_csv
from home.identity import normalise_email, normalise_mobile
from home.models import Person
from home.privacy.registry import Registration, registrations


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
            writer = safe_csv.writer(out)
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
