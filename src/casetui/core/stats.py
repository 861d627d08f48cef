"""De-identified statistics for funders: counts and hours only, small counts suppressed.

What is counted, for a period of days (both ends included):

* **Clients served**: clients whose intake was in the period (*new*), and clients
  whose intake was before it who had at least one meeting in it (*continuing*).
  Being on the caseload is not enough: a client is served in a period when they
  had their intake or a meeting in it.
* **Needs** of the clients served, by domain and status and by horizon and
  status, each by its status on the period's last day (from the need's history),
  so a later run gives the same figures. A need with no history (last written
  before needs kept one) is taken to have had its present status since its
  ``status_date``, or since the client's intake when that is empty. A need that
  did not exist yet on that day (its history begins after it) does not count.
* **Referrals** made in the period (the day of their first status), by service
  and by their status on the period's last day.
* **Meetings** held in the period, by kind: how many, and their hours.
* **Staff time**: the case managers' own admin, self-care, supervision, training
  and documentation blocks on the days of the period, weekly blocks on each day
  they happen (see :mod:`casetui.core.schedule`). It is withheld when fewer than
  :data:`MIN_STAFF` case managers have blocks in the period: in a small agency it
  would be one person's own self-care hours.

Which periods may be counted is up to the caller (see :mod:`casetui.core.periods`):
a report for any span that is not a whole month, quarter or fiscal year says so
in its rules, since two such reports a day apart can give one client away.

When ``as_of`` is given, nothing dated after it counts: a meeting ahead is planned,
not held.

Nothing from a record's text reaches the output: no names, initials, codes,
dates of birth, ids or notes. Only the labels of fixed choices, numbers, and the
period's dates.

**Small-cell suppression.** Every count from 1 to ``threshold - 1`` is shown as
``<threshold`` (0 stays 0). Then further counts are hidden (shown as ``x``) until
no hidden count can be worked out from what is shown. The check is exact, not a
rule of thumb: a table and its totals are a flow network (a row's cells flow into
its total, and so on), and a hidden entry can take another value exactly when
there is a cycle through it in the residual network, where a ``<t`` entry ranges
over 1 to ``t - 1``, an ``x`` over ``t`` and up (complements are always counts of
at least ``t``), a ``..`` over 0 and up, and a shown entry is fixed. When a
hidden entry has no such cycle, the cheapest cycle through it that hides more
shown counts (the smallest first) is found and those counts are hidden too.
Sometimes even that cannot work: four 1s adding up to a total under 5 can only be
1s. Then the cycle withholds entries instead (``..``: any number, 0 included), as
few as it can. Hiding more never fixes an entry that could move, so one pass
settles the table. The two needs tables share their status totals and grand
total, so they are protected together, as one network.

Hours of meetings are hidden wherever the number of those meetings is, and the
total hours whenever any row's hours are hidden (or the hidden hours would be the
total less the shown ones).
"""

from __future__ import annotations

import csv
import heapq
import io
import textwrap
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import TypeVar

from casetui.core import policy
from casetui.core.choices import (
    BlockKind,
    Choice,
    Domain,
    Horizon,
    MeetingKind,
    NeedStatus,
    ReferralStatus,
    ServiceKind,
)
from casetui.core.fields import StatusChange
from casetui.core.periods import DEFAULT_FISCAL_YEAR_START, Period, custom, whole_period
from casetui.core.records import AdminBlock, Client, Meeting, NeedItem, Record, Referral
from casetui.core.schedule import hours_by_kind, week_of, week_slots

#: The smallest threshold that protects anything: with 2, "<2" would say 1.
MIN_THRESHOLD = policy.MIN_SMALL_CELL
DEFAULT_THRESHOLD = policy.SMALL_CELL
#: Staff time is shown only when at least this many case managers have blocks in the period.
MIN_STAFF = 3
#: What a count hidden to protect another one shows.
HIDDEN = "x"
#: What a count shows when nothing about it can be said safely.
WITHHELD = ".."
TOTAL = "Total"
FORMATS = ("text", "md", "csv")
#: Text output is laid out for a terminal this wide.
TEXT_WIDTH = 78

R = TypeVar("R", bound=Record)


