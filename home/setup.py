"""The base rows every database needs, created after each migrate (and after a test flush)."""

from django.conf import settings


def ensure_base_rows():
    """Wagtail's root page, default locale and root collection (made by Wagtail's migrations, and
    gone after a flush between transactional tests), then the role groups. Idempotent."""
    from wagtail.models import Collection, Locale, Page

    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale, live=True))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def after_migrate(sender, **kwargs):
    from . import roles

    ensure_base_rows()
    roles.sync_roles_after_migrate(sender, **kwargs)
