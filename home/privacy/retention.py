"""Retention: rows older than the periods in ``settings.RETENTION`` lose their personal data, nightly."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from home.privacy.erasure import apply_action, blank_values, still_holding
from home.privacy.registry import registrations

logger = logging.getLogger(__name__)


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
                values = blank_values(reg.model, rule.fields or reg.fields)
                queryset = queryset.filter(still_holding(reg.model, values))
            key = f"{reg.label}:{rule.setting}"
            if dry_run:
                report[key] = queryset.count()
                continue
            with transaction.atomic():
                result = apply_action(rule.action, queryset, rule.fields or reg.fields)
            report[key] = result if isinstance(result, int) else 0
    return report
