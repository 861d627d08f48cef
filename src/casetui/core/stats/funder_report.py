"""The published funder statistics: suppressed tables and the rules they were made by."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from casetui.core.periods import DEFAULT_FISCAL_YEAR_START, Period, custom, whole_period
from casetui.core.records import Record
from casetui.core.stats.suppress import (
    DEFAULT_THRESHOLD,
    HIDDEN,
    MIN_THRESHOLD,
    WITHHELD,
    Mark,
    column_totals,
    shown,
    suppress_column,
    suppress_grid,
    suppress_linked,
)
from casetui.core.stats.tally import Tallies, Tally, last_counted_day, tally

#: Staff time is shown only when at least this many case managers have blocks in the period.
MIN_STAFF = 3
TOTAL = "Total"


@dataclass(frozen=True, slots=True)
class StatsTable:
    """One published table: labels and the strings to print, totals included."""

    key: str
    title: str
    corner: str
    columns: tuple[str, ...]
    #: (row label, one string per column); the last row is the total.
    rows: tuple[tuple[str, tuple[str, ...]], ...]
    note: str = ""
    #: True when no safe way to show these counts was found: nothing is shown.
    withheld: bool = False


@dataclass(frozen=True, slots=True)
class FunderStats:
    start: date
    end: date
    threshold: int
    as_of: date | None
    #: Sentences saying how the figures were made and protected.
    rules: tuple[str, ...]
    tables: tuple[StatsTable, ...]

    def table(self, key: str) -> StatsTable:
        return next(t for t in self.tables if t.key == key)


WITHHELD_NOTE = "Withheld: there are too few to show these counts without revealing a small one."


def _hours(value: float) -> str:
    return f"{value:.1f}"


def _withheld(t: Tally, columns: tuple[str, ...]) -> StatsTable:
    return StatsTable(t.key, t.title, t.corner, columns, (), WITHHELD_NOTE, withheld=True)


def _grid_table(
    t: Tally, marks: list[list[Mark]] | None, threshold: int, note: str = ""
) -> StatsTable:
    columns = (*t.columns, TOTAL)
    if marks is None:
        return _withheld(t, columns)
    totals = [*column_totals(t.counts, len(t.columns))]
    values = [[*row, sum(row)] for row in t.counts] + [[*totals, sum(totals)]]
    rows = tuple(
        (label, tuple(shown(v, m, threshold) for v, m in zip(vals, row_marks, strict=True)))
        for label, vals, row_marks in zip((*t.rows, TOTAL), values, marks, strict=True)
    )
    return StatsTable(t.key, t.title, t.corner, columns, rows, note)


def _column_table(t: Tally, threshold: int, note: str = "") -> StatsTable:
    cells = [row[0] for row in t.counts]
    marks = suppress_column(cells, threshold)
    if marks is None:
        return _withheld(t, t.columns)
    values = [*cells, sum(cells)]
    hours = [*t.hours, sum(t.hours)] if t.hours else []
    # Hours are shown only beside a shown count; the total hours only when every
    # row's are, or the hidden ones would be the total less the shown ones.
    open_hours = [m is Mark.SHOWN for m in marks]
    open_hours[-1] = all(open_hours)
    rows: list[tuple[str, tuple[str, ...]]] = []
    for i, (label, value, mark) in enumerate(zip((*t.rows, TOTAL), values, marks, strict=True)):
        cell = shown(value, mark, threshold)
        if hours:
            rows.append((label, (cell, _hours(hours[i]) if open_hours[i] else HIDDEN)))
        else:
            rows.append((label, (cell,)))
    return StatsTable(t.key, t.title, t.corner, t.columns, tuple(rows), note)


STAFF_TITLE = "Case managers' own time in the period (planned blocks)"
STAFF_WITHHELD_NOTE = (
    f"Not shown: fewer than {MIN_STAFF} case managers had time blocks in the period, and "
    "with so few these hours would describe one person's own time, such as their self-care."
)


def _staff_table(tallies: Tallies) -> StatsTable:
    columns = ("Hours", "Per week")
    if tallies.staff_people < MIN_STAFF:
        return StatsTable(
            "staff_time", STAFF_TITLE, "Kind", columns, (), STAFF_WITHHELD_NOTE, withheld=True
        )
    # A figure per week is an average over the period's weeks. A period shorter than
    # a week would scale a day or two up to a whole week (one Friday's admin block,
    # times seven), so it shows no per-week figure at all.
    days = tallies.days
    weeks = days / 7 if days >= 7 else None
    rows = []
    total = 0.0
    for label, hours in tallies.staff_hours:
        total += hours
        rows.append((label, (_hours(hours), _per_week(hours, weeks))))
    rows.append((TOTAL, (_hours(total), _per_week(total, weeks))))
    day_word = "day" if days == 1 else "days"
    if weeks is None:
        over = (
            f"Over {days} {day_word}, all case managers together. Per week is not shown: "
            "the period is shorter than a week, and scaling a few days up to a week "
            "would give a figure no one worked."
        )
    else:
        over = f"Over {days} {day_word} ({weeks:.1f} weeks), all case managers together."
    return StatsTable(
        "staff_time",
        STAFF_TITLE,
        "Kind",
        columns,
        tuple(rows),
        f"{over} Admin time against a case manager's target is admin and documentation together.",
    )


def _per_week(hours: float, weeks: float | None) -> str:
    """Hours per week over the period, or a dash when it is shorter than a week."""
    return NO_PER_WEEK if weeks is None else _hours(hours / weeks)


#: Shown for "per week" when the period is shorter than a week.
NO_PER_WEEK = "—"


def funder_stats(
    tables: Mapping[str, Sequence[Record]],
    start: date,
    end: date,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    as_of: date | None = None,
    fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START,
) -> FunderStats:
    """De-identified counts for the period ``start`` to ``end`` (both included).

    ``tables`` holds records by table name, as :attr:`RecordSet.tables` does.
    A client is *served* in the period when their intake was in it (*new*), or
    their intake was before it and they had at least one meeting in it
    (*continuing*). Counts from 1 to ``threshold - 1`` show as ``<threshold``,
    and further counts show as ``x`` (or, as a last resort, ``..``) until none
    can be worked out from the rest (see the module's notes). A threshold under 3
    is raised to 3, since "<2" would say 1. Nothing dated after ``as_of`` counts, when it is given.
    A period that is not a whole month, quarter or fiscal year (with the fiscal year
    starting in month ``fiscal_year_start``), or one not over by ``as_of``, is named
    a custom period in the rules.
    """
    asked = threshold
    threshold = max(threshold, MIN_THRESHOLD)
    tallies = tally(tables, start, end, as_of)
    needs = suppress_linked(
        tallies.needs_by_domain.counts, tallies.needs_by_horizon.counts, threshold
    )
    referrals = suppress_grid(
        tallies.referrals.counts, threshold, width=len(tallies.referrals.columns)
    )
    out = (
        _column_table(tallies.clients, threshold),
        _grid_table(tallies.needs_by_domain, needs[0] if needs else None, threshold),
        _grid_table(tallies.needs_by_horizon, needs[1] if needs else None, threshold),
        _grid_table(
            tallies.referrals,
            referrals,
            threshold,
            "" if tallies.referrals.rows else "No referrals were made in the period.",
        ),
        _column_table(tallies.meetings, threshold),
        _staff_table(tallies),
    )
    withheld = any(WITHHELD in cells for t in out for _label, cells in t.rows)
    last = last_counted_day(end, as_of)
    whole = whole_period(start, end, fiscal_year_start)
    period = whole if whole is not None and (as_of is None or end < as_of) else custom(start, end)
    rules = _rules(period, last, asked=asked, threshold=threshold, withheld=withheld)
    return FunderStats(start, end, threshold, as_of, rules, out)


CUSTOM_RULE = (
    "This is a custom period, not a whole month, quarter or fiscal year: comparing it with "
    "reports for other periods can reveal small counts, so please share it with care."
)


def _rules(
    period: Period, last: date, *, asked: int, threshold: int, withheld: bool
) -> tuple[str, ...]:
    """The sentences that say how the figures were made and protected."""
    start, end = period.start, period.end
    small = f"<{threshold}"
    days = f"{start.isoformat()} to {end.isoformat()}, both days included."
    rules = [f"Period: {days}" if period.custom else f"Period: {period.label}, {days}"]
    if period.custom:
        rules.append(CUSTOM_RULE)
    if asked < threshold:
        rules.append(
            f"The small-cell threshold is set to {asked}, but '<{asked}' would reveal the "
            f"count, so {threshold} is used."
        )
    if last < end:
        rules.append(
            f"Only days up to {last.isoformat()} count: nothing dated after it has happened yet."
        )
    rules += [
        "Clients served: clients whose intake was in the period (new), and clients whose "
        "intake was before it who had at least one meeting in it (continuing). Each client "
        "counts once.",
        f"Needs: every need of the clients served, by its status on {last.isoformat()}, so "
        "a later run gives the same figures; a need added after that day does not count. A "
        "need with no recorded history of its status is taken to have had its present "
        "status since its status date, or since the client's intake when it has none. "
        "Referrals: those made in the period (the day of their first status), by their "
        f"status on {last.isoformat()}; services with no referrals are left out. Meetings: "
        "those held in the period, with their hours.",
        f"Small counts: every count from 1 to {threshold - 1} is shown as '{small}'; 0 is "
        "shown as 0.",
        f"Complementary suppression: further counts are shown as '{HIDDEN}' wherever a "
        "small count could otherwise be worked out from the other counts and the totals. "
        f"Each table was checked exactly (counts are never negative, '{small}' means 1 to "
        f"{threshold - 1}, '{HIDDEN}' means {threshold} or more) so that no hidden count "
        "has only one possible value; the two needs tables share their totals and were "
        "checked together.",
    ]
    if withheld:
        rules.append(
            f"'{WITHHELD}' means not shown: it may be any number, 0 included. It stands where "
            f"even '{small}' and '{HIDDEN}' would give a count away, such as small counts "
            "that can only add up to their total one way."
        )
    rules += [
        "Hours: the hours of meetings are hidden wherever the number of those meetings is, "
        "and the total hours whenever any of them are hidden. Staff time is about case "
        f"managers, not clients; it is shown only when at least {MIN_STAFF} case managers "
        "had time blocks in the period, so that it never describes one person's own time.",
        "No names, initials, codes, dates of birth, ids or notes are included: only counts, "
        "hours and the names of categories.",
    ]
    return tuple(rules)
