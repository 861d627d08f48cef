"""Reporting periods for funder statistics: whole months, quarters and fiscal years.

Two reports for periods a few days apart can be subtracted to single out one
client, so by default statistics are made only for whole calendar months,
calendar quarters (January to March is Q1) and fiscal years. Two different
periods of one kind never overlap, so no two of them differ by a day or two.

A fiscal year starts on the first day of a chosen month (1 October, the US
federal one, unless set) and is named by the calendar year it ends in: FY2026
runs from 2025-10-01 to 2026-09-30. With a January start it is the calendar year.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

#: The month a fiscal year starts in unless set: October, as for the US federal government.
DEFAULT_FISCAL_YEAR_START = 10


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    FISCAL_YEAR = "fiscal year"
    CUSTOM = "custom"


#: The kinds a report may use without asking for a custom period, smallest first.
WHOLE_KINDS: tuple[PeriodKind, ...] = (
    PeriodKind.MONTH,
    PeriodKind.QUARTER,
    PeriodKind.FISCAL_YEAR,
)


class PeriodError(ValueError):
    """A period that cannot be used, said in one sentence."""


@dataclass(frozen=True, slots=True)
class Period:
    """A span of days, both ends included, and what it is called."""

    start: date
    end: date
    kind: PeriodKind
    #: "September 2026", "2026 Q3", "FY2026", or the two days of a custom period.
    label: str

    @property
    def custom(self) -> bool:
        return self.kind is PeriodKind.CUSTOM

    def has_ended(self, today: date) -> bool:
        """True once every day of the period is in the past."""
        return self.end < today


def _check_month_number(fy_start_month: int) -> None:
    if isinstance(fy_start_month, bool) or not 1 <= fy_start_month <= 12:
        raise ValueError("the fiscal year's first month must be a number from 1 to 12")


def month(year: int, number: int) -> Period:
    """The calendar month ``number`` (1 to 12) of ``year``."""
    last = calendar.monthrange(year, number)[1]
    return Period(
        date(year, number, 1),
        date(year, number, last),
        PeriodKind.MONTH,
        f"{calendar.month_name[number]} {year}",
    )


def quarter(year: int, number: int) -> Period:
    """Calendar quarter ``number`` (1 to 4) of ``year``: Q1 is January to March."""
    if not 1 <= number <= 4:
        raise ValueError("a quarter is numbered 1 to 4")
    first = 3 * (number - 1) + 1
    end = month(year, first + 2).end
    return Period(date(year, first, 1), end, PeriodKind.QUARTER, f"{year} Q{number}")


def fiscal_year(year: int, fy_start_month: int = DEFAULT_FISCAL_YEAR_START) -> Period:
    """The fiscal year that ends in calendar year ``year`` (FY2026 ends in 2026)."""
    _check_month_number(fy_start_month)
    start = date(year if fy_start_month == 1 else year - 1, fy_start_month, 1)
    end = date(start.year + 1, fy_start_month, 1) - timedelta(days=1)
    return Period(start, end, PeriodKind.FISCAL_YEAR, f"FY{year}")


def containing(
    kind: PeriodKind, day: date, fy_start_month: int = DEFAULT_FISCAL_YEAR_START
) -> Period:
    """The whole period of ``kind`` that ``day`` falls in."""
    if kind is PeriodKind.MONTH:
        return month(day.year, day.month)
    if kind is PeriodKind.QUARTER:
        return quarter(day.year, (day.month - 1) // 3 + 1)
    if kind is PeriodKind.FISCAL_YEAR:
        _check_month_number(fy_start_month)
        ends_in = day.year + 1 if fy_start_month > 1 and day.month >= fy_start_month else day.year
        return fiscal_year(ends_in, fy_start_month)
    raise ValueError("a custom period has no neighbours")


def step(period: Period, count: int, fy_start_month: int = DEFAULT_FISCAL_YEAR_START) -> Period:
    """The whole period ``count`` periods of the same kind after ``period`` (before, if < 0)."""
    if period.custom:
        raise ValueError("a custom period has no neighbours")
    current = period
    for _ in range(abs(count)):
        day = current.end + timedelta(days=1) if count > 0 else current.start - timedelta(days=1)
        current = containing(period.kind, day, fy_start_month)
    return current


def last_complete(
    kind: PeriodKind, today: date, fy_start_month: int = DEFAULT_FISCAL_YEAR_START
) -> Period:
    """The latest whole period of ``kind`` that ended before ``today``."""
    return containing(
        kind, containing(kind, today, fy_start_month).start - timedelta(days=1), fy_start_month
    )


def whole_period(
    start: date, end: date, fy_start_month: int = DEFAULT_FISCAL_YEAR_START
) -> Period | None:
    """The whole month, quarter or fiscal year running from ``start`` to ``end``, or None."""
    for kind in WHOLE_KINDS:
        candidate = containing(kind, start, fy_start_month)
        if (candidate.start, candidate.end) == (start, end):
            return candidate
    return None


def custom(start: date, end: date) -> Period:
    """Any span of days, named by its two ends."""
    if start > end:
        raise PeriodError(f"The period starts on {start} but ends earlier, on {end}.")
    return Period(start, end, PeriodKind.CUSTOM, f"{start.isoformat()} to {end.isoformat()}")


def nearest(
    start: date, end: date, fy_start_month: int = DEFAULT_FISCAL_YEAR_START
) -> list[Period]:
    """The whole periods closest to ``start``–``end``: the smallest one that holds it all,
    or, when it spans two fiscal years, the fiscal years of its first and last days."""
    for kind in WHOLE_KINDS:
        first = containing(kind, start, fy_start_month)
        if first.end >= end:
            return [first]
    return [
        containing(PeriodKind.FISCAL_YEAR, start, fy_start_month),
        containing(PeriodKind.FISCAL_YEAR, end, fy_start_month),
    ]


def _as_options(period: Period) -> str:
    return f"--from {period.start.isoformat()} --to {period.end.isoformat()} ({period.label})"


def refusal(start: date, end: date, fy_start_month: int = DEFAULT_FISCAL_YEAR_START) -> str:
    """One sentence saying why ``start``–``end`` is refused and what to use instead."""
    choices = " or ".join(_as_options(p) for p in nearest(start, end, fy_start_month))
    return (
        f"{start.isoformat()} to {end.isoformat()} is not a whole month, quarter or fiscal "
        f"year; use {choices}, or add --custom-period."
    )


def unfinished(period: Period, today: date, fy_start_month: int = DEFAULT_FISCAL_YEAR_START) -> str:
    """One sentence refusing a whole period that has not ended yet."""
    done = last_complete(period.kind, today, fy_start_month)
    return (
        f"{period.label} has not ended yet, so its figures would change from day to day; "
        f"use {_as_options(done)}, the last one that has ended, or add --custom-period."
    )


_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])")
_YEAR = re.compile(r"(?:FY|fy)?\s*(\d{4})")


def parse_month(text: str) -> Period:
    """A month written ``YYYY-MM``, such as ``2026-09``."""
    found = _MONTH.fullmatch(text.strip())
    if found is None or not 1 <= int(found[2]) <= 12:
        raise PeriodError(f"{text[:20]!r} is not a month; write it as YYYY-MM, such as 2026-09")
    return month(int(found[1]), int(found[2]))


def parse_quarter(text: str) -> Period:
    """A calendar quarter written ``YYYY-Qn``, such as ``2026-Q3`` (July to September)."""
    found = _QUARTER.fullmatch(text.strip())
    if found is None:
        raise PeriodError(f"{text[:20]!r} is not a quarter; write it as YYYY-Qn, such as 2026-Q3")
    return quarter(int(found[1]), int(found[2]))


def parse_fiscal_year(text: str, fy_start_month: int = DEFAULT_FISCAL_YEAR_START) -> Period:
    """A fiscal year written ``YYYY`` or ``FYYYYY``: the calendar year it ends in."""
    found = _YEAR.fullmatch(text.strip())
    if found is None or int(found[1]) < 1:
        raise PeriodError(
            f"{text[:20]!r} is not a fiscal year; write the year it ends in, such as 2026"
        )
    return fiscal_year(int(found[1]), fy_start_month)


def checked(
    start: date,
    end: date,
    *,
    today: date,
    fy_start_month: int = DEFAULT_FISCAL_YEAR_START,
    allow_custom: bool = False,
) -> Period:
    """The period ``start``–``end``, if a report may use it; else :class:`PeriodError`.

    Without ``allow_custom`` it must be a whole month, quarter or fiscal year that
    has ended before ``today``. With it, any span of days is a custom period.
    """
    if start > end:
        raise PeriodError(
            f"--from {start} is after --to {end}; give the first day of the period, then the last."
        )
    found = whole_period(start, end, fy_start_month)
    if allow_custom:
        return found if found is not None and found.has_ended(today) else custom(start, end)
    if found is None:
        raise PeriodError(refusal(start, end, fy_start_month))
    if not found.has_ended(today):
        raise PeriodError(unfinished(found, today, fy_start_month))
    return found
