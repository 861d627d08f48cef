"""Funder statistics: de-identified counts for a period, small counts suppressed.

The figures hold no names, codes or notes (see :mod:`casetui.core.stats`), so
they look the same while the screen is shared. Counting runs in a thread; each
period counted is recorded in the audit trail once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from casetui.core.choices import AuditAction
from casetui.core.records import AdminBlock, Client, Meeting, NeedItem, Record, Referral
from casetui.core.stats import funder_stats, render_stats
from casetui.ui.safe_text import one_line
from casetui.ui.widgets.chrome import CaseScreen
from casetui.ui.worker_errors import unexpected
from casetui.vault.errors import VaultError
from casetui.vault.vault import Vault

#: The tables the statistics are counted from.
COUNTED: tuple[type[Record], ...] = (Client, Meeting, NeedItem, Referral, AdminBlock)


def last_month(today: date) -> tuple[date, date]:
    """The previous full calendar month: its first and last days."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def counted_tables(vault: Vault) -> dict[str, Sequence[Record]]:
    """The records the statistics need. Rows are copied under the vault's lock and
    checked outside it, so a save or an edit never waits for the counting."""
    repo = vault.repo
    with vault.mutex:
        rows = {
            cls.TABLE: [(rid, dict(raw)) for rid, raw in repo.table(cls.TABLE).raw().items()]
            for cls in COUNTED
        }
    return {
        name: [repo.table(name).build(rid, raw) for rid, raw in items]
        for name, items in rows.items()
    }


def period_detail(start: date, end: date) -> str:
    return f"funder statistics {start.isoformat()}–{end.isoformat()}"


class StatsScreen(CaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="stats.back"),
        Binding("r", "refresh", "Count again", id="stats.refresh"),
        Binding("d", "dates", "Dates", id="stats.dates"),
    ]

    DEFAULT_CSS = """
    StatsScreen #stats-period { height: 1; padding: 0 1; margin-top: 1; }
    StatsScreen #stats-period Static { width: auto; }
    StatsScreen #stats-period Input { width: 12; height: 1; border: none; padding: 0; }
    StatsScreen #stats-period Input:focus { border: none; }
    StatsScreen #stats-status { height: 1; padding: 0 1; margin-bottom: 1; color: $text-muted; }
    StatsScreen #stats-scroll { height: 1fr; overflow-x: auto; scrollbar-size-vertical: 1; }
    StatsScreen #stats-body { width: auto; padding: 0 0 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        #: True once the figures on screen are for the dates in the boxes.
        self.ready = False
        self._recorded: set[tuple[date, date]] = set()

    def compose(self) -> ComposeResult:
        start, end = last_month(self.case_app.today)
        yield from self.chrome("stats", "Funder statistics")
        with Horizontal(id="stats-period"):
            yield Static("From ")
            yield Input(start.isoformat(), id="stats-from", max_length=10, restrict=r"[0-9-]*")
            yield Static("  To ")
            yield Input(end.isoformat(), id="stats-to", max_length=10, restrict=r"[0-9-]*")
        yield Static("", id="stats-status")
        with VerticalScroll(id="stats-scroll", can_focus=True):
            yield Static("", id="stats-body")
        yield Footer(show_command_palette=False)

    @staticmethod
    def _day_input(day: date, wid: str) -> Input:
        return Input(
            day.isoformat(),
            placeholder="YYYY-MM-DD",
            id=wid,
            max_length=10,
            restrict=r"[0-9-]*",
        )

    def on_mount(self) -> None:
        self.query_one("#stats-scroll").focus()
        self.action_refresh()

    def _status(self, text: str) -> None:
        self.query_one("#stats-status", Static).update(one_line(text))

    def _period(self) -> tuple[date, date] | None:
        try:
            start = date.fromisoformat(self.query_one("#stats-from", Input).value.strip())
            end = date.fromisoformat(self.query_one("#stats-to", Input).value.strip())
        except ValueError:
            self._status("Write both days as YYYY-MM-DD, such as 2026-03-01, then press Enter.")
            return None
        if start > end:
            self._status("The period starts after it ends; put the earlier day in From.")
            return None
        return start, end

    def action_refresh(self) -> None:
        period = self._period()
        if period is None:
            return
        self.ready = False
        self._status("Counting…")
        self._count(*period)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_refresh()

    def action_dates(self) -> None:
        self.query_one("#stats-from", Input).focus()

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _count(self, start: date, end: date) -> None:
        app = self.case_app
        vault = app.vault
        if vault is None:
            return
        try:
            tables = counted_tables(vault)
            stats = funder_stats(
                tables, start, end, app.settings.small_cell_threshold, as_of=app.today
            )
            text = render_stats(stats, "text")
        except VaultError as error:
            self.app.call_from_thread(self._failed, error.message)
            return
        except Exception as error:
            self.app.call_from_thread(self._failed, unexpected("counting the figures", error))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, start, end, text)

    def _failed(self, reason: str) -> None:
        if not self.is_attached:
            return
        self._status("The figures could not be counted. " + reason)
        self.ready = True

    def _show(self, start: date, end: date, text: str) -> None:
        if not self.is_attached:  # left the screen while counting
            return
        self.query_one("#stats-body", Static).update(Text(text, no_wrap=True, end=""))
        self._status(f"Counted {start.isoformat()} to {end.isoformat()} · Enter or r counts again")
        if (start, end) not in self._recorded:
            self._recorded.add((start, end))
            self.case_app.record_event(AuditAction.REPORT_RUN, period_detail(start, end))
        self.ready = True

    def action_back(self) -> None:
        self.case_app.go_back()