class Mark(Enum):
    """How one count is published."""

    SHOWN = "shown"
    #: From 1 to threshold - 1: shown as "<threshold".
    SMALL = "small"
    #: Hidden so that a small count cannot be worked out: shown as "x", at least threshold.
    HIDDEN = "hidden"
    #: Not shown at all: "..", any number, 0 included. Used only where "<t" and "x"
    #: would still give a count away (four 1s adding up to a total under 5, say).
    WITHHELD = "withheld"


# -- exact protection of counts in a flow network ------------------------------------

_UNBOUNDED = 1 << 62


@dataclass(slots=True)
class _Net:
    """Counts as the arcs of a circulation: at every node, what flows in flows out."""

    tails: list[int]
    heads: list[int]
    values: list[int]
    nodes: int = 0

    @classmethod
    def empty(cls) -> _Net:
        return cls([], [], [])

    def node(self) -> int:
        self.nodes += 1
        return self.nodes - 1

    def arc(self, tail: int, head: int, value: int) -> int:
        if value < 0:
            raise ValueError("counts cannot be negative")
        self.tails.append(tail)
        self.heads.append(head)
        self.values.append(value)
        return len(self.values) - 1


def _bounds(mark: Mark, value: int, threshold: int) -> tuple[int, int]:
    """What someone who knows these rules knows about an entry."""
    if mark is Mark.SMALL:
        return 1, threshold - 1
    if mark is Mark.HIDDEN:
        return threshold, _UNBOUNDED
    if mark is Mark.WITHHELD:
        return 0, _UNBOUNDED
    return value, value


def _residual(net: _Net, marks: Sequence[Mark], threshold: int, skip: int) -> list[list[int]]:
    """Where a unit of flow can move, through hidden entries other than ``skip``."""
    out: list[list[int]] = [[] for _ in range(net.nodes)]
    for arc, mark in enumerate(marks):
        if arc == skip or mark is Mark.SHOWN:
            continue
        value = net.values[arc]
        low, high = _bounds(mark, value, threshold)
        if value < high:
            out[net.tails[arc]].append(net.heads[arc])
        if value > low:
            out[net.heads[arc]].append(net.tails[arc])
    return out


def _reaches(graph: list[list[int]], start: int, goal: int) -> bool:
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return True
        for nxt in graph[node]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False


def _can_move(net: _Net, marks: Sequence[Mark], threshold: int, arc: int) -> bool:
    """Whether hidden entry ``arc`` could hold another value, given everything shown."""
    graph = _residual(net, marks, threshold, arc)
    value = net.values[arc]
    low, high = _bounds(marks[arc], value, threshold)
    tail, head = net.tails[arc], net.heads[arc]
    return (value < high and _reaches(graph, head, tail)) or (
        value > low and _reaches(graph, tail, head)
    )


#: A step's cost: (entries withheld, sum of the counts hidden, entries hidden).
_Cost = tuple[int, int, int]
_FREE: _Cost = (0, 0, 0)
#: (next node, cost, the arc, the mark it takes; -1 and SHOWN when nothing changes)
_Step = tuple[int, _Cost, int, Mark]


def _steps(net: _Net, marks: Sequence[Mark], threshold: int, arc: int) -> list[list[_Step]]:
    """Every way a unit of flow could move, and what it would cost to allow it.

    Moving through a hidden entry within its range is free. Hiding a shown count
    (never a zero) costs its value; it can then grow, and shrink if it is above the
    threshold. Where nothing else will do, an entry is withheld ('..', any number,
    0 included): that costs most of all, so it is the last resort.
    """
    out: list[list[_Step]] = [[] for _ in range(net.nodes)]
    withhold: _Cost = (1, 0, 0)
    for other, mark in enumerate(marks):
        if other == arc:
            continue
        value = net.values[other]
        tail, head = net.tails[other], net.heads[other]
        if mark is Mark.SHOWN:
            if value == 0:
                out[tail].append((head, withhold, other, Mark.WITHHELD))
                continue
            hide: _Cost = (0, value, 1)
            out[tail].append((head, hide, other, Mark.HIDDEN))
            if value > threshold:
                out[head].append((tail, hide, other, Mark.HIDDEN))
            else:
                out[head].append((tail, withhold, other, Mark.WITHHELD))
            continue
        low, high = _bounds(mark, value, threshold)
        if value < high:
            out[tail].append((head, _FREE, -1, Mark.SHOWN))
        else:
            out[tail].append((head, withhold, other, Mark.WITHHELD))
        if value > low:
            out[head].append((tail, _FREE, -1, Mark.SHOWN))
        elif value > 0:
            out[head].append((tail, withhold, other, Mark.WITHHELD))
    return out


