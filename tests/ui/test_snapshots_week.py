"""Snapshots of the week grid (80×24 and 120×40) and the team view (80×24).

They use the sample vault of ``tests/ui/test_snapshots.py``, whose owner is Priya
Oakhaven, on Monday 16 November 2026. Update them with
``pytest tests/ui/test_snapshots_week.py --snapshot-update`` after a deliberate
change to the layout, and read the report before committing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.widget import Widget

from casetui.ui.app import CaseApp
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.team import TeamScreen
from casetui.ui.screens.week import WeekScreen
from casetui.ui.widgets.row_list import RowList
from casetui.ui.widgets.week_grid import WeekGrid
from tests.ui.test_snapshots import SIZES, sample_app  # noqa: F401  (the fixture)
from tests.ui.test_ui_flows import wait_for

Run = Callable[[Pilot[int]], Awaitable[None]]


def _focused(pilot: Pilot[int], kind: type[Widget]) -> bool:
    """Whether a ``kind`` widget has the focus; False while the screen is still composing.

    (A query_one that raises NoMatches would end ``wait_for`` instead of waiting.)
    """
    return any(widget.has_focus for widget in pilot.app.screen.query(kind))


async def _open_week(pilot: Pilot[int]) -> None:
    """From the caseload, `w`: the owner's week, with the grid's cursor on it."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen), timeout=30)
    await wait_for(pilot, lambda: _focused(pilot, RowList))
    await pilot.press("w")
    await wait_for(pilot, lambda: isinstance(app.screen, WeekScreen))
    await wait_for(pilot, lambda: _focused(pilot, WeekGrid))
    await pilot.pause()


async def _open_team(pilot: Pilot[int]) -> None:
    """From the week, `v`: every case manager side by side."""
    app = pilot.app
    await _open_week(pilot)
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(app.screen, TeamScreen))
    await wait_for(pilot, lambda: _focused(pilot, RowList))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_week(snap_compare, sample_app: CaseApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert snap_compare(sample_app, terminal_size=size, run_before=_open_week)


def test_team(snap_compare, sample_app: CaseApp) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert snap_compare(sample_app, terminal_size=(80, 24), run_before=_open_team)
