"""Pilot tests for the week screen and the team view.

Each test builds its own records through the vault API, drives the week from the
keyboard as a case manager would, then checks what the grid and the summary show
and, when the flow writes, the records as reopened from disk.
"""

from __future__ import annotations

import dataclasses
from datetime import date, time, timedelta
from typing import Any

from textual.pilot import Pilot

from casetui.core.choices import BlockKind
from casetui.core.records import AdminBlock, Meeting, Staff
from casetui.ui.app import CaseApp
from casetui.ui.forms.choice import ChoiceScreen
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.team import TeamScreen
from casetui.ui.screens.today_list import TodayScreen
from casetui.ui.screens.week import WeekScreen
from casetui.ui.widgets.row_list import RowList
from casetui.ui.widgets.week_grid import TIME_WIDTH, WeekGrid
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles
from tests.ui.test_ui_casework import (
    SIZE,
    app_for,
    choose,
    close_vault,
    finish,
    new_client,
    row_cells,
    save_form,
    seed,
    text_of,
    tick,
)
from tests.ui.test_ui_flows import TODAY, type_into, wait_for

MON, TUE, WED, THU, FRI = (TODAY + timedelta(days=i) for i in range(5))
NEXT = timedelta(days=7)

# -- helpers ------------------------------------------------------------------------


def owner_id(vault: Vault) -> str:
    assert vault.owner_staff_id is not None
    return vault.owner_staff_id


def new_block(vault: Vault, on: date, start: str, end: str, **values: Any) -> AdminBlock:
    values.setdefault("staff_id", owner_id(vault))
    block = AdminBlock.create(
        on=on, start=time.fromisoformat(start), end=time.fromisoformat(end), **values
    )
    added: AdminBlock = vault.repo.admin_blocks.add(block)
    return added


def week_screen(app: CaseApp) -> WeekScreen:
    screen = app.screen
    assert isinstance(screen, WeekScreen)
    return screen


def grid_of(app: CaseApp) -> WeekGrid:
    return app.screen.query_one(WeekGrid)


def cell(app: CaseApp, day: int, hour: int) -> str:
    """What the grid shows in one cell (day 0 is Monday), as drawn on screen."""
    grid = grid_of(app)
    y = hour - grid.first_hour + 1
    assert 1 <= y < grid.size.height, f"{hour:02d}:00 is not on screen"
    line = grid.render_line(y).text
    assert line.startswith(f"{hour:02d}:00")
    widths = grid._column_widths()
    left = TIME_WIDTH + sum(widths[:day])
    return line[left : left + widths[day]].rstrip()


def header(app: CaseApp) -> str:
    return grid_of(app).render_line(0).text


def summary(app: CaseApp) -> str:
    return text_of(app, "#week-summary")


def title(app: CaseApp) -> str:
    return text_of(app, "#week-title")


async def open_week(pilot: Pilot[int], app: CaseApp) -> WeekScreen:
    """From the caseload, `w` opens the owner's week with the grid focused."""
    await start(pilot, app)
    await pilot.press("w")
    await wait_for(pilot, lambda: isinstance(app.screen, WeekScreen))
    await wait_for(pilot, lambda: grid_ready(app))
    return week_screen(app)


def list_focused(app: CaseApp) -> bool:
    """Whether the screen's list has the focus; False while the screen is still composing.

    (A query that raises NoMatches would end ``wait_for`` instead of waiting.)
    """
    return any(widget.has_focus for widget in app.screen.query(RowList))


async def start(pilot: Pilot[int], app: CaseApp) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen), timeout=30)
    await wait_for(pilot, lambda: list_focused(app))


def grid_ready(app: CaseApp) -> bool:
    grids = app.screen.query(WeekGrid)
    return bool(grids) and grids.first().has_focus and grids.first().size.height > 1


async def wait_for_team(pilot: Pilot[int], app: CaseApp) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, TeamScreen))
    await wait_for(pilot, lambda: list_focused(app))


