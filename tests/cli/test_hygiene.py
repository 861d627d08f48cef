"""Nothing below the app loads Textual, and --help stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
{imports}
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(",".join(loaded))
"""


#: Imports every module of the layers under the app: core, files, config, vault, services.
EVERY_MODULE_BELOW_THE_UI = """
import importlib, pkgutil
import casetui.core, casetui.config, casetui.files, casetui.services, casetui.vault
for package in (casetui.core, casetui.config, casetui.services, casetui.vault):
    for found in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(found.name)
"""


def modules_after(imports: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(imports=imports)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    "imports",
    [
        "import casetui.core, casetui.core.records, casetui.core.rules, casetui.core.recordset",
        "import casetui.vault.vault, casetui.services.interchange, casetui.services.checkup",
        "import casetui.cli, casetui.config, casetui.resources",
        EVERY_MODULE_BELOW_THE_UI,
    ],
)
def test_core_and_vault_load_no_textual(imports: str) -> None:
    assert modules_after(imports) == ""


def test_the_probe_can_see_textual_when_it_is_loaded() -> None:
    # Guards the test above against passing because the probe is broken.
    assert "textual" in modules_after("import textual.app").split(",")


def test_help_loads_no_textual_and_no_crypto() -> None:
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['casetui', '--help']\n"
        "try:\n"
        "    runpy.run_module('casetui', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('textual', 'pyrage', 'tinydb')]\n"
        "print('HEAVY=' + ','.join(sorted(heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "usage: casetui" in result.stdout
    assert result.stdout.strip().endswith("HEAVY=")
