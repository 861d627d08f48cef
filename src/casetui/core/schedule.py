"""The case manager's week: time blocks, meetings, hours against targets.

Blocks are wall-clock times on calendar days. A weekly block repeats on the same
weekday from its first day until its ``until`` day, except the days it skips, so
recurrence is date arithmetic and stays put across daylight-saving changes and
year ends. Everything here is a pure function of records and dates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Literal

from casetui.core.choices import BlockKind
from casetui.core.errors import ValidationError
from casetui.core.records import AdminBlock, Meeting, Staff
from casetui.core.rules import Capacity

#: Kinds that count as admin time against the case manager's admin target.
ADMIN_KINDS = frozenset({BlockKind.ADMIN, BlockKind.DOCUMENTATION})
#: A one-letter code per kind, so the grid reads the same without colour.
KIND_LETTERS = {
    BlockKind.ADMIN: "A",
    BlockKind.SELF_CARE: "S",
    BlockKind.SUPERVISION: "V",
    BlockKind.TRAINING: "T",
    BlockKind.DOCUMENTATION: "D",
}

Scope = Literal["this", "future"]


def week_of(day: date) -> date:
    """The Monday that starts ``day``'s week."""
    return day - timedelta(days=day.weekday())


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=i) for i in range(7)]


def minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


@dataclass(frozen=True, slots=True)
class Slot:
    """One occurrence of a block on one day."""

    block: AdminBlock
    day: date

    @property
    def start(self) -> int:
        return minutes(self.block.start)

    @property
    def end(self) -> int:
        return minutes(self.block.end)

    @property
    def hours(self) -> float:
        return (self.end - self.start) / 60


@dataclass(frozen=True, slots=True)
class MeetingSlot:
    """A client meeting on a day; ``start`` is None when no time was logged."""

    meeting: Meeting
    day: date
    start: int | None
    end: int | None


def week_slots(blocks: Iterable[AdminBlock], monday: date) -> list[Slot]:
    """Every occurrence of ``blocks`` in the week starting ``monday``, by day and time."""
    days = week_days(monday)
    slots = [Slot(b, day) for b in blocks for day in days if b.occurs_on(day)]
    slots.sort(key=lambda s: (s.day, s.start, s.end, s.block.id))
    return slots


def meeting_slots(meetings: Iterable[Meeting], monday: date) -> list[MeetingSlot]:
    end = monday + timedelta(days=7)
    out = []
    for m in meetings:
        if not monday <= m.on < end:
            continue
        if m.at is None:
            out.append(MeetingSlot(m, m.on, None, None))
        else:
            start = minutes(m.at)
            out.append(MeetingSlot(m, m.on, start, min(start + m.duration_minutes, 24 * 60)))
    out.sort(key=lambda s: (s.day, s.start if s.start is not None else -1, s.meeting.id))
    return out


def hours_by_kind(slots: Iterable[Slot]) -> dict[BlockKind, float]:
    hours = dict.fromkeys(BlockKind, 0.0)
    for slot in slots:
        hours[slot.block.kind] += slot.hours
    return hours


def overlaps(slots: Sequence[Slot]) -> list[tuple[Slot, Slot]]:
    """Pairs of blocks that share time on the same day (touching ends do not count)."""
    pairs = []
    for i, a in enumerate(slots):
        for b in slots[i + 1 :]:
            if a.day == b.day and a.start < b.end and b.start < a.end:
                pairs.append((a, b))
    return pairs


def collisions(
    slots: Sequence[Slot], meetings: Sequence[MeetingSlot]
) -> list[tuple[Slot, MeetingSlot]]:
    """Blocks that share time with a client meeting that has a time of day."""
    pairs = []
    for slot in slots:
        for m in meetings:
            if m.start is None or m.end is None or m.day != slot.day:
                continue
            if slot.start < m.end and m.start < slot.end:
                pairs.append((slot, m))
    return pairs


@dataclass(frozen=True, slots=True)
class WeekSummary:
    admin_hours: float
    self_care_hours: float
    admin_target: float
    self_care_target: float
    meetings: int
    capacity: Capacity
    prompts: tuple[str, ...]


