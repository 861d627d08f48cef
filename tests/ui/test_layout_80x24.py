"""Usable at 80×24, the size of a default SSH terminal.

Every client tab is on screen with its key, the client header is one line (with
screen sharing on too), the week grid keeps the weekly mark, a checkbox that is
not ticked shows no X, and list columns hold their longest label.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Static, TabbedContent
from textual.widgets._tabs import Tab

from casetui.core.choices import LEGAL_TAB_ENGAGEMENTS
from casetui.core.records import Client
from casetui.ui.app import CaseApp
from casetui.ui.forms.form import FormScreen
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.client import KEY_NAMES, TABS, ClientScreen, tab_key
from casetui.ui.screens.week import WeekScreen
from casetui.ui.widgets.row_list import RowList
from casetui.ui.widgets.week_grid import WeekGrid
from tests.ui.test_snapshots import sample_app  # noqa: F401  (the fixture)
from tests.ui.test_ui_flows import wait_for
from tests.ui.test_ui_week import cell

SIZE = (80, 24)
KEYS = {tab: tab_key(tab) for tab, _label in TABS}


async def _caseload(pilot: Pilot[int], app: CaseApp) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen), timeout=30)
    await wait_for(pilot, lambda: any(w.has_focus for w in app.screen.query(RowList)))


def _clients(app: CaseApp) -> list[Client]:
    assert app.vault is not None
    return list(app.vault.repo.clients)


def _legal_client(app: CaseApp) -> Client:
    """A client who engages with the legal system (so the Legal tab shows), longest header."""
    engaged = [c for c in _clients(app) if c.legal_engagement in LEGAL_TAB_ENGAGEMENTS]
    assert engaged, "the sample caseload should have a client with the Legal tab"
    return max(engaged, key=lambda c: len(c.preferred_name + c.pronouns + c.language))


def _other_client(app: CaseApp) -> Client:
    others = [c for c in _clients(app) if c.legal_engagement not in LEGAL_TAB_ENGAGEMENTS]
    assert others, "the sample caseload should have a client without the Legal tab"
    return others[0]


async def _open_client(
    pilot: Pilot[int], app: CaseApp, choose: Callable[[CaseApp], Client]
) -> ClientScreen:
    await _caseload(pilot, app)
    app.open_client(choose(app).id)
    await wait_for(pilot, lambda: isinstance(app.screen, ClientScreen))
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ClientScreen)
    return screen


def _shown_tabs(screen: ClientScreen) -> list[Tab]:
    tabs = screen.query_one(TabbedContent)
    return [tab for tab in tabs.query(Tab) if tab.display]


def _assert_tabs_fit(screen: ClientScreen, width: int, expected: set[str]) -> None:
    shown = {tab.id.removeprefix("--content-tab-"): tab for tab in _shown_tabs(screen) if tab.id}
    assert set(shown) == expected
    for name, tab in shown.items():
        region = tab.region
        assert region.width > 0, f"the {name} tab is not drawn"
        assert region.x >= 0 and region.right <= width, (
            f"the {name} tab ({tab.label.plain!r}) is at columns {region.x}–{region.right}, "
            f"past the {width}-column screen"
        )
    for name, tab in shown.items():
        assert tab.label.plain.startswith(KEYS[name]), (
            f"the {name} tab label {tab.label.plain!r} does not show its key {KEYS[name]}"
        )


async def test_all_twelve_tabs_fit_with_their_keys(sample_app: CaseApp) -> None:  # noqa: F811
    app = sample_app
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_client(pilot, app, _legal_client)
        _assert_tabs_fit(screen, SIZE[0], {tab for tab, _label in TABS})
        # Every tab, Legal and History included, can be chosen by its key and stays
        # in view while it is the active one.
        for tab, key in KEYS.items():
            await pilot.press(KEY_NAMES.get(key, key))
            await wait_for(pilot, lambda tab=tab: screen.query_one(TabbedContent).active == tab)
            _assert_tabs_fit(screen, SIZE[0], {tab for tab, _label in TABS})


async def test_eleven_tabs_fit_without_legal(sample_app: CaseApp) -> None:  # noqa: F811
    app = sample_app
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_client(pilot, app, _other_client)
        _assert_tabs_fit(screen, SIZE[0], {tab for tab, _label in TABS if tab != "legal"})


async def test_wide_terminal_keeps_the_full_names(sample_app: CaseApp) -> None:  # noqa: F811
    app = sample_app
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await _open_client(pilot, app, _legal_client)
        labels = [tab.label.plain for tab in _shown_tabs(screen)]
        assert labels[:2] == ["1 Profile", "2 Goals"]
        assert "7 Safety plan" in labels and "- Household" in labels
        _assert_tabs_fit(screen, 160, {tab for tab, _label in TABS})


@pytest.mark.parametrize("sharing", [False, True], ids=["plain", "screen-sharing"])
async def test_client_header_is_one_line(sample_app: CaseApp, sharing: bool) -> None:  # noqa: F811
    app = sample_app
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_client(pilot, app, _legal_client)
        if sharing:
            await pilot.press("f9")
            await pilot.pause()
        header = screen.query_one("#client-header", Static)
        assert header.region.height == 1
        assert screen.query_one("#client-top").region.height == 1
        # The tab bar comes straight after it.
        tabs = _shown_tabs(screen)
        assert tabs[0].region.y == header.region.y + 1
        # Cut with an ellipsis, not silently.
        shown = header.render_line(0).text.rstrip()
        assert shown.endswith("…") or len(shown) < header.region.width


async def test_week_cells_keep_the_weekly_mark(sample_app: CaseApp) -> None:  # noqa: F811
    app = sample_app
    async with app.run_test(size=SIZE) as pilot:
        await _caseload(pilot, app)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WeekScreen))
        await wait_for(pilot, lambda: any(w.has_focus for w in app.screen.query(WeekGrid)))
        await pilot.pause()
        grid = app.screen.query_one(WeekGrid)
        rows = grid.size.height - 1
        seen_weekly = seen_once = 0
        for slot in grid.slots:
            day = (slot.day - grid.monday).days
            for hour in range(slot.start // 60, (slot.end + 59) // 60):
                if not grid.first_hour <= hour < grid.first_hour + rows:
                    continue
                if grid.slots_at(day, hour)[0] is not slot:
                    continue
                text = cell(app, day, hour)
                if slot.block.weekly:
                    seen_weekly += 1
                    assert "↻" in text, f"weekly {slot.block.kind.label} shows {text!r}"
                else:
                    seen_once += 1
                    assert "↻" not in text, f"one-off {slot.block.kind.label} shows {text!r}"
                # No name is cut part-way: the name is whole or left out.
                label = slot.block.kind.label
                named = text.removesuffix("↻").rstrip()[2:]
                assert named in ("", f" {label}"), f"{label} drawn as {text!r}"
        assert seen_weekly and seen_once, "the sample week should have both kinds of block"
        # The legend says what the letters mean.
        legend = str(app.screen.query_one("#week-legend", Static).render())
        assert "S self-care" in legend and "↻ every week" in legend


async def test_unticked_checkbox_shows_no_x(sample_app: CaseApp) -> None:  # noqa: F811
    app = sample_app
    async with app.run_test(size=SIZE) as pilot:
        await _caseload(pilot, app)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WeekScreen))
        await wait_for(pilot, lambda: any(w.has_focus for w in app.screen.query(WeekGrid)))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.pause()
        box = app.screen.query_one("#field-weekly", Checkbox)
        assert box.value is False
        drawn = box.render().plain
        assert "X" not in drawn, f"an unticked box is drawn as {drawn!r}"
        assert drawn.startswith("▐ ▌")
        box.focus()
        await pilot.press("space")
        await pilot.pause()
        assert box.value is True
        assert box.render().plain.startswith("▐X▌")


async def test_long_labels_are_not_cut(sample_app: CaseApp) -> None:  # noqa: F811
    """ "Scheduled case meeting" whole in the meetings list at 80 columns."""
    app = sample_app
    async with app.run_test(size=SIZE) as pilot:
        await _open_client(
            pilot,
            app,
            lambda app: next(c for c in _clients(app) if c.preferred_name == "Olek Thistledown"),
        )
        await pilot.press("4")
        await pilot.pause()
        rows = app.screen.query_one("#meetings RowList", RowList)
        text = "\n".join(rows.render_line(y).text for y in range(rows.size.height))
        assert "Scheduled case meeting" in text
        assert "Scheduled case …" not in text


async def test_an_unchosen_item_of_a_many_choice_list_shows_no_x() -> None:
    from textual.app import App, ComposeResult

    from casetui.ui.widgets.tick_box import TickList

    class Lists(App[None]):
        def compose(self) -> ComposeResult:
            yield TickList(("Housing", "h", True), ("Food", "f", False))

    app = Lists()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        listing = app.query_one(TickList)
        first = "".join(segment.text for segment in listing.render_line(0))
        second = "".join(segment.text for segment in listing.render_line(1))
        assert first.startswith("▐X▌") and "Housing" in first
        assert second.startswith("▐ ▌") and "Food" in second
