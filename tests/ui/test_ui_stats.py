"""Pilot tests for the funder statistics screen."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input

from casetui.core.choices import AuditAction
from casetui.core.records import Meeting
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.funder_stats import StatsScreen, last_month
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles
from tests.ui.test_ui_casework import app_for, new_client, seed, text_of
from tests.ui.test_ui_flows import caseload_ready, wait_for

SIZE = (80, 24)
CANARY = "Wrenna Quillfeather"


def plant(vault: Vault) -> None:
    """Six clients taken on in October 2026, one of them named with a canary."""
    for n in range(6):
        name = CANARY if n == 0 else f"Client {n}"
        who = new_client(vault, name, intake_date=date(2026, 10, 2 + n), calendar_code=f"CQ{n}")
        vault.repo.meetings.add(Meeting.create(client_id=who.id, on=date(2026, 10, 9 + n)))


def report_runs(files: VaultFiles) -> list[str]:
    with files.open(writable=False) as vault:
        return [e.detail for e in vault.repo.audit.all() if e.action is AuditAction.REPORT_RUN]


def test_the_default_period_is_the_previous_full_month() -> None:
    assert last_month(date(2026, 11, 16)) == (date(2026, 10, 1), date(2026, 10, 31))
    assert last_month(date(2026, 1, 1)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert last_month(date(2024, 3, 31)) == (date(2024, 2, 1), date(2024, 2, 29))


async def test_the_screen_counts_last_month_and_records_the_run(vault_files: VaultFiles) -> None:
    seed(vault_files, plant)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await caseload_ready(pilot, app)
        app.push_screen(StatsScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.ready)
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        assert (screen.period.start, screen.period.end) == (date(2026, 10, 1), date(2026, 10, 31))
        assert "Month: October 2026" in text_of(app, "#stats-period")
        assert not screen.query(Input)  # no days to type: whole periods only
        body = text_of(app, "#stats-body")
        assert body.startswith("Funder statistics, 2026-10-01 to 2026-10-31")
        assert "New (intake in the period)           6" in body
        for secret in (CANARY, "Wrenna", "W.Q.", "CQ0"):
            assert secret not in body
        assert "Counted 2026-10-01 to 2026-10-31" in text_of(app, "#stats-status")

        # [ steps back a whole month, ] forward again.
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: screen.ready and "2026-09-01" in text_of(app, "#stats-body"))
        assert "New (intake in the period)           0" in text_of(app, "#stats-body")
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.ready and "2026-10-01" in text_of(app, "#stats-body"))

        # r counts the same period again, recorded only once.
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.ready)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await wait_for(pilot, lambda: app.vault is not None and not app.vault.dirty)
    assert report_runs(vault_files) == [
        "funder statistics 2026-10-01–2026-10-31",
        "funder statistics 2026-09-01–2026-09-30",
    ]


async def test_a_period_not_over_cannot_be_chosen_and_p_changes_the_kind(
    vault_files: VaultFiles,
) -> None:
    seed(vault_files, plant)
    app = app_for(vault_files)
    async with app.run_test(size=SIZE) as pilot:
        await caseload_ready(pilot, app)
        app.push_screen(StatsScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.ready)
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        before = text_of(app, "#stats-body")
        # Today is 2026-11-16: November has not ended.
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "November 2026 has not ended yet" in text_of(app, "#stats-status")
        assert text_of(app, "#stats-body") == before
        # p: the quarter holding October has not ended either, so the last whole one.
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.ready and "2026-07-01" in text_of(app, "#stats-body"))
        assert "Quarter: 2026 Q3, 2026-07-01 to 2026-09-30" in text_of(app, "#stats-period")
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.ready and "FY2026" in text_of(app, "#stats-body"))
        assert "Fiscal year: FY2026, 2025-10-01 to 2026-09-30" in text_of(app, "#stats-period")
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: screen.ready and "FY2025" in text_of(app, "#stats-body"))
        await pilot.press("p")
        await wait_for(
            pilot, lambda: screen.ready and "September 2025" in text_of(app, "#stats-body")
        )
        footer = " ".join(
            b.binding.description for b in screen.active_bindings.values() if b.binding.show
        )
        for words in ("Earlier/later", "Kind of period", "Count again"):
            assert words in footer
