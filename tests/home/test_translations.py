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
