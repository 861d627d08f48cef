"""Pilot tests: each flow of the app, driven from the keyboard as a person would."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from casetui.core.choices import GoalStatus, NeedStatus
from casetui.core.errors import SaveFailed
from casetui.core.records import Client, Goal
from casetui.ui.app import CaseApp
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.client import ClientScreen
from casetui.ui.screens.unlock import KeepSafeScreen, SetupScreen, UnlockScreen
from casetui.ui.widgets.row_list import RowList
from casetui.vault.unlocking import identity_unlocker, passphrase_unlocker
from casetui.vault.vault import Vault
from tests.conftest import PASSPHRASE, VaultFiles

TODAY = date(2026, 11, 16)


async def wait_for(pilot: Pilot[int], check: Callable[[], object], timeout: float = 20) -> None:
    """Let the app run until ``check()`` is true (workers run in threads)."""
    deadline = time.monotonic() + timeout

    def holds() -> bool:
        # A screen that was just pushed may not be built yet: not found means "not yet",
        # and a screen counts only once its widgets are composed and mounted.
        try:
            return bool(check()) and pilot.app.screen.is_mounted
        except NoMatches:
            return False

    while not holds():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; the screen is {type(pilot.app.screen).__name__}")
        await pilot.pause(0.05)


async def caseload_ready(pilot: Pilot[int], app: CaseApp) -> None:
    """The caseload is shown, built and has the keyboard (keys before that can be lost)."""
    await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
    await wait_for(pilot, lambda: app.screen.query_one(RowList).has_focus)


async def wait_saved(pilot: Pilot[int], app: CaseApp) -> None:
    await wait_for(pilot, lambda: app.vault is not None and not app.vault.dirty)
    await wait_for(pilot, lambda: app.save_state.text.startswith("Saved"))


def app_for(files: VaultFiles) -> CaseApp:
    """The app on a test vault, unlocked by its key file (no scrypt)."""
    return CaseApp(files.vault, unlocker=identity_unlocker(files.identity_file), today=TODAY)


def caseload_names(app: CaseApp) -> list[str]:
    return [row.cells[0] for row in app.screen.query_one(RowList).rows]


async def type_into(pilot: Pilot[int], selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    if isinstance(widget, Input):
        widget.value = ""
    elif isinstance(widget, TextArea):
        widget.text = ""
    await pilot.pause()
    await pilot.press(*text)


async def test_first_run_creates_a_vault_and_opens_it(tmp_path: Path) -> None:
    path = tmp_path / "vault" / "vault.age"
    app = CaseApp(path, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
        await type_into(pilot, "#name", "Robin Testwell")
        await type_into(pilot, "#passphrase", "short")
        assert "too weak" in str(app.screen.query_one("#strength").render()).lower()
        await type_into(pilot, "#again", "short")
        await pilot.press("enter")
        assert not path.exists()
        await type_into(pilot, "#passphrase", PASSPHRASE)
        await type_into(pilot, "#again", PASSPHRASE + "x")
        await pilot.press("enter")
        assert "different" in str(app.screen.query_one("#problem").render())
        assert not path.exists()
        await type_into(pilot, "#again", PASSPHRASE)
        await pilot.press("enter")
        # Just created means unlocked: no third asking for the passphrase.
        await wait_for(pilot, lambda: isinstance(app.screen, KeepSafeScreen), timeout=30)
        assert not any(isinstance(screen, UnlockScreen) for screen in app.screen_stack)
        assert path.exists()
        assert (path.stat().st_mode & 0o777) == 0o700
        files = [p for p in path.rglob("*") if p.is_file()]
        assert files and all((p.stat().st_mode & 0o777) == 0o600 for p in files)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen), timeout=30)
        assert app.vault is not None
        assert app.owner_id is not None
        assert app.vault.repo.staff.require(app.owner_id).name == "Robin Testwell"
        assert "0 of 25 clients" in str(app.screen.query_one("#capacity").render())
    app.vault.close()


async def _add_client(pilot: Pilot[int], app: CaseApp, name: str) -> None:
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
    await pilot.press("ctrl+s")  # empty name: refused with a sentence, nothing added
    assert isinstance(app.screen, FormScreen)
    assert "Preferred name" in str(app.screen.query_one("#form-error").render())
    await type_into(pilot, "#field-preferred_name", name)
    await type_into(pilot, "#field-intake_date", "2026-02-30")
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, FormScreen)
    assert "YYYY-MM-DD" in str(app.screen.query_one("#form-error").render())
    await type_into(pilot, "#field-intake_date", "2026-02-03")
    await type_into(pilot, "#field-pronouns", "they/them")
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))


async def test_add_client_goal_need_meeting_then_reopen_and_find_it_all(
    vault_files: VaultFiles,
) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=(100, 32)) as pilot:
        await caseload_ready(pilot, app)
        await _add_client(pilot, app, "Quinn Mossgrove")
        await wait_saved(pilot, app)

        # Goals: add one in the client's words, then edit it and move its status on.
        await pilot.press("2")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-text", "I want a quiet place to study")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-text", "I want a quiet place to study at night")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await pilot.press("t")

        # Needs: show everything, cycle the first catalog need twice.
        await pilot.press("3")
        await pilot.press("v")
        await pilot.press("space", "space")

        # Meetings: log one with a next check-in.
        await pilot.press("4")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-summary", "First meeting; Quinn chose the agenda.")
        await type_into(pilot, "#field-next_checkin", "2026-11-30")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await wait_saved(pilot, app)
        await pilot.press("ctrl+q")
    assert app.return_code == 0

    with Vault.open(vault_files.vault, passphrase_unlocker(PASSPHRASE), writable=False) as vault:
        (client,) = vault.repo.clients.all()
        assert client.preferred_name == "Quinn Mossgrove"
        assert client.intake_date == date(2026, 2, 3)
        (goal,) = vault.repo.goals.for_parent(client.id)
        assert goal.text == "I want a quiet place to study at night"
        assert goal.status is GoalStatus.IN_PROGRESS
        (need,) = vault.repo.needs.for_parent(client.id)
        assert need.status is NeedStatus.IN_PROGRESS
        assert need.status_date == TODAY
        (meeting,) = vault.repo.meetings.for_parent(client.id)
        assert meeting.on == TODAY
        assert meeting.next_checkin == date(2026, 11, 30)
        summary = vault.repo.summary(client.id)
        assert summary.contact.last_contact == TODAY


async def test_a_failed_save_keeps_the_edit_says_why_and_retries(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    with vault_files.open() as vault:
        client = vault.repo.clients.add(
            Client.create(
                preferred_name="Noor Hazelbank",
                intake_date=TODAY,
                case_manager_id=vault.owner_staff_id,
            )
        )
        vault.save()
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        assert app.vault is not None
        real_save = Vault.save

        def full_disk(self: Vault, *, force: bool = False) -> None:
            raise SaveFailed("The disk is full; free some space, then press ctrl+s to save again.")

        monkeypatch.setattr(Vault, "save", full_disk)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await pilot.press("2", "a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-text", "I want to feel safe at home")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not app.save_state.ok)
        assert "Not saved" in app.save_state.text
        assert app.vault.dirty
        assert [g.text for g in app.vault.repo.goals.for_parent(client.id)] == [
            "I want to feel safe at home"
        ]

        monkeypatch.setattr(Vault, "save", real_save)
        await pilot.press("ctrl+s")
        await wait_saved(pilot, app)
    with vault_files.open(writable=False) as vault:
        assert [g.text for g in vault.repo.goals.for_parent(client.id)] == [
            "I want to feel safe at home"
        ]


async def test_escape_on_a_changed_form_asks_before_discarding(vault_files: VaultFiles) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("escape")  # nothing typed: leaves at once
        assert isinstance(app.screen, CaseloadScreen)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-preferred_name", "Half typed")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing
        assert isinstance(app.screen, FormScreen)
        await pilot.press("escape")
        await pilot.press("y")
        assert isinstance(app.screen, CaseloadScreen)
        assert app.vault is not None
        assert len(app.vault.repo.clients) == 0
        assert not app.vault.dirty


MARKUP_NAME = "[bold]x[/bold] [@click=app.quit]y[/]"


async def test_markup_in_a_name_is_shown_as_typed_and_clicking_it_does_nothing(
    vault_files: VaultFiles,
) -> None:
    with vault_files.open() as vault:
        client = vault.repo.clients.add(
            Client.create(
                preferred_name=MARKUP_NAME + "\x1b]0;TITLE\x07",
                intake_date=TODAY,
                case_manager_id=vault.owner_staff_id,
            )
        )
        vault.repo.goals.add(Goal.create(client_id=client.id, text="[red]my words[/red]"))
        vault.save()
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        assert caseload_names(app) == [MARKUP_NAME]
        row_list = app.screen.query_one(RowList)
        line = row_list.render_line(1).text
        assert MARKUP_NAME in line
        assert "TITLE" not in line
        await pilot.click(RowList, offset=(3, 1))
        await pilot.click(RowList, offset=(8, 1))
        await pilot.pause()
        assert app.is_running
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        header = str(app.screen.query_one("#client-header").render())
        assert MARKUP_NAME in header
        await pilot.press("2")
        await pilot.pause()
        goal_line = app.screen.query_one("#goals-list", RowList).render_line(1).text
        assert "[red]my words[/red]" in goal_line
        await pilot.press("ctrl+p")
        await pilot.press(*"click")
        await pilot.pause(0.5)
        assert app.is_running


async def test_filter_scope_and_sort_on_the_sample(sample_files: VaultFiles) -> None:
    app = app_for(sample_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await caseload_ready(pilot, app)
        assert app.vault is not None
        # The template vault's owner has no clients: "mine" is empty, "everyone" is not.
        assert caseload_names(app) == []
        await pilot.press("m")
        everyone = caseload_names(app)
        active = [c for c in app.vault.repo.clients if c.status.value != "closed"]
        assert sorted(everyone) == sorted(c.preferred_name for c in active)
        await pilot.press("slash", *"OLEK")
        assert caseload_names(app) == ["Olek Thistledown"]
        await pilot.press("escape")
        assert len(caseload_names(app)) == len(everyone)
        await pilot.press("m")
        closed = caseload_names(app)
        assert closed
        assert set(closed).isdisjoint(everyone)
        await pilot.press("m", "s", "s")  # back to mine, then name descending
        await pilot.press("m")
        await pilot.click(RowList, offset=(2, 0))  # click the Client heading: A→Z
        names = caseload_names(app)
        assert names == sorted(names, key=str.casefold)
        await pilot.click(RowList, offset=(2, 0))  # again: Z→A
        assert caseload_names(app) == sorted(names, key=str.casefold, reverse=True)


async def test_help_and_palette_go_to_client(sample_files: VaultFiles) -> None:
    app = app_for(sample_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        await pilot.press("question_mark")
        keys = str(app.screen.query_one("#help-keys").render())
        assert "caseload.filter" in keys
        assert "New  (caseload.new_client)" in keys
        await pilot.press("escape")
        assert isinstance(app.screen, CaseloadScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"olek thist")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        assert app.screen.client.preferred_name == "Olek Thistledown"


async def test_keys_can_be_remapped_from_config(vault_files: VaultFiles) -> None:
    from casetui.config import Settings

    settings = Settings(keymap={"caseload.new_client": "plus"})
    app = CaseApp(
        vault_files.vault,
        unlocker=identity_unlocker(vault_files.identity_file),
        today=TODAY,
        settings=settings,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        await pilot.press("n")
        assert isinstance(app.screen, CaseloadScreen)
        await pilot.press("plus")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))


async def test_a_wrong_preset_passphrase_falls_back_to_asking(vault_files: VaultFiles) -> None:
    app = CaseApp(
        vault_files.vault, unlocker=passphrase_unlocker("a stale passphrase"), today=TODAY
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, UnlockScreen), timeout=30)
        assert app.vault is None
        await type_into(pilot, "#passphrase", PASSPHRASE)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen), timeout=30)
    assert app.vault is not None
    app.vault.close()
