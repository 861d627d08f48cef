"""Snapshots of every main screen at 80×24 (SSH on a small terminal) and 120×40.

Update them with ``pytest tests/ui/test_snapshots.py --snapshot-update`` after a
deliberate change to the layout, and look at the report before committing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from textual.pilot import Pilot

from casetui.config import Settings
from casetui.ui.app import CaseApp
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.client import ClientScreen
from casetui.ui.screens.help import HelpScreen
from casetui.ui.screens.partners import PartnersScreen
from casetui.ui.screens.today_list import TodayScreen
from casetui.ui.widgets.row_list import RowList
from casetui.vault.unlocking import identity_unlocker
from tests.conftest import VaultFiles
from tests.ui.test_ui_flows import wait_for

TODAY = date(2026, 11, 16)
SIZES = [(80, 24), (120, 40)]
OWNER = "st_sample01"
CLIENT = "Olek Thistledown"


@pytest.fixture
def sample_app(sample_files: VaultFiles, monkeypatch: pytest.MonkeyPatch, tmp_path) -> CaseApp:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    with sample_files.open() as vault:
        vault.set_owner(OWNER)
        vault.save()
    return CaseApp(
        sample_files.vault,
        unlocker=identity_unlocker(sample_files.identity_file),
        today=TODAY,
        settings=Settings(),
    )


def open_screen(*keys: str, client: bool | str = False) -> Callable[[Pilot[int]], Awaitable[None]]:
    """Open the caseload, optionally a client (by name; True means CLIENT), press keys."""

    async def run_before(pilot: Pilot[int]) -> None:
        app: CaseApp = pilot.app  # type: ignore[assignment]
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await wait_for(pilot, lambda: app.screen.query_one(RowList).has_focus)
        if client:
            name = CLIENT if client is True else client
            assert app.vault is not None
            (target,) = [c for c in app.vault.repo.clients if c.preferred_name == name]
            app.open_client(target.id)
            await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
            await pilot.pause()
        for key in keys:
            await pilot.press(key)
            if key == "t" and not client:
                await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
                await wait_for(pilot, lambda: app.screen.ready)  # type: ignore[attr-defined]
            if key == "p" and not client:
                await wait_for(pilot, lambda: isinstance(app.screen, PartnersScreen))
            if key == "v" and "7" in keys:
                await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        if "question_mark" in keys:
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()

    return run_before


SCREENS = {
    "caseload": open_screen(),
    "caseload-everyone": open_screen("m"),
    "profile": open_screen(client=True),
    "goals": open_screen("2", client=True),
    "needs": open_screen("3", client=True),
    "needs-all": open_screen("3", "v", client=True),
    "meetings": open_screen("4", client=True),
    "help": open_screen("question_mark"),
}

#: The casework screens, at 80×24 only: the small terminal is the hard case.
CASEWORK = "Rosa Quillfeather"
CASEWORK_SCREENS = {
    "today": open_screen("t"),
    "partners": open_screen("p"),
    "profile-history": open_screen(client=CASEWORK),
    "referrals": open_screen("5", client=CASEWORK),
    "strengths": open_screen("6", client=CASEWORK),
    "safety-hidden": open_screen("7", client=CASEWORK),
    "safety-shown": open_screen("7", "v", "y", client=CASEWORK),
    "consents": open_screen("8", client=CASEWORK),
    "legal": open_screen("9", client=CASEWORK),
    "history": open_screen("0", client=CASEWORK),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, sample_app: CaseApp, screen: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(sample_app, terminal_size=size, run_before=SCREENS[screen])


@pytest.mark.parametrize("screen", list(CASEWORK_SCREENS))
def test_casework_screen(snap_compare, sample_app: CaseApp, screen: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(sample_app, terminal_size=(80, 24), run_before=CASEWORK_SCREENS[screen])


def test_first_run_card(snap_compare, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The first-run card at 80×24, with its "Create my vault" button in view."""
    from pathlib import Path

    from casetui.ui.screens.unlock import SetupScreen

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    vault = Path("/nonexistent/casetui-snapshot/vault.age")  # a fixed path: it is shown
    assert not vault.exists()
    app = CaseApp(vault, today=TODAY, settings=Settings())

    async def run_before(pilot: Pilot[int]) -> None:
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#name"))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
