"""Erasing what was found about a person, as each registration says, and the erasure rules of the shared base."""

from django.db import models, transaction
from django.db.models import Q

from home.models import Consent
from home.privacy.export import Findings
from home.selectors import consent_current
from home.services.consent import consent_record


def blank_values(model, names):
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


def still_holding(model, values):
    query = Q(pk__in=[])
    for attname, blank in values.items():
        query |= Q(**{f"{attname}__isnull": False}) if blank is None else ~Q(**{attname: blank})
    return query


def anonymise(queryset, fields) -> int:
    """Blank ``fields`` on the rows that still hold something; returns how many rows changed."""
    values = blank_values(queryset.model, fields)
    if not values:
        return 0
    return queryset.filter(still_holding(queryset.model, values)).update(**values)


def apply_action(action, queryset, fields):
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
        result = apply_action(reg.erase, finding.queryset, reg.fields)
        action = reg.erase if isinstance(reg.erase, str) else "custom"
        report.append({"model": reg.label, "title": reg.title, "found": count, "action": action,
                       "result": result, "note": reg.note})
    return report


def person_erase(queryset) -> int:
    """People are anonymised, not deleted: the records the law keeps still point at an anonymous row.

    Every consent they had given is withdrawn in the ledger first.
    """
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


def rights_archives_delete(queryset) -> int:
    count = 0
    for request in queryset.exclude(archive=""):
        request.archive.delete(save=False)
        request.archive = ""
        request.save(update_fields=["archive"])
        count += 1
    return count
