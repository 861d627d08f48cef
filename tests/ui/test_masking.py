"""Screen sharing (masking): clients by calendar code (never initials), notes hidden.

Each test first proves that a client's name or note IS found where it should be
(unmasked, or after turning sharing off), so the checks can fail, then that none
is found anywhere while the screen is shared: neither in the text drawn on the
screen nor in any widget of the screen's DOM (other tabs, rows scrolled away).
"""

from __future__ import annotations

import dataclasses
import io
import sys
from collections.abc import Iterable
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Input, Static, TextArea

from casetui import cli
from casetui.config import DEFAULT_CONFIG_TEXT, Settings, load_settings, save_settings
from casetui.core.choices import BlockKind, Domain, Horizon, MeetingKind, NeedStatus
from casetui.core.fields import DatedNote, StatusChange, TextSpec
from casetui.core.history_records import Assignment, CaseEvent
from casetui.core.labels import initials, neutral_label, new_calendar_code
from casetui.core.private_records import Consent, LegalMatter, SafetyPlan, StrengthsAssessment
from casetui.core.records import AdminBlock, Client, Goal, Meeting, NeedItem, Record, Referral
from casetui.services import caseload_view
from casetui.ui.app import CaseApp
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.masking import HIDDEN, INDICATOR, client_name, stored_client_name
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.client import KEY_NAMES, PANES, TABS, ClientScreen, tab_key
from casetui.ui.screens.partners import PartnersScreen
from casetui.ui.screens.team import TeamScreen
from casetui.ui.screens.today_list import TodayScreen
from casetui.ui.screens.week import WeekScreen
from casetui.ui.widgets.chrome import MaskBadge
from casetui.ui.widgets.row_list import RowList
from casetui.ui.widgets.week_grid import WeekGrid
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles
from tests.ui.test_ui_flows import TODAY, caseload_ready, wait_for

OWNER = "st_sample01"
ROSA = "cl_sample013"
AMARA = "cl_sample001"  # Amara Bluefinch: no calendar code in the sample
CODE = "K-17"
SIZE = (120, 40)

#: Marker words put into Rosa's records, one per kind of free text.
MARK = {
    "culture": "OWLCULTURE likes a coffee first",
    "goal": "OWLGOAL I want my own flat",
    "progress": "OWLPROGRESS viewed two flats",
    "need": "OWLNEED replace lost papers",
    "need_note": "OWLNEEDNOTE ask the consulate",
    "meeting": "OWLMEETING talked about the move",
    "client_view": "OWLVIEW feels hopeful",
    "observations": "OWLOBSERVED calmer than last time",
    "next_steps": "OWLNEXT call the landlord",
    "referral": "OWLREFERRAL bring the letter",
    "shares": "OWLSHARES housing history only",
    "purpose": "OWLPURPOSE housing application",
    "strength": "OWLSTRENGTH got through the winter",
    "safety": "OWLSAFETY keep the spare key at work",
    "legal": "OWLLEGAL hearing on the order",
    "legal_note": "OWLLEGALNOTE bring the photos",
    "block": "OWLBLOCK call Rosa back",
    "partner": "OWLPARTNER ask for Jo",
}


# -- reading what the app shows -------------------------------------------------------