def _cheapest_cover(
    net: _Net, marks: Sequence[Mark], threshold: int, arc: int
) -> list[tuple[int, Mark]] | None:
    """What to hide or withhold so that ``arc`` can move: as little as possible.

    A cheapest path closes a cycle through ``arc``, in whichever direction ``arc``
    can move; see :func:`_steps` for the costs.
    """
    steps = _steps(net, marks, threshold, arc)
    value = net.values[arc]
    low, high = _bounds(marks[arc], value, threshold)
    tail, head = net.tails[arc], net.heads[arc]
    options = []
    if value < high:
        options.append(_shortest(steps, head, tail))
    if value > low:
        options.append(_shortest(steps, tail, head))
    found = [o for o in options if o is not None]
    if not found:
        return None
    return min(found)[1]


def _shortest(
    steps: list[list[_Step]], start: int, goal: int
) -> tuple[_Cost, list[tuple[int, Mark]]] | None:
    """(cost, the changes to make) of the cheapest path from ``start`` to ``goal``."""
    best: dict[int, _Cost] = {start: _FREE}
    came: dict[int, tuple[int, int, Mark]] = {}
    heap: list[tuple[_Cost, int]] = [(_FREE, start)]
    while heap:
        cost, node = heapq.heappop(heap)
        if cost > best[node]:
            continue
        if node == goal:
            changes = []
            while node != start:
                prev, via, mark = came[node]
                if via >= 0:
                    changes.append((via, mark))
                node = prev
            return cost, sorted(changes, key=lambda c: c[0])
        for nxt, step, via, mark in steps[node]:
            candidate = (cost[0] + step[0], cost[1] + step[1], cost[2] + step[2])
            if nxt not in best or candidate < best[nxt]:
                best[nxt] = candidate
                came[nxt] = (node, via, mark)
                heapq.heappush(heap, (candidate, nxt))
    return None


def _protect(net: _Net, threshold: int) -> list[Mark] | None:
    """Marks for every arc of ``net``, or None when the counts cannot be shown safely.

    Hiding or withholding only ever widens what a reader knows of an entry, so an
    entry that could move stays that way, and one pass over the entries settles it.
    """
    marks = [Mark.SMALL if 0 < v < threshold else Mark.SHOWN for v in net.values]
    changed = True
    while changed:
        changed = False
        for arc in range(len(marks)):
            if marks[arc] is Mark.SHOWN or _can_move(net, marks, threshold, arc):
                continue
            cover = _cheapest_cover(net, marks, threshold, arc)
            if cover is None:
                return None
            for other, mark in cover:
                marks[other] = mark
            changed = True
    return marks


def _check_threshold(threshold: int) -> None:
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"the small-cell threshold must be at least {MIN_THRESHOLD}")


def _grid_arcs(
    net: _Net, body: Sequence[Sequence[int]], source: int, width: int
) -> tuple[list[list[int]], list[int]]:
    """Rows fed from ``source`` into column nodes: (each row's cell arcs and total, columns)."""
    rows = [net.node() for _ in body]
    columns = [net.node() for _ in range(width)]
    arcs = []
    for row, node in zip(body, rows, strict=True):
        if len(row) != width:
            raise ValueError("every row needs the same number of cells")
        cells = [net.arc(node, col, value) for col, value in zip(columns, row, strict=True)]
        arcs.append([*cells, net.arc(source, node, sum(row))])
    return arcs, columns


def _column_totals(body: Sequence[Sequence[int]], width: int) -> list[int]:
    return [sum(row[j] for row in body) for j in range(width)]


def suppress_grid(
    body: Sequence[Sequence[int]], threshold: int, *, width: int | None = None
) -> list[list[Mark]] | None:
    """Marks for a table with row totals, column totals and a grand total.

    The result has one more row and column than ``body``: the last column holds the
    row totals, the last row the column totals and (last) the grand total. None means
    the table cannot be shown safely at all. ``width`` is needed when there are no rows.
    """
    _check_threshold(threshold)
    if width is None:
        width = len(body[0]) if body else 0
    net = _Net.empty()
    source, sink = net.node(), net.node()
    arcs, columns = _grid_arcs(net, body, source, width)
    totals = _column_totals(body, width)
    bottom = [net.arc(col, sink, value) for col, value in zip(columns, totals, strict=True)]
    grand = net.arc(sink, source, sum(totals))
    marks = _protect(net, threshold)
    if marks is None:
        return None
    return [[marks[a] for a in row] for row in arcs] + [[marks[a] for a in [*bottom, grand]]]