def _h(hours: float) -> str:
    return f"{hours:g} h"


def week_prompts(
    admin_hours: float, self_care_hours: float, staff: Staff, capacity: Capacity
) -> tuple[str, ...]:
    """Gentle notes, never judgments: what might help this week."""
    notes = []
    if self_care_hours == 0:
        notes.append(
            "No self-care is planned this week. Even a short walk or a quiet lunch counts; "
            "you could add one with a."
        )
    if admin_hours < staff.admin_hours_target:
        notes.append(
            f"Admin time is {_h(admin_hours)} of the {_h(staff.admin_hours_target)} you aim "
            "for. Protected admin time gives a break from intense work."
        )
    if capacity.over:
        notes.append(
            f"The caseload is {capacity.describe()}. It may be worth talking with your "
            "supervisor about sharing it more evenly."
        )
    return tuple(notes)


def week_summary(
    staff: Staff, slots: Iterable[Slot], meetings: int, capacity: Capacity
) -> WeekSummary:
    hours = hours_by_kind(slots)
    admin = sum(hours[k] for k in ADMIN_KINDS)
    self_care = hours[BlockKind.SELF_CARE]
    return WeekSummary(
        admin_hours=admin,
        self_care_hours=self_care,
        admin_target=staff.admin_hours_target,
        self_care_target=staff.self_care_hours_target,
        meetings=meetings,
        capacity=capacity,
        prompts=week_prompts(admin, self_care, staff, capacity),
    )


# -- changing one occurrence of a weekly block, or all from it on ---------------------


def _day_before(day: date) -> date:
    return day - timedelta(days=1)


def split_edit(
    block: AdminBlock, day: date, changed: AdminBlock, scope: Scope
) -> tuple[AdminBlock | None, AdminBlock]:
    """Apply an edit made on the occurrence ``day`` of ``block``.

    Returns (what becomes of the original, or None to remove it; the new block).
    ``changed`` carries the edited values, its ``on`` being the day the edited
    occurrence (or series) now starts.

    * "this": the original skips ``day``; a new one-off block holds the edit.
    * "future": the original ends the day before ``day``; a new weekly block holds
      the edit. Editing from the first day simply replaces the block.
    """
    if not block.occurs_on(day):
        raise ValidationError("on", "is not a day this block happens.")
    if not block.weekly:
        return None, dataclasses.replace(changed, id=block.id)
    if scope == "this":
        kept = dataclasses.replace(block, skipped=(*block.skipped, day))
        values = {**_values(changed), "weekly": False, "until": None, "skipped": ()}
        return kept, AdminBlock.create(**values)
    if day == block.on:
        return None, dataclasses.replace(changed, id=block.id)
    ended = dataclasses.replace(block, until=_day_before(day))
    # Days already taken out of the series stay out, if the new series still has them.
    kept_skips = tuple(
        d for d in block.skipped if d >= changed.on and (d - changed.on).days % 7 == 0
    )
    return ended, AdminBlock.create(**{**_values(changed), "skipped": kept_skips})


def remove_occurrence(block: AdminBlock, day: date, scope: Scope) -> AdminBlock | None:
    """Remove the occurrence on ``day`` ("this") or it and all later ones ("future").

    Returns the block as it should be stored, or None when nothing of it is left.
    """
    if not block.occurs_on(day):
        raise ValidationError("on", "is not a day this block happens.")
    if not block.weekly or (scope == "future" and day == block.on):
        return None
    if scope == "this":
        left = dataclasses.replace(block, skipped=(*block.skipped, day))
        return left if _happens_at_all(left) else None
    return dataclasses.replace(block, until=_day_before(day))


def _happens_at_all(block: AdminBlock) -> bool:
    """False for a weekly block whose every day up to ``until`` is skipped."""
    if block.until is None:
        return True
    day = block.on
    while day <= block.until:
        if block.occurs_on(day):
            return True
        day += timedelta(days=7)
    return False


def _values(block: AdminBlock) -> dict[str, object]:
    return {name: getattr(block, name) for name in AdminBlock.field_names() if name != "id"}
