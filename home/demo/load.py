"""Demo content of the shared base: the two home pages, service settings and demo staff accounts."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Locale, Page, Site

from . import roles
from .models import HomePage, ProductLine, ServiceSettings
from .registry import demo_loaders

DEMO_USERS = [
    ("admin", None, "admin@example.com"),
    ("editor", roles.EDITORS, "editor@example.com"),
    ("coordinator", roles.TRAINING_COORDINATORS, "coordinator@example.com"),
    ("carestaff", roles.CARE_STAFF, "carestaff@example.com"),
    ("caremanager", roles.CARE_MANAGERS, "caremanager@example.com"),
]


def demo_password() -> str:
    path = settings.VAR_DIR / "demo_password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def _home_pages():
    zh, _ = Locale.objects.get_or_create(language_code="zh-hans")
    en, _ = Locale.objects.get_or_create(language_code="en")
    home_zh = HomePage.objects.filter(locale=zh).first()
    if home_zh is None:
        root = Page.get_first_root_node()
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            site = Site(hostname="localhost", port=80, is_default_site=True, site_name=settings.WAGTAIL_SITE_NAME)
        # Wagtail's own "welcome" page: replace it (the site is pointed at the root meanwhile, since
        # deleting a site's root page would delete the site).
        for welcome in root.get_children().exclude(pk__in=HomePage.objects.values("pk")):
            site.root_page = root
            site.save()
            welcome.delete()
        home_zh = root.add_child(
            instance=HomePage(
                title="客户关怀与电子期刊",
                slug="home",
                locale=zh,
                intro="<p>每月电子期刊、培训认证与客户关怀，一站式服务。</p>",
            )
        )
        site.root_page = home_zh
        site.save()
    home_en = HomePage.objects.filter(locale=en).first()
    if home_en is None:
        home_en = home_zh.copy_for_translation(en)
        home_en.title = "Care & Journal"
        home_en.intro = "<p>The monthly e-journal, training and certification, and customer care in one place.</p>"
        home_en.save_revision().publish()
    ServiceSettings.for_site(Site.objects.get(is_default_site=True)).save()
    return {"zh-hans": home_zh, "en": home_en}


PRODUCT_LINES = [
    ("firewall", "安全网关", "Security gateways"),
    ("hosting", "云主机", "Cloud hosting"),
    ("mail", "企业邮箱", "Business mail"),
    ("pc", "商用电脑", "Business PCs"),
]


def _product_lines():
    for order, (slug, zh, en) in enumerate(PRODUCT_LINES):
        ProductLine.objects.get_or_create(slug=slug, defaults={"name_zh_hans": zh, "name_en": en, "sort_order": order})


def _users(password):
    User = get_user_model()
    for username, role, email in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=email, is_staff=True, is_superuser=role is None)
            user.set_password(password)
            user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))


def demo_load(stdout=None) -> dict:
    """Create the demo content. Idempotent: a second run changes nothing."""
    password = demo_password()
    with transaction.atomic():
        roles.sync_roles()
        pages = _home_pages()
        _product_lines()
        _users(password)
        for loader in demo_loaders.items():
            loader(pages, stdout)
        roles.sync_roles()
    return {"users": [u for u, _role, _email in DEMO_USERS], "password": password}
