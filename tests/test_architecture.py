"""The shape of the code: layers that import only downwards, no cycles, small files.

The import rules themselves live in pyproject.toml (``[tool.importlinter]``) and
CI runs ``lint-imports`` on them; these tests run it too, and show on a copy of
the sources that one upward import is enough to break it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "src" / "casetui"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 500


def lint_imports(source_root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
        cwd=source_root.parent,
        env={"PYTHONPATH": str(source_root.parent), "PATH": "/usr/bin:/bin"},
    )


def test_the_import_contracts_hold() -> None:
    result = lint_imports(SOURCES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    copy = tmp_path / "src" / "casetui"
    shutil.copytree(SOURCES, copy, ignore=shutil.ignore_patterns("__pycache__"))
    text = copy / "core" / "text.py"
    text.write_text(text.read_text() + "\nimport casetui.services.casework  # upward\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "Each layer imports only the layers below it BROKEN" in result.stdout
    assert "casetui.core.text -> casetui.services.casework" in result.stdout


def test_a_cycle_between_siblings_breaks_the_contract(tmp_path: Path) -> None:
    copy = tmp_path / "src" / "casetui"
    shutil.copytree(SOURCES, copy, ignore=shutil.ignore_patterns("__pycache__"))
    choices = copy / "core" / "choices.py"
    choices.write_text(choices.read_text() + "\nimport casetui.core.rules  # a cycle\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "No import cycles between sibling modules or packages BROKEN" in result.stdout


def test_no_source_file_is_longer_than_the_limit() -> None:
    long = {
        str(path.relative_to(SOURCES)): lines
        for path in SOURCES.rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_two_modules_share_a_name() -> None:
    names = Counter(path.name for path in SOURCES.rglob("*.py") if path.name != "__init__.py")
    assert sorted(name for name, count in names.items() if count > 1) == []
