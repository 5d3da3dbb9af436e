"""Per-domain pacing of journal sends: how many batches may send to one receiving domain at once
("connections") and how many messages it gets per minute, from JOURNAL_DOMAIN_PACING.

Large mailbox providers (qq.com, 163.com, 126.com, sina.com, gmail.com) answer a sender that goes
too fast with 4xx deferrals and then with blocks. A row over its domain's pace is not an attempt:
it waits in the queue for the next minute (or for a free connection) while the batch goes on with
other domains, so a list dominated by one provider is slowed down, never failed. The counters live
in the shared cache (Redis in production), so every worker sees the same pace. Domains without a
setting are not paced.
"""

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


def pacing_rules() -> dict:
    return {domain.lower(): rule for domain, rule in (getattr(settings, "JOURNAL_DOMAIN_PACING", None) or {}).items()}


class Pacer:
    """One batch's view of the pace: ``admit(domain)`` returns None to send now, or when to try again."""

    def __init__(self, token: str, hold_seconds: int):
        self.rules = pacing_rules()
        self.token = token
        self.hold_seconds = hold_seconds
        self.slots: dict[str, str | None] = {}  # domain -> the connection slot key this batch holds

    def admit(self, domain: str) -> datetime | None:
        rule = self.rules.get(domain.lower())
        if not rule:
            return None
        now = timezone.now()
        if not self._slot(domain, int(rule.get("connections") or 0)):
            return now + timedelta(seconds=60)
        per_minute = int(rule.get("per_minute") or 0)
        if per_minute:
            minute = int(time.time() // 60)
            key = f"journal-pace:{domain}:{minute}"
            cache.add(key, 0, 120)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, 120)
                count = 1
            if count > per_minute:
                return now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        return None

    def _slot(self, domain: str, connections: int) -> bool:
        if not connections:
            return True
        if domain in self.slots:
            return self.slots[domain] is not None
        for index in range(connections):
            key = f"journal-pace-slot:{domain}:{index}"
            if cache.add(key, self.token, self.hold_seconds):
                self.slots[domain] = key
                return True
        self.slots[domain] = None
        return False

    def release(self):
        for key in self.slots.values():
            if key and cache.get(key) == self.token:
                cache.delete(key)
        self.slots = {}