async def move_to(pilot: Pilot[int], app: CaseApp, day: int, hour: int) -> None:
    """Move the cursor with the arrow keys, as a person would."""
    grid = grid_of(app)
    keys = []
    keys += ["right" if day > grid.cursor_day else "left"] * abs(day - grid.cursor_day)
    keys += ["down" if hour > grid.cursor_hour else "up"] * abs(hour - grid.cursor_hour)
    await pilot.press(*keys)
    await wait_for(pilot, lambda: (grid.cursor_day, grid.cursor_hour) == (day, hour))
    await wait_for(pilot, lambda: f"{hour:02d}:00 ·" in text_of(app, "#week-cell"))


async def change_week(pilot: Pilot[int], app: CaseApp, key: str, monday: date) -> None:
    await pilot.press(key)
    await wait_for(pilot, lambda: week_screen(app).monday == monday)
    await wait_for(pilot, lambda: monday.strftime("%d %b") in title(app))


async def open_form(pilot: Pilot[int], app: CaseApp, *keys: str) -> FormScreen[Any]:
    await pilot.press(*keys)
    await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
    form = app.screen
    assert isinstance(form, FormScreen)
    await pilot.pause()
    return form


async def choose_scope(pilot: Pilot[int], app: CaseApp, key: str, question: str) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
    choice = app.screen
    assert isinstance(choice, ChoiceScreen)
    assert choice.question.startswith(question)
    assert [label for _key, label, _value in choice.answers] == [
        "Just this one",
        "This and all after",
    ]
    await pilot.pause()
    await pilot.press(key)
    await wait_for(pilot, lambda: app.screen is not choice)


def blocks_on_disk(files: VaultFiles) -> list[AdminBlock]:
    with files.open(writable=False) as vault:
        return sorted(vault.repo.admin_blocks.all(), key=lambda b: (b.on, b.start))


def form_value(form: FormScreen[Any], name: str) -> Any:
    return form.values()[name]


# -- adding ---------------------------------------------------------------------------


async def test_adding_a_one_off_block_at_the_cursor(vault_files: VaultFiles) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        assert title(app) == "Robin Testwell's week: 16 Nov – 22 Nov 2026"
        assert "Mon 16 Nov" in header(app)
        grid = grid_of(app)
        assert (grid.cursor_date, grid.cursor_hour) == (TODAY, 9)
        await move_to(pilot, app, 2, 11)
        assert text_of(app, "#week-cell") == "Wed 18 Nov 11:00 · free (press a to plan time)"
        assert cell(app, 2, 11) == " +"

        form = await open_form(pilot, app, "a")
        assert form.form_title == "Plan time for yourself"
        assert form_value(form, "kind") is BlockKind.ADMIN
        assert form_value(form, "on") == "2026-11-18"
        assert (form_value(form, "start"), form_value(form, "end")) == ("11:00", "12:00")
        assert form_value(form, "weekly") is False
        await type_into(pilot, "#field-end", "12:30")
        await type_into(pilot, "#field-note", "Referral letters")
        await save_form(pilot, app)

        await wait_for(pilot, lambda: cell(app, 2, 11).startswith(" A Admin"))
        assert cell(app, 2, 12) == " A"  # the block runs on into the next hour
        assert cell(app, 2, 13) == " ·"
        assert cell(app, 1, 11) == " ·"
        assert text_of(app, "#week-cell") == (
            "Wed 18 Nov 11:00 · Admin 11:00–12:30 (Referral letters)"
        )
        assert summary(app).startswith("Admin 1.5 h of 6 h")
        assert "Time planned." in app.messages
        await finish(pilot, app)
    close_vault(app)

    (block,) = blocks_on_disk(vault_files)
    assert block.kind is BlockKind.ADMIN
    assert block.on == WED
    assert (block.start, block.end) == (time(11, 0), time(12, 30))
    assert block.weekly is False
    assert block.until is None
    assert block.note == "Referral letters"


