"""Funder statistics: de-identified counts for a period, small counts suppressed.

The figures hold no names, codes or notes (see :mod:`casetui.core.stats`), so
they look the same while the screen is shared. Only whole months, quarters and
fiscal years that have ended can be chosen (see :mod:`casetui.core.periods`).
Counting runs in a thread; each period counted is recorded in the audit trail once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from typing import ClassVar

from textual.binding import Binding, BindingType

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
from casetui.ui.figures_view import FiguresScreen, counted_tables, figures_bindings

#: The tables the statistics are counted from.
COUNTED: tuple[type[Record], ...] = (Client, Meeting, NeedItem, Referral, AdminBlock)


def last_month(today: date) -> tuple[date, date]:
    """The previous full calendar month: its first and last days."""
    period = last_complete(PeriodKind.MONTH, today)
    return period.start, period.end


def period_detail(start: date, end: date) -> str:
    return f"funder statistics {start.isoformat()}–{end.isoformat()}"


#: The kinds of period the screen steps through, in the order ``p`` cycles them.
KINDS: tuple[PeriodKind, ...] = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.FISCAL_YEAR)


class StatsScreen(FiguresScreen):
    """Counts for one whole month, quarter or fiscal year that has ended.

    There is no typing of days: two reports a few days apart could be compared to
    single out one client, so the screen steps only through whole periods of one
    kind, which never overlap. A custom period is for ``casetui report stats``.
    """

    NAME = "stats"
    HEADING = "Funder statistics"
    BINDINGS: ClassVar[list[BindingType]] = figures_bindings(
        "stats", Binding("p", "kind", "Kind of period", id="stats.kind")
    )

    def __init__(self) -> None:
        super().__init__()
        self.period: Period = month(2000, 1)

    @property
    def _fy_start(self) -> int:
        return self.case_app.settings.fiscal_year_start

    def choose_start(self) -> None:
        self.period = last_complete(PeriodKind.MONTH, self.case_app.today, self._fy_start)

    def describe(self) -> str:
        p = self.period
        kind = "Fiscal year" if p.kind is PeriodKind.FISCAL_YEAR else p.kind.value.capitalize()
        return f"{kind}: {p.label}, {p.start.isoformat()} to {p.end.isoformat()}"

    def counting(self) -> tuple[Hashable, Callable[[], str]]:
        start, end = self.period.start, self.period.end
        app = self.case_app
        settings, today, vault = app.settings, app.today, app.require_vault()

        def count() -> str:
            stats = funder_stats(
                counted_tables(vault, COUNTED),
                start,
                end,
                settings.small_cell_threshold,
                as_of=today,
                fiscal_year_start=settings.fiscal_year_start,
            )
            return render_stats(stats, "text")

        return (start, end), count

    def counted_status(self) -> str:
        start, end = self.period.start, self.period.end
        return (
            f"Counted {start.isoformat()} to {end.isoformat()} · [ ] earlier or later, "
            "p month/quarter/year"
        )

    def run_detail(self) -> str:
        return period_detail(self.period.start, self.period.end)

    def _go(self, period: Period) -> None:
        self.period = period
        self.action_refresh()

    def action_step(self, count: int) -> None:
        """The whole period ``count`` before or after this one, if it has ended."""
        wanted = step(self.period, count, self._fy_start)
        if not wanted.has_ended(self.case_app.today):
            self.say(
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