def suppress_column(cells: Sequence[int], threshold: int) -> list[Mark] | None:
    """Marks for a single column of counts and (last) its total, or None if unsafe."""
    _check_threshold(threshold)
    net = _Net.empty()
    source, sink = net.node(), net.node()
    arcs = [net.arc(source, sink, value) for value in cells]
    total = net.arc(sink, source, sum(cells))
    marks = _protect(net, threshold)
    if marks is None:
        return None
    return [marks[a] for a in [*arcs, total]]


def suppress_linked(
    first: Sequence[Sequence[int]], second: Sequence[Sequence[int]], threshold: int
) -> tuple[list[list[Mark]], list[list[Mark]]] | None:
    """Marks for two tables of the same things over the same columns, protected together.

    They share their column totals and grand total, so each published total is the
    same in both, and a count hidden in one cannot be recovered with the other.
    """
    _check_threshold(threshold)
    width = len(first[0]) if first else len(second[0]) if second else 0
    if not first or not second:
        raise ValueError("linked tables need rows")
    totals = _column_totals(first, width)
    if totals != _column_totals(second, width):
        raise ValueError("linked tables must have the same column totals")
    net = _Net.empty()
    source, sink = net.node(), net.node()
    # source -> first's rows -> column (in) -> column (out) -> second's rows -> sink.
    first_arcs, ins = _grid_arcs(net, first, source, width)
    outs = [net.node() for _ in range(width)]
    bottom = [net.arc(a, b, value) for a, b, value in zip(ins, outs, totals, strict=True)]
    second_arcs = []
    for row in second:
        if len(row) != width:
            raise ValueError("every row needs the same number of cells")
        node = net.node()
        cells = [net.arc(col, node, value) for col, value in zip(outs, row, strict=True)]
        second_arcs.append([*cells, net.arc(node, sink, sum(row))])
    grand = net.arc(sink, source, sum(totals))
    marks = _protect(net, threshold)
    if marks is None:
        return None
    last = [marks[a] for a in [*bottom, grand]]
    return (
        [[marks[a] for a in row] for row in first_arcs] + [list(last)],
        [[marks[a] for a in row] for row in second_arcs] + [list(last)],
    )


def shown(value: int, mark: Mark, threshold: int) -> str:
    """A count as published."""
    if mark is Mark.SMALL:
        return f"<{threshold}"
    if mark is Mark.HIDDEN:
        return HIDDEN
    if mark is Mark.WITHHELD:
        return WITHHELD
    return str(value)


# -- counting ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tally:
    """One table of exact counts, before suppression. Never published as it is."""

    key: str
    title: str
    corner: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    #: Meetings only: the hours of each row.
    hours: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Tallies:
    clients: Tally
    needs_by_domain: Tally
    needs_by_horizon: Tally
    referrals: Tally
    meetings: Tally
    #: Hours of each kind of block, and the number of days counted.
    staff_hours: tuple[tuple[str, float], ...]
    days: int
    #: How many case managers have blocks in the period.
    staff_people: int = 0


def _of(tables: Mapping[str, Sequence[Record]], cls: type[R]) -> list[R]:
    return [r for r in tables.get(cls.TABLE, ()) if isinstance(r, cls)]


def _labels(choices: Sequence[Choice]) -> tuple[str, ...]:
    return tuple(c.label for c in choices)


NEW_ROW = "New (intake in the period)"
CONTINUING_ROW = "Continuing (intake before it)"


def last_counted_day(end: date, as_of: date | None) -> date:
    """The last day that counts: the period's end, or ``as_of`` if that is earlier."""
    return end if as_of is None else min(end, as_of)


def status_on(history: Sequence[StatusChange], day: date) -> object | None:
    """The status a history (oldest first) says held on ``day``; None before it began."""
    found = None
    for change in history:
        if change.on > day:
            break
        found = change.status
    return found


def need_status_on(need: NeedItem, day: date, intake: date) -> NeedStatus | None:
    """The need's status on ``day``, or None if it did not exist yet (see the module's notes)."""
    if need.history:
        found = status_on(need.history, day)
        return found if isinstance(found, NeedStatus) else None
    since = need.status_date or intake
    return need.status if since <= day else None