def screen_text(app: CaseApp) -> str:
    """The text drawn on the terminal now, modal backgrounds included."""
    console = Console(
        width=app.size.width,
        height=app.size.height,
        file=io.StringIO(),
        force_terminal=True,
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


def dom_text(screen: Screen[Any]) -> str:
    """Every piece of text the screen's widgets hold, shown or not (other tabs too)."""
    parts = [str(screen.title or ""), str(screen.sub_title or "")]
    for widget in screen.query("*"):
        if isinstance(widget, Static):
            parts.append(str(widget.content))
        if isinstance(widget, RowList):
            parts.extend(cell for row in widget.rows for cell in row.cells)
        if isinstance(widget, Input):
            parts += [widget.value, str(widget.placeholder)]
        if isinstance(widget, TextArea):
            parts.append(widget.text)
        if isinstance(widget, Button):
            parts.append(str(widget.label))
    return "\n".join(parts)


def found(text: str, secrets: Iterable[str]) -> set[str]:
    folded = text.casefold()
    return {secret for secret in secrets if secret.casefold() in folded}


def name_secrets(vault: Vault) -> set[str]:
    """Every client's preferred name, its last word (the sample's are all unique) and initials.

    First names alone are left out: a partner's contact person may share one.
    Initials identify people in a small community, so they are never shown either.
    """
    secrets = set()
    for client in vault.repo.clients:
        secrets |= {client.preferred_name, client.preferred_name.split()[-1]}
        secrets |= set(two_initials(client.preferred_name))
    return secrets


def two_initials(name: str) -> list[str]:
    """``name``'s initials when they have two letters or more (R.Q.), else nothing.

    One letter and a dot (C.) turns up in ordinary words, so it is not looked for.
    """
    label = initials(name)
    return [label] if label.count(".") >= 2 else []


def shared_labels(files: VaultFiles) -> dict[str, str]:
    """Each client's label while the screen is shared, by id: computed, never hard-coded."""
    with files.open(writable=False) as vault:
        return {
            c.id: neutral_label(c.preferred_name, c.calendar_code, c.id) for c in vault.repo.clients
        }


NOT_SECRET = {
    Client: {"preferred_name", "pronouns", "language", "calendar_code"},
    NeedItem: {"label"},  # catalog names are not secret; custom ones are checked below
}
CLIENT_RECORDS: tuple[type[Record], ...] = (
    Goal,
    NeedItem,
    Meeting,
    Referral,
    Consent,
    StrengthsAssessment,
    SafetyPlan,
    Assignment,
    CaseEvent,
    LegalMatter,
)


def note_secrets(vault: Vault, client_id: str) -> set[str]:
    """All free text in a client's records, long enough not to match a label by chance."""
    records: list[Record] = [vault.repo.clients.require(client_id)]
    for cls in CLIENT_RECORDS:
        records += vault.repo.table_for(cls).for_parent(client_id)
    texts: list[str] = []
    for record in records:
        for fld in dataclasses.fields(record):
            value = getattr(record, fld.name)
            if isinstance(fld.metadata.get("spec"), TextSpec):
                if fld.name not in NOT_SECRET.get(type(record), set()):
                    texts.append(value)
            elif isinstance(value, tuple):
                texts += [v.text for v in value if isinstance(v, DatedNote)]
                texts += [v.note for v in value if isinstance(v, StatusChange)]
        if isinstance(record, NeedItem) and record.is_custom:
            texts.append(record.label)
    return {text for text in texts if len(text) >= 20}


# -- the vault and the app --------------------------------------------------------------


def mark_records(files: VaultFiles) -> None:
    """Give Rosa a calendar code and a marker in every kind of free text."""
    with files.open() as vault:
        vault.set_owner(OWNER)
        repo = vault.repo
        rosa = repo.clients.require(ROSA)
        repo.clients.put(
            dataclasses.replace(rosa, culture_notes=MARK["culture"], calendar_code=CODE)
        )
        goal = min(repo.goals.for_parent(ROSA), key=lambda g: (g.priority, g.id))
        repo.goals.put(
            dataclasses.replace(
                goal,
                text=MARK["goal"],
                progress_notes=(*goal.progress_notes, DatedNote(TODAY, MARK["progress"])),
            )
        )
        repo.needs.add(
            NeedItem.create(
                client_id=ROSA,
                catalog_key=None,
                label=MARK["need"],
                horizon=Horizon.SHORT_TERM,
                domain=Domain.LEGAL,
                status=NeedStatus.NEEDED,
                status_date=TODAY,
                note=MARK["need_note"],
            )
        )
        repo.meetings.add(
            Meeting.create(
                client_id=ROSA,
                staff_id=OWNER,
                on=TODAY,
                kind=MeetingKind.SCHEDULED,
                summary=MARK["meeting"],
                client_view=MARK["client_view"],
                observations=MARK["observations"],
                next_steps=MARK["next_steps"],
                goals_discussed=(goal.id,),
            )
        )
        for referral in repo.referrals.for_parent(ROSA):
            repo.referrals.put(dataclasses.replace(referral, note=MARK["referral"]))
        for consent in repo.consents.for_parent(ROSA):
            repo.consents.put(
                dataclasses.replace(consent, shares=MARK["shares"], purpose=MARK["purpose"])
            )
        for sitting in repo.strengths.for_parent(ROSA):
            repo.strengths.put(dataclasses.replace(sitting, overcome=MARK["strength"]))
        plan = caseload_view.safety_plan_for(repo, ROSA)
        assert plan is not None
        repo.safety_plans.put(dataclasses.replace(plan, main_concern=MARK["safety"]))
        for matter in repo.legal_matters.for_parent(ROSA):
            repo.legal_matters.put(
                dataclasses.replace(matter, description=MARK["legal"], note=MARK["legal_note"])
            )
        repo.admin_blocks.add(
            AdminBlock.create(
                staff_id=OWNER,
                kind=BlockKind.ADMIN,
                on=TODAY,
                start=time(10, 0),
                end=time(11, 0),
                note=MARK["block"],
            )
        )
        partner = min(repo.partners, key=lambda p: p.id)
        repo.partners.put(dataclasses.replace(partner, notes=MARK["partner"]))
        vault.save()


@pytest.fixture
def marked(sample_files: VaultFiles, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> VaultFiles:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    mark_records(sample_files)
    return sample_files


@pytest.fixture
def secrets(marked: VaultFiles) -> tuple[set[str], set[str]]:
    """(every client's name, all of Rosa's free text) as stored."""
    with marked.open(writable=False) as vault:
        return name_secrets(vault), note_secrets(vault, ROSA) | set(MARK.values())


def app_for(files: VaultFiles, **settings: Any) -> CaseApp:
    return CaseApp(
        files.vault,
        unlocker=identity_unlocker(files.identity_file),
        today=TODAY,
        settings=Settings(**settings),
    )


async def settle(pilot: Pilot[int]) -> None:
    await pilot.pause()
    await pilot.pause()


def shown(app: CaseApp) -> str:
    return screen_text(app) + "\n" + dom_text(app.screen)


def assert_hidden(app: CaseApp, secrets: tuple[set[str], set[str]], where: str) -> None:
    names, notes = secrets
    text = shown(app)
    assert found(text, names) == set(), f"{where}: a client's name is shown"
    assert found(text, notes) == set(), f"{where}: a note is shown"
    assert INDICATOR in screen_text(app), f"{where}: the sharing badge is missing"


# -- the label ----------------------------------------------------------------------------


def test_the_label_is_the_calendar_code_else_a_neutral_code_never_initials() -> None:
    seed = "cl_0123456789ab"
    made = new_calendar_code("Rosa Quillfeather", seed=seed)
    assert neutral_label("Rosa Quillfeather", "K-17", seed) == "K-17"
    assert neutral_label("Rosa Quillfeather", "", seed) == made
    assert neutral_label("Rosa Quillfeather", "  ", seed) == made
    assert made != "R.Q." and not made.startswith("RQ")
    assert neutral_label("Rosa", " K-17\x1b[31m ", seed) == "K-17"  # sanitised
    assert neutral_label("[@click=app.quit]", "", seed) == new_calendar_code(
        "[@click=app.quit]", seed=seed
    )
    assert initials("!!!") == "Client"


def test_a_client_without_a_stored_code_is_masked_by_a_neutral_code_not_initials() -> None:
    rosa = Client.create(
        preferred_name="Rosa Quillfeather", intake_date=TODAY, case_manager_id=OWNER
    )
    assert rosa.calendar_code == ""
    expected = new_calendar_code(rosa.preferred_name, seed=rosa.id)
    row = rosa.to_dict(with_id=False)
    for label in (client_name(rosa, True), stored_client_name(rosa.id, row, True)):
        assert label == expected
        assert "R.Q." not in label and "Quillfeather" not in label
    assert client_name(rosa, False) == "Rosa Quillfeather"
    assert stored_client_name(rosa.id, row, False) == "Rosa Quillfeather"


# -- the caseload and the command palette ----------------------------------------------


async def test_the_caseload_and_palette_show_codes_only_while_sharing(
    marked: VaultFiles, secrets: tuple[set[str], set[str]]
) -> None:
    names, _notes = secrets
    amara = shared_labels(marked)[AMARA]
    app = app_for(marked)
    async with app.run_test(size=SIZE) as pilot:
        await caseload_ready(pilot, app)
        assert not app.masked
        assert "Rosa Quillfeather" in screen_text(app)
        assert INDICATOR not in screen_text(app)

        await pilot.press("f9")
        await settle(pilot)
        assert app.masked
        assert_hidden(app, secrets, "caseload")
        cells = [row.cells[0] for row in app.screen.query_one(RowList).rows]
        assert CODE in cells
        assert amara in cells  # Amara Bluefinch has no stored code: the neutral one
        assert "A.B." not in cells  # never her initials
        assert app.screen.query_one(MaskBadge).display

        # Everyone's clients too.
        await pilot.press("m")
        await settle(pilot)
        assert_hidden(app, secrets, "everyone's caseload")

        # The palette offers clients by code, and matches only those.
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"K-17")
        await wait_for(pilot, lambda: f"Go to client: {CODE}" in screen_text(app))
        assert found(screen_text(app), names) == set()
        palette_input = app.screen.query_one(Input)
        palette_input.value = amara
        await wait_for(pilot, lambda: f"Go to client: {amara}" in screen_text(app))
        palette_input.value = "A.B."  # her initials match no one
        await pilot.pause(0.5)
        assert "Go to client" not in screen_text(app)
        palette_input.value = "Quillfeather"  # what is typed shows, but matches no one
        await pilot.pause(0.5)
        assert "Go to client" not in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))

        # Turning it off brings the names back, in the palette too.
        await pilot.press("f9")
        await settle(pilot)
        assert not app.masked
        assert "Rosa Quillfeather" in screen_text(app)
        assert INDICATOR not in screen_text(app)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Quillf")
        await wait_for(pilot, lambda: "Go to client: Rosa Quillfeather" in screen_text(app))
        await pilot.press("escape")


