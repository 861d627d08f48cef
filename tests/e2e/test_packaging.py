"""The wheel carries the sample caseload, so the demo works when installed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_the_wheel_ships_the_sample_data(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("casetui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "casetui/sample_data/caseload.json" in names
    assert "casetui/cli/main.py" in names
    assert not any(name.startswith("tests/") for name in names)