def referral_status_on(referral: Referral, day: date) -> ReferralStatus:
    """The referral's status on ``day`` (its first one, if it was opened after it)."""
    found = status_on(referral.history, day)
    return found if isinstance(found, ReferralStatus) else referral.history[0].status


def tally(
    tables: Mapping[str, Sequence[Record]], start: date, end: date, as_of: date | None = None
) -> Tallies:
    """Exact counts for the period; see the module's notes for what each one means."""
    if start > end:
        raise ValueError("the period starts after it ends")
    last = last_counted_day(end, as_of)

    def within(day: date) -> bool:
        return start <= day <= last

    meetings = [m for m in _of(tables, Meeting) if within(m.on)]
    met = {m.client_id for m in meetings}
    new: set[str] = set()
    continuing: set[str] = set()
    intakes: dict[str, date] = {}
    for client in _of(tables, Client):
        intakes[client.id] = client.intake_date
        if within(client.intake_date):
            new.add(client.id)
        elif client.intake_date < start and client.id in met:
            continuing.add(client.id)
    clients = Tally(
        "clients",
        "Clients served",
        "",
        (NEW_ROW, CONTINUING_ROW),
        ("Clients",),
        ((len(new),), (len(continuing),)),
    )

    served = new | continuing
    statuses = list(NeedStatus)
    domains, horizons = list(Domain), list(Horizon)
    by_domain = {(d, s): 0 for d in domains for s in statuses}
    by_horizon = {(h, s): 0 for h in horizons for s in statuses}
    for need in _of(tables, NeedItem):
        if need.client_id not in served:
            continue
        status = need_status_on(need, last, intakes[need.client_id])
        if status is not None:
            by_domain[need.domain, status] += 1
            by_horizon[need.horizon, status] += 1
    needs_by_domain = Tally(
        "needs_by_domain",
        "Needs of the clients served, by domain and status at the period's end",
        "Domain",
        _labels(domains),
        _labels(statuses),
        tuple(tuple(by_domain[d, s] for s in statuses) for d in domains),
    )
    needs_by_horizon = Tally(
        "needs_by_horizon",
        "Needs of the clients served, by horizon and status at the period's end",
        "Horizon",
        _labels(horizons),
        _labels(statuses),
        tuple(tuple(by_horizon[h, s] for s in statuses) for h in horizons),
    )

    outcomes = list(ReferralStatus)
    by_service = {(k, s): 0 for k in ServiceKind for s in outcomes}
    for referral in _of(tables, Referral):
        if within(referral.opened_on):
            by_service[referral.service, referral_status_on(referral, last)] += 1
    # Services nobody was referred to are left out: a row of zeros says nothing.
    services = [k for k in ServiceKind if any(by_service[k, s] for s in outcomes)]
    referrals = Tally(
        "referrals",
        "Referrals made in the period, by service and status at the period's end",
        "Service",
        _labels(services),
        _labels(outcomes),
        tuple(tuple(by_service[k, s] for s in outcomes) for k in services),
    )

    kinds = list(MeetingKind)
    count = dict.fromkeys(kinds, 0)
    minutes = dict.fromkeys(kinds, 0)
    for meeting in meetings:
        count[meeting.kind] += 1
        minutes[meeting.kind] += meeting.duration_minutes
    meeting_table = Tally(
        "meetings",
        "Meetings held in the period, by kind",
        "Kind",
        _labels(kinds),
        ("Meetings", "Hours"),
        tuple((count[k],) for k in kinds),
        tuple(minutes[k] / 60 for k in kinds),
    )

    blocks = _of(tables, AdminBlock)
    staff = dict.fromkeys(BlockKind, 0.0)
    people: set[str] = set()
    monday = week_of(start)
    while monday <= last:
        slots = [s for s in week_slots(blocks, monday) if within(s.day)]
        people.update(s.block.staff_id for s in slots)
        for kind, hours in hours_by_kind(slots).items():
            staff[kind] += hours
        monday += timedelta(days=7)
    days = max((last - start).days + 1, 0)
    return Tallies(
        clients=clients,
        needs_by_domain=needs_by_domain,
        needs_by_horizon=needs_by_horizon,
        referrals=referrals,
        meetings=meeting_table,
        staff_hours=tuple((kind.label, staff[kind]) for kind in BlockKind),
        days=days,
        staff_people=len(people),
    )