async def test_adding_a_weekly_block_shows_it_again_next_week(vault_files: VaultFiles) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        await move_to(pilot, app, 1, 12)
        await open_form(pilot, app, "a")
        await choose(pilot, "#field-kind", "self")
        await tick(pilot, "#field-weekly")
        await type_into(pilot, "#field-note", "Lunch away from the desk")
        await save_form(pilot, app)
        await wait_for(pilot, lambda: cell(app, 1, 12).startswith(" S Self-care"))
        assert "every week" in text_of(app, "#week-cell")

        await change_week(pilot, app, "right_square_bracket", MON + NEXT)
        assert title(app) == "Robin Testwell's week: 23 Nov – 29 Nov 2026"
        assert "Tue 24 Nov" in header(app)
        assert cell(app, 1, 12).startswith(" S Self-care")
        assert summary(app).startswith("Admin 0 h of 6 h · Self-care 1 h of 2 h")
        await change_week(pilot, app, "right_square_bracket", MON + 2 * NEXT)
        assert cell(app, 1, 12).startswith(" S Self-care")
        await change_week(pilot, app, "w", MON)
        assert cell(app, 1, 12).startswith(" S Self-care")
        await change_week(pilot, app, "left_square_bracket", MON - NEXT)
        assert cell(app, 1, 12) == " +"  # it starts this week, not before (the cursor is here)
        await finish(pilot, app)
    close_vault(app)

    (block,) = blocks_on_disk(vault_files)
    assert block.kind is BlockKind.SELF_CARE
    assert (block.on, block.weekly, block.until, block.skipped) == (TUE, True, None, ())
    assert (block.start, block.end) == (time(12, 0), time(13, 0))


# -- changing a weekly block ----------------------------------------------------------


def _weekly_on_tuesday(vault: Vault) -> str:
    block = new_block(vault, TUE, "10:00", "11:30", weekly=True, note="Case notes")
    return block.id


async def test_editing_just_this_one_moves_only_that_week(vault_files: VaultFiles) -> None:
    block_id = seed(vault_files, _weekly_on_tuesday)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        await move_to(pilot, app, 1, 10)
        assert cell(app, 1, 10).startswith(" A Admin")
        await change_week(pilot, app, "right_square_bracket", MON + NEXT)
        assert cell(app, 1, 10).startswith(" A Admin")

        await pilot.press("e")
        await choose_scope(pilot, app, "t", "This block repeats every week.")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.form_title == "Change time block"
        assert form_value(form, "on") == "2026-11-24"
        assert form_value(form, "weekly") is False
        assert form_value(form, "note") == "Case notes"
        await type_into(pilot, "#field-start", "14:00")
        await type_into(pilot, "#field-end", "15:00")
        await save_form(pilot, app)

        await wait_for(pilot, lambda: cell(app, 1, 14).startswith(" A Admin"))
        assert cell(app, 1, 10) == " +"  # the cursor, on a now-empty cell
        assert cell(app, 1, 11) == " ·"
        await change_week(pilot, app, "left_square_bracket", MON)
        assert cell(app, 1, 10).startswith(" A Admin")
        assert cell(app, 1, 14) == " ·"
        await change_week(pilot, app, "right_square_bracket", MON + NEXT)
        await change_week(pilot, app, "right_square_bracket", MON + 2 * NEXT)
        assert cell(app, 1, 10).startswith(" A Admin")
        assert cell(app, 1, 14) == " ·"
        await finish(pilot, app)
    close_vault(app)

    original, moved = blocks_on_disk(vault_files)
    assert original.id == block_id
    assert (original.on, original.start, original.end) == (TUE, time(10, 0), time(11, 30))
    assert original.weekly is True
    assert original.until is None
    assert original.skipped == (TUE + NEXT,)
    assert moved.id != block_id
    assert (moved.on, moved.start, moved.end) == (TUE + NEXT, time(14, 0), time(15, 0))
    assert (moved.weekly, moved.until, moved.skipped) == (False, None, ())
    assert (moved.kind, moved.note) == (BlockKind.ADMIN, "Case notes")


