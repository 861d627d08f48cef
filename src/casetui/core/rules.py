"""Case-management rules as pure functions of records and a date.

Nothing here reads a clock: every rule takes ``as_of`` so that tests can use
fixed dates and the app can ask "as of today".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from casetui.core.choices import (
    ACTIVE_GOAL_STATUSES,
    CASELOAD_STATUSES,
    OPEN_NEED_STATUSES,
    ClientStatus,
    GoalStatus,
    NeedStatus,
)
from casetui.core.records import Client, Meeting, Staff

#: Active goals beyond this many earn a gentle note; the standard suggests 3-5.
MAX_SUGGESTED_ACTIVE_GOALS = 5


@dataclass(frozen=True, slots=True)
class ContactSummary:
    """What the meeting log says about contact with one client."""

    last_contact: date | None = None
    #: The next check-in agreed at the most recent meeting, if one was set.
    agreed_next_checkin: date | None = None

    def with_meeting(self, on: date, next_checkin: date | None) -> ContactSummary:
        """Fold one more meeting into the summary (order does not matter)."""
        if self.last_contact is None or on > self.last_contact:
            return ContactSummary(on, next_checkin)
        if on == self.last_contact and next_checkin is not None:
            agreed = self.agreed_next_checkin
            if agreed is None or next_checkin > agreed:
                return ContactSummary(on, next_checkin)
        return self


def summarise_contact(
    meetings: Iterable[tuple[date, date | None]], as_of: date | None = None
) -> ContactSummary:
    """Fold (meeting date, agreed next check-in) pairs into a contact summary.

    Meetings dated after ``as_of`` are planned, not contact yet, and are skipped.
    """
    summary = ContactSummary()
    for on, next_checkin in meetings:
        if as_of is not None and on > as_of:
            continue
        summary = summary.with_meeting(on, next_checkin)
    return summary


def meeting_dates(meetings: Iterable[Meeting]) -> Iterable[tuple[date, date | None]]:
    return ((m.on, m.next_checkin) for m in meetings)


def next_checkin_due(client: Client, contact: ContactSummary) -> date | None:
    """When the next check-in with ``client`` is due, or None if check-ins are paused.

    The date agreed at the latest meeting wins. Without one, the client's interval
    runs from the last contact, or from intake if there has been none yet. Clients
    on hold or closed have no check-in due.
    """
    if client.status is not ClientStatus.ACTIVE:
        return None
    if contact.agreed_next_checkin is not None:
        return contact.agreed_next_checkin
    start = contact.last_contact or client.intake_date
    return start + timedelta(days=client.checkin_interval_days)


def days_overdue(client: Client, contact: ContactSummary, as_of: date) -> int:
    """Days past the due check-in as of ``as_of``; 0 when not overdue."""
    due = next_checkin_due(client, contact)
    if due is None or as_of <= due:
        return 0
    return (as_of - due).days


def is_overdue(client: Client, contact: ContactSummary, as_of: date) -> bool:
    return days_overdue(client, contact, as_of) > 0


@dataclass(frozen=True, slots=True)
class Capacity:
    count: int
    capacity: int

    @property
    def over(self) -> bool:
        return self.count > self.capacity

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.count)

    def describe(self) -> str:
        noun = "client" if self.capacity == 1 else "clients"
        return f"{self.count} of {self.capacity} {noun}"


def staff_by_name(staff: Iterable[Staff]) -> list[Staff]:
    """Case managers in the order people look for them: by name, then by id."""
    return sorted(staff, key=lambda s: (s.name.casefold(), s.id))


def caseload_count(staff_id: str, clients: Iterable[Client]) -> int:
    """Clients assigned to ``staff_id`` who are active or on hold."""
    return sum(
        1 for c in clients if c.case_manager_id == staff_id and c.status in CASELOAD_STATUSES
    )


def capacity_of(staff: Staff, clients: Iterable[Client]) -> Capacity:
    return Capacity(caseload_count(staff.id, clients), staff.capacity)


def active_goal_count(statuses: Iterable[GoalStatus]) -> int:
    return sum(1 for s in statuses if s in ACTIVE_GOAL_STATUSES)


def goal_progress(statuses: Iterable[GoalStatus]) -> tuple[int, int]:
    """(achieved, total), leaving out goals that were revised into new ones."""
    achieved = total = 0
    for status in statuses:
        if status is GoalStatus.REVISED:
            continue
        total += 1
        achieved += status is GoalStatus.ACHIEVED
    return achieved, total


def goal_count_note(statuses: Iterable[GoalStatus]) -> str | None:
    """A gentle note when the goal sheet holds more active goals than suggested."""
    active = active_goal_count(statuses)
    if active <= MAX_SUGGESTED_ACTIVE_GOALS:
        return None
    return (
        f"{active} goals are active. Three to five is often easier to work on at once; "
        "you and the client might pause or combine some. It is fine to keep them all."
    )


def open_need_count(statuses: Iterable[NeedStatus]) -> int:
    return sum(1 for s in statuses if s in OPEN_NEED_STATUSES)


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """One line of a caseload list: the client and what the records say about them."""

    client: Client
    case_manager: str
    last_contact: date | None
    next_checkin: date | None
    days_overdue: int
    open_needs: int
    goals_achieved: int
    goals_total: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True, slots=True)
class ClientSummary:
    """Per-client figures folded from the meetings, needs and goals tables."""

    contact: ContactSummary = ContactSummary()
    open_needs: int = 0
    goals_achieved: int = 0
    goals_total: int = 0


def caseload_row(
    client: Client, case_manager: str, summary: ClientSummary, as_of: date
) -> CaseloadRow:
    return CaseloadRow(
        client=client,
        case_manager=case_manager,
        last_contact=summary.contact.last_contact,
        next_checkin=next_checkin_due(client, summary.contact),
        days_overdue=days_overdue(client, summary.contact, as_of),
        open_needs=summary.open_needs,
        goals_achieved=summary.goals_achieved,
        goals_total=summary.goals_total,
    )
