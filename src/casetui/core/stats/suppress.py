"""Small-cell suppression: which counts of a table may be shown, exactly checked.

Every count from 1 to ``threshold - 1`` is shown as ``<threshold``; further counts
are hidden or withheld until none can be worked out from the rest. See
:mod:`casetui.core.stats` for the whole method.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from casetui.core import policy

#: The smallest threshold that protects anything: with 2, "<2" would say 1.
MIN_THRESHOLD = policy.MIN_SMALL_CELL
DEFAULT_THRESHOLD = policy.SMALL_CELL
#: What a count hidden to protect another one shows.
HIDDEN = "x"
#: What a count shows when nothing about it can be said safely.
WITHHELD = ".."


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


def column_totals(body: Sequence[Sequence[int]], width: int) -> list[int]:
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
    totals = column_totals(body, width)
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
    totals = column_totals(first, width)
    if totals != column_totals(second, width):
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
