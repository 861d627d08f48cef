"""ctrl+q with typed, unsaved changes in a form asks first, as Esc does."""

from __future__ import annotations

from textual.widgets import Input

from casetui.ui.app import CaseApp
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.screens.caseload import CaseloadScreen
from tests.conftest import VaultFiles
from tests.ui.test_ui_flows import app_for, caseload_ready, type_into, wait_for


def _question(app: CaseApp) -> str:
    return str(app.screen.query_one("#question").render())


async def test_ctrl_q_on_a_changed_form_asks_and_no_keeps_the_text(
    vault_files: VaultFiles,
) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-preferred_name", "Half typed")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Leave without saving?" in _question(app)
        assert app.return_code is None
        await pilot.press("ctrl+q")  # pressed again: the question is not asked twice
        await pilot.pause()
        assert sum(isinstance(s, ConfirmScreen) for s in app.screen_stack) == 1
        assert app.return_code is None
        await pilot.press("n")  # keep editing
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#field-preferred_name", Input).value == "Half typed"
        assert app.return_code is None
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")  # Esc means no, too
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#field-preferred_name", Input).value == "Half typed"
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0


async def test_ctrl_q_on_an_unchanged_form_quits_at_once(vault_files: VaultFiles) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0


async def test_ctrl_q_with_no_form_quits_at_once(vault_files: VaultFiles) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        assert isinstance(app.screen, CaseloadScreen)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0
