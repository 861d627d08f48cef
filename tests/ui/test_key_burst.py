"""Keys that arrive in a burst go to the field that has the focus when their turn comes.

A password manager, a paste sent as keys or a laggy SSH link delivers many keys at
once. Each burst here is posted to the app in one go, without letting the app run
between keys, as the terminal driver does; ``pilot.press`` waits after every key,
so it would hide the defect. Before the fix, the keys after a Tab (or Enter, or
shift+tab) were all queued on the field that had the focus before it, and so a
passphrase was typed into the visible Name field.
"""

from __future__ import annotations

import time
from pathlib import Path

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from casetui.ui.app import CaseApp
from casetui.ui.forms.form import FormScreen
from casetui.ui.screens.unlock import SetupScreen
from tests.conftest import VaultFiles
from tests.ui.test_ui_flows import TODAY, app_for, caseload_ready, wait_for

SHIFT_TAB = "\x1b[Z"
#: Key names for the few printable characters used here that are not their own name.
NAMES = {" ": "space", "/": "slash", "-": "minus", ".": "full_stop"}
SPECIAL = {
    "\t": events.Key("tab", "\t"),
    "\r": events.Key("enter", "\r"),
    "\x7f": events.Key("backspace", "\x7f"),
}


def key_events(text: str) -> list[events.Key]:
    """The key events a terminal driver makes of ``text`` (``SHIFT_TAB`` for shift+tab)."""
    out: list[events.Key] = []
    rest = text
    while rest:
        if rest.startswith(SHIFT_TAB):
            out.append(events.Key("shift+tab", None))
            rest = rest[len(SHIFT_TAB) :]
            continue
        char, rest = rest[0], rest[1:]
        special = SPECIAL.get(char)
        out.append(
            events.Key(special.key, special.character)
            if special is not None
            else events.Key(NAMES.get(char, char), char)
        )
    return out


def burst(app: CaseApp, text: str) -> None:
    """Post every key of ``text`` to the app at once, as one read from the terminal."""
    for event in key_events(text):
        app.post_message(event)


def values(app: CaseApp) -> dict[str, str]:
    return {box.id or "": box.value for box in app.screen.query(Input)}


async def settled(pilot: Pilot[int], app: CaseApp, timeout: float = 10) -> dict[str, str]:
    """Let the app work through the burst: until the fields stop changing for a while."""
    deadline = time.monotonic() + timeout
    last: dict[str, str] | None = None
    still = 0
    while still < 5 and time.monotonic() < deadline:
        await pilot.pause(0.05)
        now = values(app)
        still = still + 1 if now == last else 0
        last = now
    return values(app)


def shown_text(app: CaseApp) -> str:
    """What every visible (not password) field on the screen holds."""
    return "\n".join(box.value for box in app.screen.query(Input) if not box.password)


async def first_run_card(pilot: Pilot[int], app: CaseApp) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, SetupScreen))
    await wait_for(pilot, lambda: app.focused is app.screen.query_one("#name"))


async def add_client_form(pilot: Pilot[int], app: CaseApp) -> None:
    await caseload_ready(pilot, app)
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
    await wait_for(pilot, lambda: app.focused is app.screen.query_one("#field-preferred_name"))


def new_vault_app(tmp_path: Path) -> CaseApp:
    return CaseApp(tmp_path / "vault" / "vault.age", today=TODAY)


# -- the first-run card -------------------------------------------------------------


async def test_a_tab_in_a_burst_moves_the_passphrase_out_of_the_name(tmp_path: Path) -> None:
    app = new_vault_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_run_card(pilot, app)
        burst(app, "Sam Rivera\tsecret words here")
        got = await settled(pilot, app)
        assert "secret" not in shown_text(app), got
        assert got["name"] == "Sam Rivera", got
        assert got["passphrase"] == "secret words here", got
        assert got["again"] == ""
        assert app.focused is app.screen.query_one("#passphrase")


async def test_a_password_manager_fills_the_whole_card(tmp_path: Path) -> None:
    app = new_vault_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_run_card(pilot, app)
        burst(app, "Sam Rivera\tsecret words here\tsecret words here")
        got = await settled(pilot, app)
        assert "secret" not in shown_text(app), got
        assert got == {
            "name": "Sam Rivera",
            "passphrase": "secret words here",
            "again": "secret words here",
        }


async def test_enter_in_a_burst_moves_on_as_it_does_when_typed(tmp_path: Path) -> None:
    app = new_vault_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_run_card(pilot, app)
        burst(app, "Sam Rivera\rsecret words here\rsecret")
        got = await settled(pilot, app)
        assert "secret" not in shown_text(app), got
        assert got == {"name": "Sam Rivera", "passphrase": "secret words here", "again": "secret"}


async def test_shift_tab_in_a_burst_goes_back_to_the_name(tmp_path: Path) -> None:
    app = new_vault_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_run_card(pilot, app)
        # Back on the name, its text is selected, so what follows replaces it.
        burst(app, f"S\tsecret words here{SHIFT_TAB}Sam Rivera")
        got = await settled(pilot, app)
        assert "secret" not in shown_text(app), got
        assert got["name"] == "Sam Rivera", got
        assert got["passphrase"] == "secret words here", got
        assert app.focused is app.screen.query_one("#name")


async def test_backspace_in_a_burst_takes_the_character_before_it(tmp_path: Path) -> None:
    app = new_vault_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_run_card(pilot, app)
        burst(app, "Sam Riverx\x7fa")
        got = await settled(pilot, app)
        assert got["name"] == "Sam Rivera", got


async def test_a_long_burst_keeps_every_key_in_order(tmp_path: Path) -> None:
    name = "Sam Rivera " * 20
    phrase = "secret words here " * 20
    app = new_vault_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_run_card(pilot, app)
        burst(app, f"{name}\t{phrase}\t{phrase}")
        # A wait, not a speed target: how fast a burst settles is not asserted here.
        got = await settled(pilot, app, timeout=30)
        assert "secret" not in shown_text(app)
        assert got == {"name": name, "passphrase": phrase, "again": phrase}


# -- a form ---------------------------------------------------------------------------


async def test_a_tab_in_a_burst_moves_to_the_next_form_field(vault_files: VaultFiles) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await add_client_form(pilot, app)
        burst(app, "Maya Stone\tshe/her")
        got = await settled(pilot, app)
        assert got["field-preferred_name"] == "Maya Stone", got
        assert got["field-pronouns"] == "she/her", got


async def test_enter_in_a_burst_moves_to_the_next_form_field(vault_files: VaultFiles) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await add_client_form(pilot, app)
        burst(app, "Maya Stone\rshe/her")
        got = await settled(pilot, app)
        assert got["field-preferred_name"] == "Maya Stone", got
        assert got["field-pronouns"] == "she/her", got


async def test_a_key_that_opens_a_form_is_not_overtaken(vault_files: VaultFiles) -> None:
    """Keys behind "n" wait for the form it opens, and are typed there rather than lost."""
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        burst(app, "n")
        burst(app, "?")  # help, on the caseload; a plain character in the form
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        got = await settled(pilot, app)
        assert isinstance(app.screen, FormScreen), app.screen
        assert app.screen_stack.count(app.screen) == 1
        assert got["field-preferred_name"] == "?", got
