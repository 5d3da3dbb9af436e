"""The one door between feature apps: a copy of the code with one forbidden import added fails
`lint-imports` (the contracts in pyproject.toml), and the code as it is passes."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ["config", "home", "newsletter", "training", "care"]


def _copy(tmp_path):
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("locale", "templates", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(path):
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=path, capture_output=True, text=True)


@pytest.mark.parametrize(
    "source, line",
    [
        ("care/selectors.py", "from training.models import Certificate"),
        ("care/admin/calls.py", "from training.services import signups"),
        ("newsletter/views/engagement.py", "import care.admin"),
        ("training/services/signups.py", "from newsletter.models import Subscriber"),
    ],
)
def test_a_cross_app_import_other_than_selectors_breaks_the_contract(tmp_path, source, line):
    copy = _copy(tmp_path)
    target = copy / source
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = _lint(copy)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout


def test_the_code_as_it_is_keeps_every_contract(tmp_path):
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout
