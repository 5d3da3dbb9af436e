"""Demo content of the shared base: the two home pages (Chinese and English), service settings and
product lines. Idempotent."""

from django.conf import settings
from wagtail.models import Locale, Page, Site

from home.models import HomePage, ProductLine, ServiceSettings


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
