"""Issue drafts the page editor's autosave created but nobody ever saved.

Wagtail 8 autosaves a new page's form as soon as it is touched, creating a draft with the slug taken
from the title. If the editor walks away, that draft holds the slug ("The slug ... is already in
use") and stays in the listing. An explicit save or publish (a normal, non-autosave request) is
recorded as ``newsletter.issue_saved`` in the page's history, a page the autosave created as
``newsletter.issue_autosaved``. An autosaved draft never saved, published or sent is abandoned once its author starts a new issue with the same slug, or once nobody
has touched it for ``AUTOSAVE_ABANDONED_AFTER``.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import PageLogEntry

from ..models import IssuePage

SAVED_ACTION = "newsletter.issue_saved"
AUTOSAVED_ACTION = "newsletter.issue_autosaved"
AUTOSAVE_ABANDONED_AFTER = timedelta(minutes=30)


def issue_mark_saved(*, page, acting_user, autosave: bool) -> None:
    """Record that the autosave created the issue, or that the editor saved or published it on purpose."""
    log(instance=page, action=AUTOSAVED_ACTION if autosave else SAVED_ACTION, user=acting_user)


def _abandoned():
    autosaved = PageLogEntry.objects.filter(action=AUTOSAVED_ACTION).values("page_id")
    saved = PageLogEntry.objects.filter(action=SAVED_ACTION).values("page_id")
    return (IssuePage.objects.filter(pk__in=autosaved, live=False, first_published_at__isnull=True,
                                     deliveries__isnull=True).exclude(pk__in=saved))


def issue_drafts_abandoned_delete(*, parent=None, slug: str = "", acting_user=None) -> int:
    """Delete abandoned autosaved drafts: under ``parent`` with ``slug`` (those of ``acting_user`` at
    once, others' when stale), or everywhere when stale (the periodic sweep). Returns how many."""
    stale = timezone.now() - AUTOSAVE_ABANDONED_AFTER
    drafts = _abandoned()
    if parent is not None:
        drafts = drafts.child_of(parent).filter(slug=slug)
    deleted = 0
    with transaction.atomic():
        for draft in drafts:
            touched = draft.latest_revision_created_at or draft.last_published_at
            if (acting_user is not None and draft.owner_id == acting_user.pk) or (touched and touched < stale):
                draft.delete()
                deleted += 1
    return deleted
