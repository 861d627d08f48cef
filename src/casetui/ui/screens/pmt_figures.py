"""The PMT's quarterly figures on screen: what ``casetui report pmt`` prints, for
the case manager who files the quarter without a terminal command.

The counts are exact, because the funder's portal asks for exact counts, and they
hold no names, codes or notes (see :mod:`casetui.core.stats.pmt_report`), so they
look the same while the screen is shared. The screen steps through whole federal
fiscal-year quarters (1 October starts Q1); the quarter not over yet shows its
figures so far. ``f`` limits the figures to one funding source. Counting runs in a
thread; each quarter and source counted is recorded in the audit trail once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from typing import ClassVar

from textual.binding import Binding, BindingType

from casetui.config.funder_lists import load_catalog
from casetui.core.errors import VaultError
from casetui.core.funder_catalog import CatalogError
from casetui.core.funder_records import FundingSource, HouseholdMember, ServiceRecord
from casetui.core.private_records import LegalMatter
from casetui.core.records import Client, Meeting, Record, Referral
from casetui.core.stats.pmt_render import render_pmt
from casetui.core.stats.pmt_report import (
    FederalQuarter,
    federal_quarter,
    last_ended_quarter,
    pmt_report,
)
from casetui.core.stats.service_events import service_map
from casetui.ui.figures_view import FiguresScreen, counted_tables, figures_bindings

#: The tables the PMT's figures are counted from.
COUNTED: tuple[type[Record], ...] = (
    Client,
    Meeting,
    Referral,
    LegalMatter,
    ServiceRecord,
    HouseholdMember,
)


def step_quarter(quarter: FederalQuarter, count: int) -> FederalQuarter:
    """The federal quarter ``count`` quarters before (negative) or after this one."""
    day = quarter.start
    months = day.year * 12 + day.month - 1 + 3 * count
    return federal_quarter(date(months // 12, months % 12 + 1, 1))


def by_name(source: FundingSource) -> str:
    return source.name.casefold()


def run_detail(quarter: FederalQuarter, funding: FundingSource | None) -> str:
    """The audit trail's words for one count (the grant's name, never a client's)."""
    detail = f"funder PMT figures {quarter.start.isoformat()}–{quarter.end.isoformat()}"
    return detail if funding is None else f"{detail}, {funding.name[:60]}"


class PmtScreen(FiguresScreen):
    """The PMT's figures for one federal quarter, for all funding sources or one."""

    NAME = "pmt"
    HEADING = "PMT quarterly figures"
    BINDINGS: ClassVar[list[BindingType]] = figures_bindings(
        "pmt", Binding("f", "funding", "Funding source", id="pmt.funding")
    )
    REFUSALS = (VaultError, CatalogError)

    def __init__(self) -> None:
        super().__init__()
        self.quarter: FederalQuarter = federal_quarter(date(2000, 1, 1))
        #: The funding source counted, or None for all of them.
        self.funding: FundingSource | None = None

    def choose_start(self) -> None:
        self.quarter = last_ended_quarter(self.case_app.today)

    def describe(self) -> str:
        q = self.quarter
        so_far = "" if q.end < self.case_app.today else " (not over yet: figures so far)"
        who = "all funding sources" if self.funding is None else f"only {self.funding.name}"
        return f"{q.label}: {q.start.isoformat()} to {q.end.isoformat()}{so_far} · {who}"

    def counting(self) -> tuple[Hashable, Callable[[], str]]:
        quarter, funding = self.quarter, self.funding
        app = self.case_app
        services, today, vault = app.settings.funder_services, app.today, app.require_vault()

        def count() -> str:
            try:
                catalog = load_catalog()
            except CatalogError as error:
                raise CatalogError(
                    f"{error} Fix it, or move it away to use the PMT's own lists."
                ) from None
            report = pmt_report(
                counted_tables(vault, COUNTED),
                quarter.start,
                quarter.end,
                services_map=service_map(services),
                catalog=catalog,
                funding=funding,
                label=quarter.label,
                as_of=today,
            )
            return render_pmt(report, "text")

        return (quarter, funding), count

    def counted_status(self) -> str:
        return "Exact counts for the funder's portal only; 'casetui report pmt' gives CSV too."

    def run_detail(self) -> str:
        return run_detail(self.quarter, self.funding)

    def _sources(self) -> list[FundingSource]:
        return sorted(self.case_app.require_vault().repo.funding_sources, key=by_name)

    def action_step(self, count: int) -> None:
        """The quarter before or after, up to the one today falls in."""
        wanted = step_quarter(self.quarter, count)
        if wanted.start > self.case_app.today:
            self.say(f"{wanted.label} has not started yet; {self.quarter.label} is the latest.")
            return
        self.quarter = wanted
        self.action_refresh()

    def action_funding(self) -> None:
        """All funding sources, then each in turn by name, then all again."""
        sources = self._sources()
        if not sources:
            self.say(
                "The agency has no funding sources listed yet: add them with ctrl+p, "
                "Funding sources, to count one grant apart."
            )
            return
        ids = [s.id for s in sources]
        at = (
            -1 if self.funding is None or self.funding.id not in ids else ids.index(self.funding.id)
        )
        self.funding = sources[at + 1] if at + 1 < len(sources) else None
        self.action_refresh()