async def test_editing_this_and_all_after_splits_the_series(vault_files: VaultFiles) -> None:
    block_id = seed(vault_files, _weekly_on_tuesday)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        await move_to(pilot, app, 1, 10)
        await change_week(pilot, app, "right_square_bracket", MON + NEXT)
        await pilot.press("enter")
        await choose_scope(pilot, app, "f", "This block repeats every week.")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form_value(form, "on") == "2026-11-24"
        assert form_value(form, "weekly") is True
        await choose(pilot, "#field-kind", "doc")
        await type_into(pilot, "#field-start", "08:00")
        await type_into(pilot, "#field-end", "09:30")
        await save_form(pilot, app)

        await wait_for(pilot, lambda: cell(app, 1, 8).startswith(" D Documentation"))
        assert cell(app, 1, 10) == " +"
        await change_week(pilot, app, "right_square_bracket", MON + 2 * NEXT)
        assert cell(app, 1, 8).startswith(" D Documentation")
        assert cell(app, 1, 10) == " +"
        await change_week(pilot, app, "w", MON)
        assert cell(app, 1, 10).startswith(" A Admin")
        assert cell(app, 1, 8) == " ·"
        await finish(pilot, app)
    close_vault(app)

    original, later = sorted(blocks_on_disk(vault_files), key=lambda b: b.on)
    assert original.id == block_id
    assert (original.on, original.start, original.end) == (TUE, time(10, 0), time(11, 30))
    assert original.until == TUE + NEXT - timedelta(days=1)
    assert original.kind is BlockKind.ADMIN
    assert later.id != block_id
    assert (later.on, later.start, later.end) == (TUE + NEXT, time(8, 0), time(9, 30))
    assert (later.weekly, later.until, later.skipped) == (True, None, ())
    assert (later.kind, later.note) == (BlockKind.DOCUMENTATION, "Case notes")


# -- removing -------------------------------------------------------------------------


async def test_removing_just_this_one_of_a_weekly_block(vault_files: VaultFiles) -> None:
    block_id = seed(vault_files, _weekly_on_tuesday)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        await move_to(pilot, app, 1, 11)  # any hour the block covers will do
        await change_week(pilot, app, "right_square_bracket", MON + NEXT)

        await pilot.press("delete")  # Esc in the question changes nothing
        await choose_scope(pilot, app, "escape", "Remove admin on Tue 24 Nov")
        assert isinstance(app.screen, WeekScreen)
        assert cell(app, 1, 10).startswith(" A Admin")

        await pilot.press("delete")
        await choose_scope(pilot, app, "t", "Remove admin on Tue 24 Nov")
        await wait_for(pilot, lambda: cell(app, 1, 10) == " ·")
        assert cell(app, 1, 11) == " +"
        assert "Time block removed." in app.messages
        await change_week(pilot, app, "right_square_bracket", MON + 2 * NEXT)
        assert cell(app, 1, 10).startswith(" A Admin")
        await change_week(pilot, app, "w", MON)
        assert cell(app, 1, 10).startswith(" A Admin")
        await finish(pilot, app)
    close_vault(app)

    (block,) = blocks_on_disk(vault_files)
    assert block.id == block_id
    assert (block.weekly, block.until, block.skipped) == (True, None, (TUE + NEXT,))


async def test_removing_this_and_all_after_of_a_weekly_block(vault_files: VaultFiles) -> None:
    block_id = seed(vault_files, _weekly_on_tuesday)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        await move_to(pilot, app, 1, 10)
        await change_week(pilot, app, "right_square_bracket", MON + NEXT)
        await pilot.press("delete")
        await choose_scope(pilot, app, "f", "Remove admin on Tue 24 Nov")
        await wait_for(pilot, lambda: cell(app, 1, 10) == " +")
        await change_week(pilot, app, "right_square_bracket", MON + 2 * NEXT)
        assert cell(app, 1, 10) == " +"
        await change_week(pilot, app, "w", MON)
        assert cell(app, 1, 10).startswith(" A Admin")
        await finish(pilot, app)
    close_vault(app)

    (block,) = blocks_on_disk(vault_files)
    assert block.id == block_id
    assert (block.on, block.weekly, block.skipped) == (TUE, True, ())
    assert block.until == TUE + NEXT - timedelta(days=1)


