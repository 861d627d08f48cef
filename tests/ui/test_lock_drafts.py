"""A lock never costs a half-typed form, and unlocking lands where the person was.

The idle lock warns with a countdown while a form holds typed changes; any key
keeps working. When the app locks anyway (idle or F12), or the terminal goes
away, the form's typed words are sealed to the vault's keys on disk (never in
plaintext) and given back after the next unlock, in the same form, on the same
client and tab.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input, Static, TextArea

from casetui.config import Settings
from casetui.core.records import Meeting
from casetui.ui.app import CaseApp
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.resume import DraftScreen
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.client import ClientScreen
from casetui.ui.screens.idle_warning import IdleWarningScreen, countdown
from casetui.ui.screens.unlock import LockScreen
from casetui.ui.widgets.row_list import RowList
from casetui.vault.drafts import draft_path
from tests.conftest import PASSPHRASE, VaultFiles
from tests.ui.test_lock import CANARY, _open_the_client, _plant, assert_clear, dom_text, lock_done
from tests.ui.test_ui_casework import app_for, seed
from tests.ui.test_ui_flows import wait_for

TYPED = "Wants to finish the welding course; typed-draft-5521"


def _draft_file(app: CaseApp) -> Path:
    vault = app.vault
    assert vault is not None
    return draft_path(vault.vault_id)


async def _unlock(pilot: Any, app: CaseApp) -> None:
    await wait_for(pilot, lambda: lock_done(app))
    app.screen.query_one("#passphrase", Input).value = PASSPHRASE
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.vault is not None, timeout=30)


async def _type_a_goal(pilot: Any, app: CaseApp) -> FormScreen[Any]:
    await pilot.press("2")  # Goals
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
    form = app.screen
    assert isinstance(form, FormScreen)
    form.query_one("#field-text", TextArea).load_text(TYPED)
    assert form.changed
    return form


def _sealed_files(state: Path) -> list[Path]:
    return [p for p in state.rglob("*") if p.is_file() and p.parent.name == "drafts"]


async def test_f12_over_a_typed_form_gives_it_back_after_unlocking(
    vault_files: VaultFiles, state_dir: Path
) -> None:
    client_id = _plant(vault_files)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        await _type_a_goal(pilot, app)
        vault_id = app.require_vault().vault_id
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        assert_clear(app)
        assert TYPED not in "\n".join(app.export_screenshot().splitlines())
        await wait_for(pilot, lambda: lock_done(app))

        # Kept on disk, sealed: an age file, private, and not a word of it readable.
        sealed = draft_path(vault_id)
        assert sealed.is_file()
        data = sealed.read_bytes()
        assert data.startswith(b"age-encryption.org/v1")
        assert b"typed-draft-5521" not in data and b"welding" not in data
        assert "typed-draft-5521".encode("utf-16-le") not in data
        assert oct(sealed.stat().st_mode & 0o777) == "0o600"

        await _unlock(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), timeout=10)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-text", TextArea).text == TYPED
        assert form.changed  # still unsaved: Esc and ctrl+q still ask
        below = app.screen_stack[-2]
        assert isinstance(below, ClientScreen) and below.client_id == client_id
        assert below.query_one("TabbedContent").active == "goals"  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: not sealed.exists())  # given back, then removed

        await pilot.press("ctrl+s")  # and it can be saved as if nothing happened
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        vault = app.require_vault()
        assert any(g.text == TYPED for g in vault.repo.goals.for_parent(client_id))
        await pilot.press("ctrl+q")


async def test_unlocking_lands_on_the_same_client_tab_and_row(vault_files: VaultFiles) -> None:
    client_id = _plant(vault_files)

    def meetings(vault: Any) -> list[str]:
        made = [
            vault.repo.meetings.add(
                Meeting.create(client_id=client_id, on=f"2026-09-{day:02d}", summary="Check-in")
            )
            for day in (3, 10, 17)
        ]
        return [m.id for m in made]

    ids = seed(vault_files, meetings)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        await pilot.press("4")  # Meetings
        screen = app.screen
        assert isinstance(screen, ClientScreen)
        listing = screen.query_one("#meetings").query_one(RowList)
        listing.focus()
        await pilot.press("down")
        chosen = listing.current
        assert chosen is not None and chosen.key in ids
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        await _unlock(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen), timeout=10)
        screen = app.screen
        assert isinstance(screen, ClientScreen) and screen.client_id == client_id
        assert screen.query_one("TabbedContent").active == "meetings"  # type: ignore[attr-defined]
        again = screen.query_one("#meetings").query_one(RowList)
        await wait_for(pilot, lambda: again.current is not None and again.current.key == chosen.key)
        await pilot.press("ctrl+q")


async def test_the_idle_lock_counts_down_over_a_typed_form_and_a_key_keeps_working(
    vault_files: VaultFiles,
) -> None:
    client_id = _plant(vault_files)
    app = app_for(vault_files, Settings(idle_lock_minutes=5))
    now = [1_000_000.0]
    app.clock = lambda: now[0]
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        await _type_a_goal(pilot, app)
        app.last_input = now[0]
        now[0] += 4 * 60 + 15  # 45 seconds left
        await wait_for(pilot, lambda: isinstance(app.screen, IdleWarningScreen))
        shown = str(app.screen.query_one("#idle-countdown", Static).render())
        assert "lock in 0:45" in shown
        now[0] += 5
        await wait_for(
            pilot,
            lambda: "lock in 0:40" in str(app.screen.query_one("#idle-countdown", Static).render()),
        )
        await pilot.press("x")  # any key: not typed into the form beneath
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-text", TextArea).text == TYPED
        assert not app.locked
        await pilot.pause(1.5)
        assert not isinstance(app.screen, IdleWarningScreen)  # not asked again at once
        await pilot.press("ctrl+q")
        await pilot.press("y")


async def test_no_countdown_without_a_typed_form(vault_files: VaultFiles) -> None:
    client_id = _plant(vault_files)
    app = app_for(vault_files, Settings(idle_lock_minutes=5))
    now = [1_000_000.0]
    app.clock = lambda: now[0]
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        app.last_input = now[0]
        now[0] += 4 * 60 + 30
        await pilot.pause(1.5)
        assert isinstance(app.screen, ClientScreen)
        now[0] += 31
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        await pilot.press("ctrl+q")


async def test_the_idle_lock_keeps_the_form_when_nobody_answers(
    vault_files: VaultFiles, state_dir: Path
) -> None:
    client_id = _plant(vault_files)
    app = app_for(vault_files, Settings(idle_lock_minutes=5))
    now = [1_000_000.0]
    app.clock = lambda: now[0]
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        await _type_a_goal(pilot, app)
        sealed = _draft_file(app)
        app.last_input = now[0]
        now[0] += 4 * 60 + 30
        await wait_for(pilot, lambda: isinstance(app.screen, IdleWarningScreen))
        now[0] += 31
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        assert_clear(app)
        await wait_for(pilot, lambda: lock_done(app))
        assert sealed.is_file() and TYPED.encode() not in sealed.read_bytes()
        await _unlock(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), timeout=10)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-text", TextArea).text == TYPED
        await pilot.press("escape")  # leaving asks, as for any typed form
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question == "Leave without saving?"
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await pilot.press("ctrl+q")


async def test_a_form_that_cannot_be_reopened_shows_what_was_typed(
    vault_files: VaultFiles,
) -> None:
    client_id = _plant(vault_files)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        # A form opened by no action the app can run again.
        from casetui.ui.forms.form import FormField

        app.push_screen(
            FormScreen("A note", [FormField("note", "Note", "multiline")], {}, lambda v: v)
        )
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-note", TextArea).load_text(TYPED)
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        await _unlock(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, DraftScreen), timeout=10)
        body = str(app.screen.query_one("#draft-body", Static).render())
        assert TYPED not in body  # not shown until asked: someone may be looking
        await pilot.press("s")
        body = str(app.screen.query_one("#draft-body", Static).render())
        assert f"Note: {TYPED}" in body
        app.masked = True  # screen sharing covers it
        await wait_for(
            pilot,
            lambda: TYPED not in str(app.screen.query_one("#draft-body", Static).render()),
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await pilot.press("ctrl+q")


async def test_a_hang_up_keeps_the_typed_form_for_the_next_session(
    vault_files: VaultFiles, state_dir: Path
) -> None:
    client_id = _plant(vault_files)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        await _type_a_goal(pilot, app)
        sealed = _draft_file(app)
        await app.hang_up()
    assert sealed.is_file() and b"welding" not in sealed.read_bytes()

    again = app_for(vault_files)
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, FormScreen), timeout=15)
        form = again.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-text", TextArea).text == TYPED
        below = again.screen_stack[-2]
        assert isinstance(below, ClientScreen) and below.client_id == client_id
        await wait_for(pilot, lambda: not sealed.exists())
        await pilot.press("ctrl+q")
        await pilot.press("y")


async def test_a_draft_another_key_cannot_open_is_left_alone(
    vault_files: VaultFiles, state_dir: Path
) -> None:
    from casetui.vault.drafts import keep_draft
    from casetui.vault.keys import RecipientEntry, generate_identity

    _secret, public = generate_identity()
    with vault_files.open(writable=False) as vault:
        vault_id = vault.vault_id
    sealed = keep_draft(vault_id, [RecipientEntry("someone else", public)], {"client_id": "x"})
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen), timeout=15)
        await pilot.pause(0.5)
        assert isinstance(app.screen, CaseloadScreen)
        assert sealed.is_file()
        await pilot.press("ctrl+q")


def test_countdown_reads_as_minutes_and_seconds() -> None:
    assert countdown(60) == "1:00"
    assert countdown(44.2) == "0:45"
    assert countdown(0) == "0:00"
    assert CANARY  # the shared canary exists (used by the helpers above)


async def test_a_safety_plan_draft_comes_back_only_after_the_question(
    vault_files: VaultFiles,
) -> None:
    from casetui.core.private_records import SafetyPlan

    client_id = _plant(vault_files)
    seed(
        vault_files,
        lambda v: v.repo.safety_plans.put(
            SafetyPlan.create(client_id=client_id, main_concern="Keeping the new flat private")
        ),
    )
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open_the_client(pilot, app, client_id)
        await pilot.press("7")  # Safety plan
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-people", TextArea).load_text(TYPED)
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        await _unlock(pilot, app)
        # Unlocking asks again before the plan is shown, and the draft waits for the answer.
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), timeout=10)
        assert TYPED not in dom_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#field-people", TextArea).text == TYPED
        await pilot.press("ctrl+q")
        await pilot.press("y")
