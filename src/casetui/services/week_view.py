"""A case manager's week, and every case manager's week side by side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from casetui.core.records import Meeting, Staff
from casetui.core.rules import Capacity, staff_by_name
from casetui.core.schedule import (
    MeetingSlot,
    Slot,
    WeekSummary,
    meeting_slots,
    week_of,
    week_slots,
)
from casetui.core.schedule import week_summary as summarise_week
from casetui.services.caseload_view import capacity, caseload

if TYPE_CHECKING:
    from casetui.vault.repository import Repository


@dataclass(frozen=True, slots=True)
class SupervisorRow:
    staff: Staff
    capacity: Capacity
    overdue: int
    admin_hours: float
    self_care_hours: float


def _week_meetings(repo: Repository, monday: date) -> dict[str, list[Meeting]]:
    """The week's client meetings by case manager, in one pass over the raw rows.

    A meeting belongs to whoever it was with (``staff_id``), or, when that was
    not recorded, to the client's case manager.
    """
    first, last = monday.isoformat(), (monday + timedelta(days=6)).isoformat()
    by_staff: dict[str, list[Meeting]] = {}
    clients = repo.clients.raw()
    for mid, raw in repo.meetings.raw().items():
        if not first <= str(raw.get("on", "")) <= last:
            continue
        who = raw.get("staff_id") or clients.get(str(raw.get("client_id")), {}).get(
            "case_manager_id"
        )
        if isinstance(who, str):
            by_staff.setdefault(who, []).append(repo.meetings.build(mid, raw))
    return by_staff


def week(repo: Repository, staff_id: str, monday: date) -> tuple[list[Slot], list[MeetingSlot]]:
    """The case manager's time blocks and client meetings in the week from ``monday``."""
    with repo.mutex:
        blocks = repo.admin_blocks.for_parent(staff_id)
        meetings = _week_meetings(repo, monday).get(staff_id, [])
    return week_slots(blocks, monday), meeting_slots(meetings, monday)


def week_summary(repo: Repository, staff_id: str, monday: date) -> WeekSummary:
    slots, meetings = week(repo, staff_id, monday)
    return summarise_week(
        repo.staff.require(staff_id), slots, len(meetings), capacity(repo, staff_id)
    )


def supervisor_rows(repo: Repository, as_of: date) -> list[SupervisorRow]:
    """Every case manager side by side, for spreading caseloads fairly."""
    monday = week_of(as_of)
    rows = []
    with repo.mutex:
        staff = staff_by_name(repo.staff.all())
        meetings = _week_meetings(repo, monday)
        for person in staff:
            theirs = caseload(repo, as_of, staff_id=person.id)
            slots = week_slots(repo.admin_blocks.for_parent(person.id), monday)
            summary = summarise_week(
                person, slots, len(meetings.get(person.id, [])), capacity(repo, person.id)
            )
            rows.append(
                SupervisorRow(
                    staff=person,
                    capacity=summary.capacity,
                    overdue=sum(1 for r in theirs if r.overdue),
                    admin_hours=summary.admin_hours,
                    self_care_hours=summary.self_care_hours,
                )
            )
    return rows