async def test_removing_the_first_week_and_all_after_removes_the_block(
    vault_files: VaultFiles,
) -> None:
    seed(vault_files, _weekly_on_tuesday)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        await move_to(pilot, app, 1, 10)
        await pilot.press("delete")
        await choose_scope(pilot, app, "f", "Remove admin on Tue 17 Nov")
        await wait_for(pilot, lambda: cell(app, 1, 10) == " +")
        await finish(pilot, app)
    close_vault(app)
    assert blocks_on_disk(vault_files) == []


def _one_off_on_thursday(vault: Vault) -> str:
    return new_block(vault, THU, "15:00", "16:00", kind=BlockKind.SUPERVISION).id


async def test_removing_a_one_off_asks_first(vault_files: VaultFiles) -> None:
    block_id = seed(vault_files, _one_off_on_thursday)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        await move_to(pilot, app, 3, 15)
        assert cell(app, 3, 15).startswith(" V Supervision")

        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert confirm.question == "Remove supervision on Thu 19 Nov?"
        await pilot.press("n")  # Keep it
        await wait_for(pilot, lambda: isinstance(app.screen, WeekScreen))
        assert cell(app, 3, 15).startswith(" V Supervision")
        assert app.vault is not None
        assert [b.id for b in app.vault.repo.admin_blocks.all()] == [block_id]

        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: cell(app, 3, 15) == " +")
        assert "Time block removed." in app.messages
        await finish(pilot, app)
    close_vault(app)
    assert blocks_on_disk(vault_files) == []


async def test_editing_a_one_off_asks_no_question(vault_files: VaultFiles) -> None:
    block_id = seed(vault_files, _one_off_on_thursday)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        await move_to(pilot, app, 3, 15)
        form = await open_form(pilot, app, "e")
        assert form_value(form, "on") == "2026-11-19"
        assert (form_value(form, "start"), form_value(form, "end")) == ("15:00", "16:00")
        await type_into(pilot, "#field-on", "2026-11-20")
        await type_into(pilot, "#field-end", "17:00")
        await save_form(pilot, app)
        await wait_for(pilot, lambda: cell(app, 4, 16).startswith(" V"))
        assert cell(app, 3, 15) == " +"
        assert cell(app, 4, 15).startswith(" V Supervision")
        assert "Time block saved." in app.messages
        await finish(pilot, app)
    close_vault(app)

    (block,) = blocks_on_disk(vault_files)
    assert block.id == block_id
    assert (block.on, block.start, block.end) == (FRI, time(15, 0), time(17, 0))
    assert (block.kind, block.weekly) == (BlockKind.SUPERVISION, False)


async def test_the_cursor_moves_with_hjkl_stays_in_the_week_and_scrolls(
    vault_files: VaultFiles,
) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_week(pilot, app)
        grid = grid_of(app)
        assert grid.first_hour == 8
        await pilot.press("h", "h")  # already on Monday
        await pilot.press("l", "j")
        await wait_for(pilot, lambda: (grid.cursor_day, grid.cursor_hour) == (1, 10))
        assert text_of(app, "#week-cell").startswith("Tue 17 Nov 10:00 ·")
        await pilot.press("k", "k", "k")
        await wait_for(pilot, lambda: grid.cursor_hour == 7)
        assert grid.first_hour == 7
        assert cell(app, 1, 7) == " +"
        await pilot.press(*["l"] * 8, *["j"] * 20)
        await wait_for(pilot, lambda: (grid.cursor_day, grid.cursor_hour) == (6, 23))
        assert cell(app, 6, 23) == " +"
        assert text_of(app, "#week-cell").startswith("Sun 22 Nov 23:00 ·")
        form = await open_form(pilot, app, "a")  # the last hour ends at 23:59
        assert (form_value(form, "start"), form_value(form, "end")) == ("23:00", "23:59")
        await pilot.press("ctrl+q")
    close_vault(app)


async def test_delete_on_an_empty_cell_does_nothing(vault_files: VaultFiles) -> None:
    seed(vault_files, _one_off_on_thursday)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, WeekScreen)
        assert app.vault is not None
        assert len(app.vault.repo.admin_blocks.all()) == 1
        await pilot.press("ctrl+q")
    close_vault(app)


