"""Pilot tests for the PMT quarterly figures screen, and for every figures screen
waiting for the meeting log rather than counting without it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from casetui.core.choices import AuditAction
from casetui.core.records import Client, Record
from casetui.core.stats.funder_report import funder_stats
from casetui.core.stats.pmt_report import federal_quarter
from casetui.core.stats.render import render_stats
from casetui.ui.app import CaseApp
from casetui.ui.figures_view import WAITING_FOR_LOG, counted_tables
from casetui.ui.screens.accreditation_readiness import AccreditationScreen
from casetui.ui.screens.caseload import CaseloadScreen
from casetui.ui.screens.funder_stats import COUNTED, StatsScreen
from casetui.ui.screens.pmt_figures import PmtScreen, step_quarter
from casetui.ui.widgets.row_list import RowList
from tests.conftest import VaultFiles
from tests.ui.test_shared_vault import hold_meeting_log
from tests.ui.test_ui_casework import text_of
from tests.ui.test_ui_flows import TODAY, app_for, caseload_ready, wait_for

SIZE = (80, 24)

#: The figures' label column (see ``pmt_render``): the count follows it.
LABEL_WIDTH = 70


def figure(body: str, label: str) -> int:
    """The count on the line of the text report whose label is ``label``."""
    for line in body.splitlines():
        if line[:LABEL_WIDTH].strip() == label:
            return int(line[LABEL_WIDTH:])
    raise AssertionError(f"no line {label!r} in:\n{body}")


SERVED = "Individuals who received services"
CLIENTS = "of them, clients (primary victims)"
NEW = "New individuals who received services for the first time this year"


def report_runs(files: VaultFiles) -> list[str]:
    with files.open(writable=False) as vault:
        return [e.detail for e in vault.repo.audit.all() if e.action is AuditAction.REPORT_RUN]


async def open_pmt(pilot: Pilot[int], app: CaseApp) -> PmtScreen:
    app.show("pmt")
    await wait_for(pilot, lambda: isinstance(app.screen, PmtScreen) and app.screen.ready)
    screen = app.screen
    assert isinstance(screen, PmtScreen)
    return screen


def test_quarters_step_across_the_federal_year() -> None:
    q4 = federal_quarter(date(2026, 8, 1))
    assert (q4.label, q4.start, q4.end) == ("FFY2026 Q4", date(2026, 7, 1), date(2026, 9, 30))
    q1 = step_quarter(q4, 1)
    assert (q1.label, q1.start, q1.end) == ("FFY2027 Q1", date(2026, 10, 1), date(2026, 12, 31))
    assert step_quarter(q1, -1) == q4
    assert step_quarter(q4, -4).label == "FFY2025 Q4"
    assert step_quarter(q1, 4).start == date(2027, 10, 1)


async def test_the_last_ended_quarter_matches_the_hand_worked_figures_and_names_nobody(
    sample_files: VaultFiles,
) -> None:
    """The sample's FFY2026 Q4, as tests/core/test_pmt_report.py worked it out by hand:
    35 served (31 clients and 4 secondary victims), 7 new; by funding source, VOCA 21
    clients and 3 secondary, the state grant 10 and 2, the foundation 2 and 2."""
    with sample_files.open(writable=False) as vault:
        clients = [c for c in vault.repo.clients if isinstance(c, Client)]
    secrets = {c.preferred_name for c in clients} | {c.id for c in clients}
    secrets |= {c.calendar_code for c in clients if c.calendar_code}
    app = app_for(sample_files)
    async with app.run_test(size=SIZE) as pilot:
        await caseload_ready(pilot, app)
        await wait_for(pilot, lambda: not app.require_vault().loading)
        screen = await open_pmt(pilot, app)
        assert "FFY2026 Q4: 2026-07-01 to 2026-09-30 · all funding sources" in text_of(
            app, "#pmt-period"
        )
        body = text_of(app, "#pmt-body")
        assert (figure(body, SERVED), figure(body, CLIENTS), figure(body, NEW)) == (35, 31, 7)
        assert "not for publication" in body.lower()
        for secret in secrets:
            assert secret not in body, secret

        # f: each funding source by name, then all of them again.
        expected = [
            ("Lanternwick Foundation Emergency Fund", 4, 2),
            ("State Survivor Services 2026", 12, 10),
            ("VOCA 2026", 24, 21),
        ]
        for name, served, primary in expected:
            await pilot.press("f")
            await wait_for(
                pilot, lambda n=name: screen.ready and f"only {n}" in text_of(app, "#pmt-period")
            )
            body = text_of(app, "#pmt-body")
            assert f"Funding: {name}" in body
            assert (figure(body, SERVED), figure(body, CLIENTS)) == (served, primary), name
        await pilot.press("f")
        await wait_for(pilot, lambda: screen.ready and screen.funding is None)
        assert figure(text_of(app, "#pmt-body"), SERVED) == 35

        # ] goes on to the quarter today falls in, shown as figures so far; no further.
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.ready and screen.quarter.label == "FFY2027 Q1")
        assert "(not over yet: figures so far)" in text_of(app, "#pmt-period")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.quarter.label == "FFY2027 Q1"
        assert "FFY2027 Q2 has not started yet" in text_of(app, "#pmt-status")
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: screen.ready and screen.quarter.label == "FFY2026 Q4")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        await wait_for(pilot, lambda: not app.require_vault().dirty)
    runs = [r for r in report_runs(sample_files) if r.startswith("funder PMT")]
    # Each quarter and source once, in the order counted; the grant's name, no client's.
    assert runs == [
        "funder PMT figures 2026-07-01–2026-09-30",
        *(f"funder PMT figures 2026-07-01–2026-09-30, {n}" for n, _s, _p in expected),
        "funder PMT figures 2026-10-01–2026-12-31",
    ]


async def test_a_broken_list_of_the_agencys_own_is_said_and_nothing_is_shown(
    sample_files: VaultFiles, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from casetui.config import funder_lists

    broken = tmp_path / "funder_categories.toml"
    broken.write_text("victimization = [", encoding="utf-8")
    monkeypatch.setattr(funder_lists, "lists_path", lambda: broken)
    app = app_for(sample_files)
    async with app.run_test(size=SIZE) as pilot:
        await caseload_ready(pilot, app)
        await wait_for(pilot, lambda: not app.require_vault().loading)
        await open_pmt(pilot, app)
        status = text_of(app, "#pmt-status")
        assert status.startswith("The figures could not be counted.")
        assert "move it away to use the PMT's own lists" in status
        assert text_of(app, "#pmt-body") == ""


async def test_the_figures_wait_for_the_meeting_log(
    sample_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before this, the funder statistics opened while the log loaded were counted
    without any meeting (every continuing client left out) and stayed so, and the
    readiness check said no meeting had been held until it was run again."""
    with sample_files.open(writable=False) as vault:
        tables = counted_tables(vault, COUNTED)
    release = hold_meeting_log(monkeypatch)
    app = app_for(sample_files)
    async with app.run_test(size=(120, 30)) as pilot:
        await caseload_ready(pilot, app)
        assert "meetings" in app.require_vault().loading
        # One over the other, so the two below hear of the log while not shown.
        stats, readiness, pmt = StatsScreen(), AccreditationScreen(), PmtScreen()
        for screen in (stats, readiness, pmt):
            app.push_screen(screen)
            await wait_for(pilot, lambda s=screen: app.screen is s)
            await pilot.pause(0.3)
        assert str(stats.query_one("#stats-status", Static).render()) == WAITING_FOR_LOG
        assert str(stats.query_one("#stats-body", Static).render()) == ""
        summary = str(readiness.query_one("#accreditation-summary", Static).render())
        assert "Reading the meeting log" in summary
        assert not readiness.query_one(RowList).rows
        assert text_of(app, "#pmt-status") == WAITING_FOR_LOG
        assert not (stats.ready or readiness.ready or pmt.ready)

        release.set()
        await wait_for(pilot, lambda: not app.require_vault().loading and pmt.ready)
        assert figure(text_of(app, "#pmt-body"), SERVED) == 35
        app.pop_screen()
        await wait_for(pilot, lambda: app.screen is readiness and readiness.ready)
        assert readiness.query_one(RowList).rows
        app.pop_screen()
        await wait_for(pilot, lambda: app.screen is stats and stats.ready)
        period = stats.period

        def shown(counted: dict[str, Sequence[Record]]) -> str:
            figures = funder_stats(
                counted,
                period.start,
                period.end,
                app.settings.small_cell_threshold,
                as_of=TODAY,
                fiscal_year_start=app.settings.fiscal_year_start,
            )
            return render_stats(figures, "text").rstrip("\n")

        assert text_of(app, "#stats-body").rstrip("\n") == shown(tables)
        assert shown(tables) != shown({**tables, "meetings": []})  # the log matters here


async def test_the_audit_trail_waits_for_itself_to_be_read(
    sample_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before this, the audit trail opened just after unlocking showed only this
    session's entries (or "Nothing recorded yet."), as if they were the whole trail,
    and stayed so."""
    from casetui.ui.screens.audit_trail import READING, AuditScreen

    with sample_files.open(writable=False) as vault:
        stored = len(vault.repo.audit.ordered_raw())
    assert stored > 10
    release = hold_meeting_log(monkeypatch)
    app = app_for(sample_files)
    async with app.run_test(size=SIZE) as pilot:
        await caseload_ready(pilot, app)
        assert "audit" in app.require_vault().loading
        trail = AuditScreen()
        app.push_screen(trail)
        await wait_for(pilot, lambda: app.screen is trail)
        listed = trail.query_one(RowList)
        assert listed.rows == [] and listed.empty_text == READING
        release.set()
        await wait_for(pilot, lambda: len(listed.rows) >= stored)
        assert listed.empty_text != READING