async def test_turning_sharing_on_closes_the_palette_and_clears_toasts(marked: VaultFiles) -> None:
    app = app_for(marked)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await caseload_ready(pilot, app)
        app.notify("Added Rosa Quillfeather.", markup=False, timeout=30)
        await wait_for(pilot, lambda: "Added Rosa Quillfeather." in screen_text(app))
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Rosa")
        await wait_for(pilot, lambda: "Go to client: Rosa" in screen_text(app))
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await wait_for(pilot, lambda: "Screen sharing on" in screen_text(app))
        assert "Rosa" not in screen_text(app)


async def test_the_palette_has_a_command_to_turn_sharing_on_and_off(marked: VaultFiles) -> None:
    app = app_for(marked)
    async with app.run_test(size=SIZE) as pilot:
        await caseload_ready(pilot, app)
        for expected in (True, False):
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
            await pilot.press(*"Screen sharing")
            await wait_for(pilot, lambda: "Screen sharing:" in screen_text(app))
            await pilot.press("enter")
            await wait_for(pilot, lambda e=expected: app.masked is e)
            await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))


async def test_the_filter_matches_only_what_is_shown_while_sharing(marked: VaultFiles) -> None:
    labels = shared_labels(marked)
    app = app_for(marked)
    async with app.run_test(size=SIZE) as pilot:
        await caseload_ready(pilot, app)
        listing = app.screen.query_one(RowList)

        async def filter_by(text: str) -> list[str]:
            box = app.screen.query_one("#filter", Input)
            box.value = text
            await settle(pilot)
            return [row.key for row in listing.rows]

        await pilot.press("slash")
        assert await filter_by("quillfeather") == [ROSA]  # by name, unmasked
        assert await filter_by("owlculture") == [ROSA]  # and by notes
        await pilot.press("f9")
        await settle(pilot)
        # What was typed may be part of a name: it is cleared.
        assert app.screen.query_one("#filter", Input).value == ""
        await pilot.press("slash")
        assert await filter_by("quillfeather") == []
        assert await filter_by("owlculture") == []
        assert await filter_by("spanish") == []  # the language is not in the row
        assert await filter_by(CODE.lower()) == [ROSA]
        # Amara Bluefinch has no stored code: found by the neutral one, not her initials.
        assert await filter_by(labels[AMARA].lower()) == [AMARA]
        assert await filter_by("a.b.") == []
        placeholder = str(app.screen.query_one("#filter", Input).placeholder)
        assert "code" in placeholder
        assert "initials" not in placeholder


