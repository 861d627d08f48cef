"""Funder statistics: de-identified counts for a period, small counts suppressed.

The figures hold no names, codes or notes (see :mod:`casetui.core.stats`), so
they look the same while the screen is shared. Only whole months, quarters and
fiscal years that have ended can be chosen (see :mod:`casetui.core.periods`).
Counting runs in a thread; each period counted is recorded in the audit trail once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from casetui.core.choices import AuditAction
from casetui.core.errors import VaultError
from casetui.core.periods import (
    Period,
    PeriodKind,
    containing,
    last_complete,
    month,
    step,
)
from casetui.core.records import AdminBlock, Client, Meeting, NeedItem, Record, Referral
from casetui.core.stats.funder_report import funder_stats
from casetui.core.stats.render import render_stats
from casetui.ui.safe_text import one_line
from casetui.ui.widgets.chrome import CaseScreen
from casetui.ui.worker_errors import unexpected
from casetui.vault.vault import Vault

#: The tables the statistics are counted from.
COUNTED: tuple[type[Record], ...] = (Client, Meeting, NeedItem, Referral, AdminBlock)


def last_month(today: date) -> tuple[date, date]:
    """The previous full calendar month: its first and last days."""
    period = last_complete(PeriodKind.MONTH, today)
    return period.start, period.end


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


#: The kinds of period the screen steps through, in the order ``p`` cycles them.
KINDS: tuple[PeriodKind, ...] = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.FISCAL_YEAR)


class StatsScreen(CaseScreen):
    """Counts for one whole month, quarter or fiscal year that has ended.

    There is no typing of days: two reports a few days apart could be compared to
    single out one client, so the screen steps only through whole periods of one
    kind, which never overlap. A custom period is for ``casetui report stats``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="stats.back"),
        Binding(
            "left_square_bracket",
            "step(-1)",
            "Earlier/later",
            key_display="[ ]",
            id="stats.earlier",
        ),
        Binding("right_square_bracket", "step(1)", "Later", show=False, id="stats.later"),
        Binding("p", "kind", "Kind of period", id="stats.kind"),
        Binding("r", "refresh", "Count again", id="stats.refresh"),
    ]

    DEFAULT_CSS = """
    StatsScreen #stats-period { height: 1; padding: 0 1; margin-top: 1; }
    StatsScreen #stats-status { height: 1; padding: 0 1; margin-bottom: 1; color: $text-muted; }
    StatsScreen #stats-scroll { height: 1fr; overflow-x: auto; scrollbar-size-vertical: 1; }
    StatsScreen #stats-body { width: auto; padding: 0 0 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        #: True once the figures on screen are for :attr:`period`.
        self.ready = False
        self._recorded: set[tuple[date, date]] = set()
        self.period: Period = month(2000, 1)

    @property
    def _fy_start(self) -> int:
        return self.case_app.settings.fiscal_year_start

    def compose(self) -> ComposeResult:
        self.period = last_complete(PeriodKind.MONTH, self.case_app.today, self._fy_start)
        yield from self.chrome("stats", "Funder statistics")
        yield Static("", id="stats-period")
        yield Static("", id="stats-status")
        with VerticalScroll(id="stats-scroll", can_focus=True):
            yield Static("", id="stats-body")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#stats-scroll").focus()
        self.action_refresh()

    def _status(self, text: str) -> None:
        self.query_one("#stats-status", Static).update(one_line(text))

    def _show_period(self) -> None:
        p = self.period
        kind = "Fiscal year" if p.kind is PeriodKind.FISCAL_YEAR else p.kind.value.capitalize()
        self.query_one("#stats-period", Static).update(
            one_line(f"{kind}: {p.label}, {p.start.isoformat()} to {p.end.isoformat()}")
        )

    def action_refresh(self) -> None:
        self._show_period()
        self.ready = False
        self._status("Counting…")
        self._count(self.period.start, self.period.end)

    def _go(self, period: Period) -> None:
        self.period = period
        self.action_refresh()

    def action_step(self, count: int) -> None:
        """The whole period ``count`` before or after this one, if it has ended."""
        wanted = step(self.period, count, self._fy_start)
        if not wanted.has_ended(self.case_app.today):
            self._status(
                f"{wanted.label} has not ended yet, so there are no figures for it; "
                f"{self.period.label} is the latest."
            )
            return
        self._go(wanted)

    def action_kind(self) -> None:
        """Month, then quarter, then fiscal year: the one holding this period's end."""
        kind = KINDS[(KINDS.index(self.period.kind) + 1) % len(KINDS)]
        today = self.case_app.today
        wanted = containing(kind, self.period.end, self._fy_start)
        if not wanted.has_ended(today):
            wanted = last_complete(kind, today, self._fy_start)
        self._go(wanted)

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _count(self, start: date, end: date) -> None:
        app = self.case_app
        vault = app.vault
        if vault is None:
            return
        try:
            tables = counted_tables(vault)
            stats = funder_stats(
                tables,
                start,
                end,
                app.settings.small_cell_threshold,
                as_of=app.today,
                fiscal_year_start=app.settings.fiscal_year_start,
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
        if (start, end) != (self.period.start, self.period.end):
            return  # another period was chosen while this one was counted
        self.query_one("#stats-body", Static).update(Text(text, no_wrap=True, end=""))
        self._status(
            f"Counted {start.isoformat()} to {end.isoformat()} · [ ] earlier or later, "
            "p month/quarter/year"
        )
        if (start, end) not in self._recorded:
            self._recorded.add((start, end))
            self.case_app.record_event(AuditAction.REPORT_RUN, period_detail(start, end))
        self.ready = True

    def action_back(self) -> None:
        self.case_app.go_back()
