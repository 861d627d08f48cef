"""Snapshots at 80×24 of the main screens while the screen is shared.

Clients show as a neutral code made from their id (the sample has no stored
calendar codes; never their initials), notes as
"(hidden while screen sharing)", and every title bar carries the "Screen
sharing: names hidden" badge. Update them with
``pytest tests/ui/test_snapshots_masking.py --snapshot-update`` after a deliberate
change to the layout, and read the report before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from casetui.config import Settings
from casetui.ui.app import CaseApp
from casetui.vault.unlocking import identity_unlocker
from tests.conftest import VaultFiles
from tests.ui.test_snapshots import CASEWORK, OWNER, TODAY, open_screen

SCREENS = {
    "caseload": open_screen(),
    "profile": open_screen(client=CASEWORK),
    "meetings": open_screen("4", client=True),
    "today": open_screen("t"),
}


@pytest.fixture
def masked_app(
    sample_files: VaultFiles, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> CaseApp:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    with sample_files.open() as vault:
        vault.set_owner(OWNER)
        vault.save()
    return CaseApp(
        sample_files.vault,
        unlocker=identity_unlocker(sample_files.identity_file),
        today=TODAY,
        settings=Settings(mask_clients=True),
    )


@pytest.mark.parametrize("screen", list(SCREENS))
def test_masked_screen(snap_compare, masked_app: CaseApp, screen: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(masked_app, terminal_size=(80, 24), run_before=SCREENS[screen])