# -- the client workspace ------------------------------------------------------------------


async def open_rosa(pilot: Pilot[int], app: CaseApp) -> ClientScreen:
    await caseload_ready(pilot, app)
    app.open_client(ROSA)
    await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ClientScreen)
    return screen


async def test_every_tab_of_the_workspace_hides_names_and_notes(
    marked: VaultFiles, secrets: tuple[set[str], set[str]]
) -> None:
    names, notes = secrets
    app = app_for(marked, mask_clients=True, confirm_safety_plan=False)
    async with app.run_test(size=SIZE) as pilot:
        assert app.masked  # from the setting
        screen = await open_rosa(pilot, app)
        header = str(screen.query_one("#client-header", Static).content)
        assert header.startswith(f"{CODE} (she/her)")
        assert screen.title == CODE
        for tab, _label in TABS:
            key = tab_key(tab)
            await pilot.press(KEY_NAMES.get(key, key))
            await settle(pilot)
            pane = screen.query_one(PANES[tab])
            for listing in pane.query(RowList):  # each row's detail in turn
                for row in list(listing.rows):
                    pane.select(row.key)
                    await settle(pilot)
                    assert_hidden(app, secrets, f"the {tab} tab")
            assert_hidden(app, secrets, f"the {tab} tab")

        # Rows show the placeholder where the words were.
        await pilot.press("2")
        await settle(pilot)
        goal_cells = [row.cells[1] for row in screen.query_one("#goals-list", RowList).rows]
        assert HIDDEN in goal_cells
        await pilot.press("3")
        await settle(pilot)
        need_cells = [row.cells[1] for row in screen.query_one("#needs-list", RowList).rows]
        assert "Custom need" in need_cells

        # The meeting in full: nothing said or seen in it.
        await pilot.press("4")
        await settle(pilot)
        meetings = screen.query_one("#meetings-list", RowList)
        (ours,) = [row.key for row in meetings.rows if row.data.summary == MARK["meeting"]]
        meetings.set_rows(meetings.rows, keep_key=ours)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Meeting on" in screen_text(app))
        assert_hidden(app, secrets, "the meeting view")
        assert "Scheduled" in screen_text(app)  # the kind stays
        # ...and turning sharing off while it is open shows them again.
        await pilot.press("f9")
        await settle(pilot)
        assert MARK["meeting"] in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)

        # Off: the same checks find the names and notes (so they can fail).
        assert not app.masked
        for tab, _label in TABS:
            key = tab_key(tab)
            await pilot.press(KEY_NAMES.get(key, key))
            await settle(pilot)
        text = dom_text(screen)
        assert "Rosa Quillfeather" in found(text, names)
        assert {MARK["culture"], MARK["goal"], MARK["meeting"]} <= found(text, notes)
        assert MARK["safety"] in found(text, notes)  # confirm_safety_plan is off


