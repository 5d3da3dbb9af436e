"""Every interface string has a Chinese translation, and the compiled catalogues are current."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_catalogues_exist_for_site_and_apps():
    owners = {path.parts[len(ROOT.parts)] for path in CATALOGUES}
    assert {"site", "home"} <= owners


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_complete_and_compiled(path):
    po = polib.pofile(str(path))
    missing = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not missing, f"untranslated: {missing[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run compilemessages"
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(mo))}
    for entry in po.translated_entries():
        assert compiled.get(entry.msgid) == entry.msgstr, f"{mo} is stale: run compilemessages"


def _wagtail_strings():
    import runpy

    module = runpy.run_path(str(ROOT / "site" / "wagtail_strings.py"))
    return module["STRINGS"], module["PLURALS"]


def test_the_wagtail_strings_we_translate_are_wagtails_own_and_read_in_chinese():
    """If a Wagtail upgrade rewords one of them, our translation would silently stop applying."""
    import wagtail
    from django.utils import translation

    wagtail_ids = set()
    for path in Path(wagtail.__file__).parent.glob("**/locale/en/LC_MESSAGES/django.po"):
        wagtail_ids |= {entry.msgid for entry in polib.pofile(str(path))}
    strings, plurals = _wagtail_strings()
    assert len(strings) > 100 and not set(strings) - wagtail_ids
    assert not {singular for singular, _plural in plurals} - wagtail_ids
    with translation.override("zh-hans"):
        untranslated = [s for s in strings if translation.gettext(s) == s]
        untranslated += [s for s, p in plurals if translation.ngettext(s, p, 2) == p]
    assert not untranslated


@pytest.mark.django_db
def test_the_dashboard_and_the_page_editor_speak_chinese(admin_client):
    from wagtail.models import Page

    dashboard = admin_client.get("/admin/", follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "搜索所有页面…" in dashboard and "编辑指南" in dashboard and "个页面" in dashboard
    assert "Search all pages" not in dashboard and " Pages <span" not in dashboard
    page = Page.objects.filter(depth=2).first()
    editor = admin_client.get(f"/admin/pages/{page.pk}/edit/", follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "自动保存已暂停" in editor and "内容指标" in editor and "Autosave is paused" not in editor
    listing = admin_client.get(f"/admin/pages/{page.pk}/", follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "，共 " in listing and " of " not in listing