# -- clashes --------------------------------------------------------------------------


def _clashing(vault: Vault) -> None:
    new_block(vault, MON, "10:00", "11:30")
    new_block(vault, MON, "11:00", "12:00", kind=BlockKind.SELF_CARE)
    new_block(vault, WED, "14:30", "15:30", kind=BlockKind.SUPERVISION)
    new_block(vault, THU, "09:00", "10:00", kind=BlockKind.TRAINING)
    client = new_client(vault, "Nell Harrowgate")
    vault.repo.meetings.add(
        Meeting.create(client_id=client.id, on=WED, at=time(14, 0), duration_minutes=60)
    )
    # A meeting without a time of day cannot clash with anything.
    vault.repo.meetings.add(Meeting.create(client_id=client.id, on=THU))


async def test_overlaps_and_meeting_clashes_are_flagged(vault_files: VaultFiles) -> None:
    seed(vault_files, _clashing)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        text = summary(app)
        assert "! Mon 10:00: Admin overlaps Self-care" in text
        assert "! Wed 14:30: Supervision clashes with a client meeting" in text
        assert "Thu" not in text
        assert "Meetings 2" in text

        assert cell(app, 0, 10).startswith("!A Admin")
        assert cell(app, 0, 11).startswith("!A")  # both blocks share this hour
        assert cell(app, 2, 14).startswith("!V Supervision")
        assert cell(app, 2, 15).startswith("!V")
        assert cell(app, 3, 9).startswith(" T Training")
        assert cell(app, 0, 12) == " ·"

        await move_to(pilot, app, 2, 14)
        assert text_of(app, "#week-cell") == (
            "Wed 18 Nov 14:00 · Supervision 14:30–15:30; 1 client meeting; 1 meeting that day"
        )
        await pilot.press("ctrl+q")
    close_vault(app)


async def test_a_meeting_alone_shows_as_m(vault_files: VaultFiles) -> None:
    def build(vault: Vault) -> None:
        client = new_client(vault, "Nell Harrowgate")
        vault.repo.meetings.add(
            Meeting.create(client_id=client.id, on=TUE, at=time(13, 0), duration_minutes=90)
        )

    seed(vault_files, build)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        assert cell(app, 1, 13).startswith(" M 1 meeting")
        assert cell(app, 1, 14).startswith(" M 1 meeting")
        assert cell(app, 1, 15) == " ·"
        assert "!" not in summary(app)
        await pilot.press("ctrl+q")
    close_vault(app)


# -- the summary and its gentle prompts ---------------------------------------------------


def _stretched(vault: Vault) -> None:
    me = owner_id(vault)
    vault.repo.staff.put(dataclasses.replace(vault.repo.staff.require(me), capacity=2))
    new_block(vault, MON, "09:00", "10:00")
    new_block(vault, TUE, "13:00", "15:30", kind=BlockKind.DOCUMENTATION)
    new_block(vault, WED, "09:00", "11:00", kind=BlockKind.TRAINING)  # counts as neither
    clients = [new_client(vault, name) for name in ("Ada Fenn", "Bo Marsh", "Cy Holt")]
    vault.repo.meetings.add(Meeting.create(client_id=clients[0].id, on=WED, at=time(13, 0)))
    vault.repo.meetings.add(Meeting.create(client_id=clients[1].id, on=FRI))
    vault.repo.meetings.add(Meeting.create(client_id=clients[1].id, on=MON + NEXT))


NO_SELF_CARE = "No self-care is planned this week."
ADMIN_UNDER = "Admin time is"
OVER_CAPACITY = "The caseload is"