async def test_the_safety_plan_cannot_be_shown_or_edited_while_sharing(
    marked: VaultFiles,
) -> None:
    app = app_for(marked)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_rosa(pilot, app)
        await pilot.press("7")
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: MARK["safety"] in screen_text(app))
        await pilot.press("f9")
        await settle(pilot)
        assert MARK["safety"] not in dom_text(screen)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)  # no question, nothing shown
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        await pilot.press("f9")
        await settle(pilot)
        # It was covered when sharing began, and stays so until asked for again.
        assert MARK["safety"] not in dom_text(screen)


async def test_an_open_form_is_covered_while_sharing_and_keeps_what_was_typed(
    marked: VaultFiles, secrets: tuple[set[str], set[str]]
) -> None:
    names, notes = secrets
    app = app_for(marked)
    async with app.run_test(size=SIZE) as pilot:
        await open_rosa(pilot, app)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert isinstance(form, FormScreen)
        await settle(pilot)
        assert "Rosa Quillfeather" in screen_text(app)
        form.query_one("#field-faith_notes", TextArea).text = "typed just now"
        await pilot.press("f9")
        await settle(pilot)
        text = screen_text(app)
        assert found(text, names) == set()
        assert found(text, notes) == set()
        assert "hidden while screen sharing" in text
        await pilot.press("ctrl+s")  # nothing is saved unseen
        await settle(pilot)
        assert app.screen is form
        await pilot.press("f9")
        await settle(pilot)
        assert "Rosa Quillfeather" in screen_text(app)
        assert form.query_one("#field-faith_notes", TextArea).text == "typed just now"

        # A form opened while sharing starts covered.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
        await pilot.press("f9")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await settle(pilot)
        assert found(screen_text(app), names) == set()
        assert "hidden while screen sharing" in screen_text(app)