# -- the published statistics -------------------------------------------------------


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
    totals = [*_column_totals(t.counts, len(t.columns))]
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


# -- rendering -----------------------------------------------------------------------


def render_stats(stats: FunderStats, fmt: str) -> str:
    """The statistics as ``text`` (aligned, 80 columns), ``md`` (Markdown) or ``csv``."""
    if fmt == "text":
        return _render_text(stats)
    if fmt == "md":
        return _render_markdown(stats)
    if fmt == "csv":
        return _render_csv(stats)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _heading(stats: FunderStats) -> str:
    return f"Funder statistics, {stats.start.isoformat()} to {stats.end.isoformat()}"


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(
        text,
        TEXT_WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _render_text(stats: FunderStats) -> str:
    title = _heading(stats)
    lines = [title, "=" * len(title), "", "How these figures were made:"]
    for rule in stats.rules:
        lines += _wrap(rule, "  - ", "    ")
    for table in stats.tables:
        lines += ["", table.title, "-" * len(table.title)]
        if not table.withheld:
            lines += _text_table(table)
        if table.note:
            lines += _wrap(table.note)
    return "\n".join(lines) + "\n"


def _text_table(table: StatsTable) -> list[str]:
    labels = [table.corner] + [label for label, _cells in table.rows]
    label_width = max(len(label) for label in labels)
    count = len(table.columns)
    cell_width = [max((len(cells[j]) for _l, cells in table.rows), default=1) for j in range(count)]
    wide = [max(w, len(h)) for w, h in zip(cell_width, table.columns, strict=True)]
    if label_width + sum(w + 2 for w in wide) <= TEXT_WIDTH:
        widths = wide
    else:
        widths = [
            max(w, *(len(word) for word in h.split()))
            for w, h in zip(cell_width, table.columns, strict=True)
        ]
    blocks: list[list[int]] = [[]]
    used = label_width
    for j in range(count):
        if blocks[-1] and used + widths[j] + 2 > TEXT_WIDTH:
            blocks.append([])
            used = label_width
        blocks[-1].append(j)
        used += widths[j] + 2
    lines: list[str] = []
    for n, block in enumerate(blocks):
        if n:
            lines.append("")
        headers = [
            textwrap.wrap(table.columns[j], widths[j], break_long_words=False) or [""]
            for j in block
        ]
        depth = max(len(h) for h in headers)
        for level in range(depth):
            parts = [(table.corner if level == depth - 1 else "").ljust(label_width)]
            for j, head in zip(block, headers, strict=True):
                offset = level - (depth - len(head))
                parts.append((head[offset] if offset >= 0 else "").rjust(widths[j]))
            lines.append("  ".join(parts).rstrip())
        for label, cells in table.rows:
            parts = [label.ljust(label_width)] + [cells[j].rjust(widths[j]) for j in block]
            lines.append("  ".join(parts).rstrip())
    return lines


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _render_markdown(stats: FunderStats) -> str:
    lines = [f"# {_heading(stats)}", "", "How these figures were made:", ""]
    lines += [f"- {_md_cell(rule)}" for rule in stats.rules]
    for table in stats.tables:
        lines += ["", f"## {_md_cell(table.title)}", ""]
        if not table.withheld:
            header = [table.corner, *table.columns]
            lines.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
            lines.append("|:---|" + "---:|" * len(table.columns))
            for label, cells in table.rows:
                lines.append("| " + " | ".join(_md_cell(c) for c in (label, *cells)) + " |")
        if table.note:
            if not table.withheld:
                lines.append("")
            lines.append(_md_cell(table.note))
    return "\n".join(lines) + "\n"


#: A spreadsheet treats a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _render_csv(stats: FunderStats) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows: list[tuple[str, str, str, str]] = [
        ("about", "Period", "From", stats.start.isoformat()),
        ("about", "Period", "To", stats.end.isoformat()),
        ("about", "Small-cell threshold", "", str(stats.threshold)),
    ]
    rows += [("about", f"Rule {n}", "", rule) for n, rule in enumerate(stats.rules, 1)]
    for table in stats.tables:
        if table.withheld:
            rows.append((table.title, "", "", "withheld"))
        for label, cells in table.rows:
            rows += [
                (table.title, label, col, cell)
                for col, cell in zip(table.columns, cells, strict=True)
            ]
        if table.note:
            rows.append((table.title, "Note", "", table.note))
    writer.writerow(("table", "row", "column", "value"))
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()