async def test_summary_shows_hours_meetings_caseload_and_gentle_prompts(
    vault_files: VaultFiles,
) -> None:
    seed(vault_files, _stretched)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        lines = summary(app).splitlines()
        assert lines[0] == (
            "Admin 3.5 h of 6 h · Self-care 0 h of 2 h · Meetings 2 · Caseload 3 of 2 clients"
        )
        assert lines[1:] == [
            "• No self-care is planned this week. Even a short walk or a quiet lunch counts; "
            "you could add one with a.",
            "• Admin time is 3.5 h of the 6 h you aim for. Protected admin time gives a "
            "break from intense work.",
            "• The caseload is 3 of 2 clients. It may be worth talking with your supervisor "
            "about sharing it more evenly.",
        ]

        # Planning some self-care takes its prompt away; the others stay.
        await move_to(pilot, app, 4, 12)
        await open_form(pilot, app, "a")
        await choose(pilot, "#field-kind", "self")
        await save_form(pilot, app)
        await wait_for(pilot, lambda: NO_SELF_CARE not in summary(app))
        assert summary(app).startswith("Admin 3.5 h of 6 h · Self-care 1 h of 2 h · Meetings 2")
        assert ADMIN_UNDER in summary(app)
        assert OVER_CAPACITY in summary(app)

        # Next week nothing is planned: a meeting, no self-care, no admin.
        await change_week(pilot, app, "right_square_bracket", MON + NEXT)
        assert summary(app).startswith("Admin 0 h of 6 h · Self-care 0 h of 2 h · Meetings 1")
        assert NO_SELF_CARE in summary(app)
        await finish(pilot, app)
    close_vault(app)


def _balanced(vault: Vault) -> None:
    me = owner_id(vault)
    staff = vault.repo.staff.require(me)
    vault.repo.staff.put(
        dataclasses.replace(staff, admin_hours_target=4.0, self_care_hours_target=1.0)
    )
    new_block(vault, MON, "09:00", "11:00", weekly=True)
    new_block(vault, TUE, "09:00", "11:00", kind=BlockKind.DOCUMENTATION)
    new_block(vault, FRI, "12:00", "13:30", kind=BlockKind.SELF_CARE)
    new_client(vault, "Ada Fenn")


async def test_no_prompts_when_the_week_is_balanced(vault_files: VaultFiles) -> None:
    seed(vault_files, _balanced)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        assert summary(app) == (
            "Admin 4 h of 4 h · Self-care 1.5 h of 1 h · Meetings 0 · Caseload 1 of 25 clients"
        )
        await change_week(pilot, app, "right_square_bracket", MON + NEXT)
        lines = summary(app).splitlines()
        assert lines[0].startswith("Admin 2 h of 4 h · Self-care 0 h of 1 h")
        assert [line.split(".")[0] for line in lines[1:]] == [
            "• No self-care is planned this week",
            "• Admin time is 2 h of the 4 h you aim for",
        ]
        await pilot.press("ctrl+q")
    close_vault(app)


# -- a bad form is refused ------------------------------------------------------------------


async def test_a_bad_time_is_refused_and_nothing_is_written(vault_files: VaultFiles) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await open_week(pilot, app)
        form = await open_form(pilot, app, "a")
        await type_into(pilot, "#field-start", "9.30")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert text_of(app, "#form-error") == (
            "From: '9.30' is not a time of day; use 24-hour HH:MM."
        )
        assert text_of(app, "#error-start") == "'9.30' is not a time of day; use 24-hour HH:MM."
        assert app.focused is form.query_one("#field-start")

        await type_into(pilot, "#field-start", "13:00")
        await type_into(pilot, "#field-end", "12:00")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert text_of(app, "#form-error") == "Until: must be later than the start time."

        await type_into(pilot, "#field-end", "14:00")
        await type_into(pilot, "#field-until", "2026-12-31")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert text_of(app, "#form-error") == (
            "Repeat until: only applies to a block that repeats."
        )

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, WeekScreen))
        assert app.vault is not None
        assert app.vault.repo.admin_blocks.all() == []
        assert not app.vault.dirty
        assert cell(app, 0, 9) == " +"
        await pilot.press("ctrl+q")
    close_vault(app)
    assert blocks_on_disk(vault_files) == []


# -- the team view ----------------------------------------------------------------------