async def test_a_question_about_a_goal_hides_its_words_while_sharing(
    marked: VaultFiles,
) -> None:
    app = app_for(marked)
    async with app.run_test(size=SIZE) as pilot:
        await open_rosa(pilot, app)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await settle(pilot)
        assert MARK["goal"] in screen_text(app)
        await pilot.press("f9")
        await settle(pilot)
        assert MARK["goal"] not in screen_text(app)
        assert HIDDEN in screen_text(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))


# -- Today, the week, the team and the partners -------------------------------------------


async def test_today_week_team_and_partners_hide_names_and_notes(
    marked: VaultFiles, secrets: tuple[set[str], set[str]]
) -> None:
    names, notes = secrets
    app = app_for(marked)
    async with app.run_test(size=SIZE) as pilot:
        await caseload_ready(pilot, app)

        # Today, unmasked first: names, the court date's words and the block's note.
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.ready)
        await settle(pilot)
        assert "Rosa Quillfeather" in found(shown(app), names)
        assert {MARK["legal"], MARK["block"]} <= found(shown(app), notes)
        await pilot.press("f9")
        await wait_for(pilot, lambda: app.screen.ready)  # type: ignore[attr-defined]
        await settle(pilot)
        assert_hidden(app, secrets, "Today")
        today_rows = app.screen.query_one(RowList).rows
        assert CODE in [row.cells[1] for row in today_rows]
        court = [row for row in today_rows if row.cells[0] == "Court date"]
        assert court
        assert all(row.cells[3].startswith("Court date (") for row in court)

        # My week, with the cursor on the block with a note.
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WeekScreen))
        grid = app.screen.query_one(WeekGrid)
        grid.cursor_hour = 10
        grid.action_move(0, 0)
        await settle(pilot)
        assert "Admin 10:00–11:00" in dom_text(app.screen)
        assert_hidden(app, secrets, "the week")
        await pilot.press("f9")
        await settle(pilot)
        assert MARK["block"] in dom_text(app.screen)
        await pilot.press("f9")
        await settle(pilot)

        # The team.
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, TeamScreen))
        await settle(pilot)
        assert_hidden(app, secrets, "the team")

        # The partners: named (they are agencies), their notes hidden and not searched.
        app.show("partners")
        await wait_for(pilot, lambda: isinstance(app.screen, PartnersScreen))
        await wait_for(pilot, lambda: app.screen.query_one(RowList).has_focus)
        listing = app.screen.query_one(RowList)
        await settle(pilot)
        listing.cursor = 0
        await settle(pilot)
        assert_hidden(app, secrets, "the partners")
        box = app.screen.query_one("#partners-filter", Input)
        box.value = "owlpartner"
        await settle(pilot)
        assert listing.rows == []
        await pilot.press("f9")
        await settle(pilot)
        assert len(listing.rows) == 1
        assert MARK["partner"] in dom_text(app.screen)


