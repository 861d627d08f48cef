"""Quick hide and the idle lock: the screen is cleared and no client text stays in it."""

from __future__ import annotations

from typing import Any

from textual.widget import Widget
from textual.widgets import Input, Static

from casetui.config import Settings
from casetui.core.records import Client
from casetui.ui.app import CaseApp
from casetui.ui.forms.form import FormScreen
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.client import ClientScreen
from casetui.ui.screens.unlock import LockScreen
from casetui.ui.widgets.row_list import RowList
from tests.conftest import PASSPHRASE, VaultFiles
from tests.ui.test_ui_casework import app_for, new_client, seed
from tests.ui.test_ui_flows import wait_for

CANARY = "Quillon Vexmarrow"
NOTE = "Prefers the side door; canary-note-7731"


def _plant(files: VaultFiles) -> str:
    def build(vault: Any) -> str:
        return new_client(vault, CANARY, culture_notes=NOTE, pronouns="they/them").id

    return seed(files, build)


def widget_text(widget: Widget) -> str:
    """Everything a widget could show: its content, an input's value, a list's rows."""
    parts: list[str] = []
    if isinstance(widget, Static):
        parts.append(str(widget.render()))
    if isinstance(widget, Input):
        parts.append(widget.value)
    if isinstance(widget, RowList):
        parts.extend(" ".join(row.cells) for row in widget.rows)
    return " ".join(parts)


def dom_text(app: CaseApp) -> str:
    """The text of every widget on every screen on the stack, plus titles and toasts."""
    texts = [str(app.title), str(app.sub_title)]
    for screen in app.screen_stack:
        texts.append(str(screen.title or ""))
        texts.extend(widget_text(w) for w in screen.walk_children(with_self=False))
    texts.extend(str(n.message) for n in app._notifications)
    return "\n".join(texts)


def assert_clear(app: CaseApp) -> None:
    text = dom_text(app).casefold()
    for secret in (CANARY, "Quillon", "Vexmarrow", "canary-note-7731"):
        assert secret.casefold() not in text, f"{secret!r} is still in a widget"
    assert app.vault is None


def lock_done(app: CaseApp) -> bool:
    return not any(w.group == "lock" and not w.is_finished for w in app.workers)


def problem_text(app: CaseApp) -> str:
    return str(app.screen.query_one("#problem", Static).render())


async def _open_the_client(pilot: Any, app: CaseApp, client_id: str) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
    app.open_client(client_id)
    await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
    await wait_for(pilot, lambda: CANARY.casefold() in dom_text(app).casefold())
    app.notify(f"Opened {CANARY}", markup=False)  # a toast with a name in it


async def test_quick_hide_clears_every_widget_and_unlocking_brings_it_back(
    vault_files: VaultFiles,
) -> None:
    client_id = _plant(vault_files)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        assert len(app.screen_stack) == 2  # the default screen and the lock, nothing else
        assert_clear(app)
        await wait_for(
            pilot, lambda: not any(w.group == "lock" and not w.is_finished for w in app.workers)
        )
        screen_text = "\n".join(app.export_screenshot().splitlines())
        assert "Quillon" not in screen_text
        # Unlocking needs the passphrase again.
        box = app.screen.query_one("#passphrase", Input)
        box.value = "not the passphrase"
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: "did not unlock" in str(app.screen.query_one("#problem", Static).render()),
            timeout=30,
        )
        assert app.vault is None
        app.screen.query_one("#passphrase", Input).value = PASSPHRASE
        await pilot.press("enter")
        # Back where the person was: the same client, over the caseload.
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen), timeout=30)
        assert app.screen.client_id == client_id  # type: ignore[attr-defined]
        assert isinstance(app.screen_stack[1], CaseloadScreen)
        assert app.vault is not None and client_id in app.vault.repo.clients
        await pilot.press("ctrl+q")


async def test_quick_hide_works_over_an_open_form_and_keeps_saved_edits(
    vault_files: VaultFiles,
) -> None:
    client_id = _plant(vault_files)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        assert app.vault is not None
        client = app.vault.repo.clients.require(client_id)
        import dataclasses

        app.run_on_vault(
            lambda v: v.repo.clients.put(dataclasses.replace(client, pronouns="xe/xem"))
        )
        await pilot.press("e")  # the profile form, full of the client's details
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        assert_clear(app)
        await wait_for(
            pilot, lambda: not any(w.group == "lock" and not w.is_finished for w in app.workers)
        )
        await pilot.press("ctrl+q")
    with vault_files.open(writable=False) as vault:
        assert vault.repo.clients.require(client_id).pronouns == "xe/xem"


async def test_the_idle_lock_uses_the_wall_clock(vault_files: VaultFiles) -> None:
    client_id = _plant(vault_files)
    app = app_for(vault_files, Settings(idle_lock_minutes=5))
    now = [1_000_000.0]
    app.clock = lambda: now[0]
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        app.last_input = now[0]
        now[0] += 4 * 60 + 59  # not yet; the check runs every second
        await pilot.pause(1.5)
        assert isinstance(app.screen, ClientScreen)
        await pilot.press("2")  # using the app resets the clock
        assert app.last_input == now[0]
        now[0] += 5 * 60  # as if the laptop slept through it
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        assert_clear(app)
        await wait_for(
            pilot,
            lambda: any(
                "5 minutes without use" in str(s.render()) for s in app.screen.query(Static)
            ),
        )
        await pilot.press("ctrl+q")


async def test_idle_lock_zero_never_locks(vault_files: VaultFiles) -> None:
    client_id = _plant(vault_files)
    app = app_for(vault_files, Settings(idle_lock_minutes=0))
    now = [1_000_000.0]
    app.clock = lambda: now[0]
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        now[0] += 24 * 3600
        await pilot.pause(1.5)
        assert isinstance(app.screen, ClientScreen)
        await pilot.press("ctrl+q")


async def test_the_hide_key_can_quit_instead(vault_files: VaultFiles) -> None:
    client_id = _plant(vault_files)
    app = app_for(vault_files, Settings(hide_key_quits=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        await pilot.press("f12")
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0


async def test_the_hide_key_can_be_remapped(vault_files: VaultFiles) -> None:
    client_id = _plant(vault_files)
    app = app_for(vault_files, Settings(keymap={"app.hide": "f9"}))
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        assert_clear(app)
        await pilot.press("ctrl+q")


def _client(app: CaseApp, client_id: str) -> Client:
    assert app.vault is not None
    return app.vault.repo.clients.require(client_id)


async def test_in_the_demo_the_lock_needs_no_passphrase(tmp_path: Any) -> None:
    from datetime import date

    from casetui.ui.launch import make_demo_vault

    vault = make_demo_vault(tmp_path, date(2026, 11, 16))
    app = CaseApp(tmp_path / "demo.age", vault=vault, demo=True, today=date(2026, 11, 16))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await wait_for(pilot, lambda: "Olek Thistledown" in dom_text(app))
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        assert "Olek Thistledown" not in dom_text(app)
        await wait_for(pilot, lambda: lock_done(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await wait_for(pilot, lambda: "Olek Thistledown" in dom_text(app))
        await pilot.press("ctrl+q")