def _team(vault: Vault) -> str:
    ash: Staff = vault.repo.staff.add(
        Staff.create(
            name="Ash Brightwater", capacity=2, admin_hours_target=3, self_care_hours_target=1
        )
    )
    vault.repo.staff.add(Staff.create(name="Zoe Quarry", capacity=10))
    # Two of Ash's three clients are overdue for a check-in; one is new.
    new_client(vault, "Ada Fenn", case_manager_id=ash.id)
    new_client(vault, "Bo Marsh", case_manager_id=ash.id)
    new_client(vault, "Cy Holt", case_manager_id=ash.id, intake_date=TODAY - timedelta(days=3))
    # Robin's only client is not overdue.
    new_client(vault, "Dee Lowe", intake_date=TODAY - timedelta(days=2))
    new_block(vault, MON - NEXT, "09:00", "11:00", staff_id=ash.id, weekly=True)
    new_block(vault, TUE, "12:00", "13:00", staff_id=ash.id, kind=BlockKind.SELF_CARE)
    new_block(vault, WED, "09:00", "10:30", kind=BlockKind.DOCUMENTATION)
    # Last week's admin does not count towards this week.
    new_block(vault, MON - NEXT, "13:00", "17:00")
    return ash.id


TEAM_ROWS = [
    ("Ash Brightwater", "3 of 2", "2", "2 of 3", "1 of 1"),
    ("Robin Testwell", "1 of 25", "0", "1.5 of 6", "0 of 2"),
    ("Zoe Quarry", "0 of 10", "0", "0 of 6", "0 of 2"),
]


async def test_team_view_from_the_week_lists_everyone_and_opens_their_week(
    vault_files: VaultFiles,
) -> None:
    ash_id = seed(vault_files, _team)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        week = await open_week(pilot, app)
        await pilot.press("v")
        await wait_for_team(pilot, app)
        assert text_of(app, "#team-title") == "Team: the week of 16 Nov 2026"
        assert row_cells(app, "#team-list") == TEAM_ROWS

        team_list = app.screen.query_one(RowList)
        assert team_list.current is not None and team_list.current.key == ash_id
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WeekScreen) and app.screen is not week)
        await wait_for(pilot, lambda: grid_ready(app))
        assert week_screen(app).staff_id == ash_id
        assert title(app) == "Ash Brightwater's week: 16 Nov – 22 Nov 2026"
        assert summary(app).startswith(
            "Admin 2 h of 3 h · Self-care 1 h of 1 h · Meetings 0 · Caseload 3 of 2 clients"
        )
        assert cell(app, 0, 9).startswith(" A Admin")
        assert cell(app, 1, 12).startswith(" S Self-care")
        assert cell(app, 2, 9) == " ·"  # Robin's block is not in Ash's week

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TeamScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is week)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await pilot.press("ctrl+q")
    close_vault(app)


async def test_team_view_from_the_app_reaches_a_colleague_lower_down(
    vault_files: VaultFiles,
) -> None:
    seed(vault_files, _team)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        app.show("team")
        await wait_for_team(pilot, app)
        assert row_cells(app, "#team-list") == TEAM_ROWS
        await pilot.press("down", "down")
        team_list = app.screen.query_one(RowList)
        await wait_for(
            pilot,
            lambda: team_list.current is not None and team_list.current.cells[0] == "Zoe Quarry",
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WeekScreen))
        await wait_for(pilot, lambda: "Zoe Quarry's week" in title(app))
        assert summary(app).startswith("Admin 0 h of 6 h · Self-care 0 h of 2 h")
        await pilot.press("ctrl+q")
    close_vault(app)


async def test_week_from_today_and_from_the_app(vault_files: VaultFiles) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.ready)
        await pilot.press("w")
        await wait_for(pilot, lambda: grid_ready(app))
        assert title(app) == "Robin Testwell's week: 16 Nov – 22 Nov 2026"
        await pilot.press("escape")  # the week took Today's place: back to the caseload
        await start(pilot, app)
        app.show("week")
        await wait_for(pilot, lambda: grid_ready(app))
        assert week_screen(app).monday == MON
        await pilot.press("ctrl+q")
    close_vault(app)