# -- starting masked -----------------------------------------------------------------------


def test_the_setting_is_read_written_and_documented(tmp_path: Path) -> None:
    assert Settings().mask_clients is False
    assert "\nmask_clients = false\n" in DEFAULT_CONFIG_TEXT
    assert '"app.mask"' in DEFAULT_CONFIG_TEXT
    path = tmp_path / "config.toml"
    path.write_text("mask_clients = true\n")
    assert load_settings(path) == (Settings(mask_clients=True), [])
    path.write_text('mask_clients = "yes"\n')
    settings, notices = load_settings(path)
    assert settings.mask_clients is False
    assert len(notices) == 1
    assert "mask_clients should be true or false" in notices[0]
    save_settings(Settings(mask_clients=True), path)
    assert "mask_clients = true\n" in path.read_text()
    assert load_settings(path) == (Settings(mask_clients=True), [])
    with pytest.raises(ValueError, match="mask_clients"):
        Settings(mask_clients="yes")  # type: ignore[arg-type]


def test_the_app_starts_masked_from_the_setting_or_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "vault.age"
    assert CaseApp(path).masked is False
    assert CaseApp(path, settings=Settings(mask_clients=True)).masked is True
    assert CaseApp(path, masked=True).masked is True
    assert CaseApp(path, settings=Settings(mask_clients=True), masked=False).masked is False


async def test_the_mask_key_can_be_remapped(marked: VaultFiles) -> None:
    (binding,) = [b for b in CaseApp.BINDINGS if getattr(b, "id", None) == "app.mask"]
    assert binding.key == "f9"  # type: ignore[union-attr]
    app = app_for(marked, keymap={"app.mask": "f8"})
    async with app.run_test(size=SIZE) as pilot:
        await caseload_ready(pilot, app)
        await pilot.press("f9")
        await settle(pilot)
        assert not app.masked
        await pilot.press("f8")
        await settle(pilot)
        assert app.masked


@pytest.fixture
def launches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[str, dict[str, Any]]]:
    """What cli.main handed to the launchers, without opening a terminal."""
    import casetui.ui.launch
    import casetui.web

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CASETUI_PASSPHRASE", raising=False)
    monkeypatch.delenv("CASETUI_VAULT", raising=False)
    calls: list[tuple[str, dict[str, Any]]] = []

    def record(name: str) -> Any:
        def launcher(*args: Any, **kwargs: Any) -> int:
            calls.append((name, kwargs))
            return 0

        return launcher

    monkeypatch.setattr(casetui.ui.launch, "run_demo", record("demo"))
    monkeypatch.setattr(casetui.ui.launch, "run_app", record("app"))
    monkeypatch.setattr(casetui.web, "serve_demo", record("web"))
    return calls


@pytest.mark.parametrize(
    ("argv", "launcher", "masked"),
    [
        (["demo"], "demo", None),
        (["demo", "--masked"], "demo", True),
        (["--masked", "demo"], "demo", True),
        (["open"], "app", None),
        (["open", "--masked"], "app", True),
        (["--masked"], "app", True),
        (["--masked", "open"], "app", True),
        ([], "app", None),
        (["demo", "--web"], "web", False),
        (["demo", "--web", "--masked"], "web", True),
    ],
)
def test_the_masked_flag_reaches_the_app(
    launches: list[tuple[str, dict[str, Any]]], argv: list[str], launcher: str, masked: bool | None
) -> None:
    assert cli.main(argv) == 0
    ((name, kwargs),) = launches
    assert name == launcher
    assert kwargs["masked"] is masked


def test_the_web_demo_runs_each_demo_masked_when_asked() -> None:
    from casetui import web

    assert web.demo_command(masked=True).split()[-2:] == ["demo", "--masked"]
    assert web.demo_command().split()[-1] == "demo"
    assert web.DemoServer("127.0.0.1", 8000, masked=True).command.endswith("--masked")


def test_run_demo_opens_the_app_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    import casetui.ui.launch

    seen: list[bool] = []

    def run(self: CaseApp) -> int:
        seen.append(self.masked)
        return 0

    monkeypatch.setattr(casetui.ui.launch.CaseApp, "run", run)
    for masked in (True, None):
        assert casetui.ui.launch.run_demo(settings=Settings(), notices=[], masked=masked) == 0
    assert seen == [True, False]


def test_help_lists_the_flag_and_loads_no_textual() -> None:
    import subprocess

    probe = (
        "import sys, contextlib, io, casetui.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try:\n"
        "        casetui.cli.main(['demo', '--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('--masked' in out.getvalue(), any(m.startswith('textual') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "False"]


async def test_the_demo_starts_masked_and_shows_the_badge(tmp_path: Path) -> None:
    from casetui.ui.launch import make_demo_vault

    vault = make_demo_vault(tmp_path, TODAY)
    clients = vault.repo.clients.all()
    labels = {neutral_label(c.preferred_name, c.calendar_code, c.id) for c in clients}
    shown_initials = {label for c in clients for label in two_initials(c.preferred_name)}
    app = CaseApp(vault.path, vault=vault, demo=True, today=TODAY, masked=True)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await caseload_ready(pilot, app)
            text = screen_text(app)
            assert INDICATOR in text
            assert "Quillfeather" not in text
            assert any(label in text for label in labels)  # clients show by neutral code
            assert found(text, shown_initials) == set()  # never by initials
    finally:
        vault.close()


def test_today_details_have_a_version_without_typed_words() -> None:
    from casetui.core.choices import LegalKind, LegalStatus
    from casetui.core.today import block_items, court_items

    rosa = Client.create(
        preferred_name="Rosa Quillfeather",
        intake_date=TODAY,
        case_manager_id=OWNER,
        legal_engagement="engaged",
    )
    court = LegalMatter.create(
        client_id=rosa.id,
        kind=LegalKind.COURT_DATE,
        status=LegalStatus.SCHEDULED,
        on=TODAY + timedelta(days=2),
        description="Hearing about the order",
    )
    (item,) = court_items([court], {rosa.id: rosa}, TODAY)
    assert item.detail == "Hearing about the order (in 2 days)"
    assert item.shareable_detail == "Court date (in 2 days)"
    block = AdminBlock.create(
        staff_id=OWNER, on=TODAY, start=time(9), end=time(10), note="call Rosa back"
    )
    (item,) = block_items([block], TODAY)
    assert item.detail == "09:00–10:00 Admin: call Rosa back"
    assert item.shareable_detail == "09:00–10:00 Admin"
    plain = dataclasses.replace(block, note="")
    (item,) = block_items([plain], TODAY)
    assert item.shareable_detail == item.detail == "09:00–10:00 Admin"
