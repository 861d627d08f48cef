"""Case moves that touch more than one record, written in one step.

Each method builds the new records with the pure rules in
:mod:`casetui.core.casework`, checks every reference, and only then writes, all
under the vault's mutex, so a save in the background never sees half a move.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any

from casetui.core import casework
from casetui.core.casework import EXPIRING_WITHIN_DAYS
from casetui.core.choices import (
    OPEN_REFERRAL_STATUSES,
    ClientStatus,
    ClosureReason,
    LegalKind,
    ReferralStatus,
)
from casetui.core.errors import VaultError
from casetui.core.history_records import CaseEvent
from casetui.core.private_records import Consent, LegalMatter, SafetyPlan
from casetui.core.records import Client, Meeting, Record, Referral, Staff
from casetui.core.rules import Capacity, CaseloadRow, staff_by_name
from casetui.core.schedule import (
    MeetingSlot,
    Slot,
    WeekSummary,
    meeting_slots,
    week_of,
    week_slots,
    week_summary,
)
from casetui.core.today import DEFAULT_STALLED_AFTER_DAYS, TodayItem, today_items

if TYPE_CHECKING:
    from casetui.vault.repository import Table


@dataclass(frozen=True, slots=True)
class SupervisorRow:
    staff: Staff
    capacity: Capacity
    overdue: int
    admin_hours: float
    self_care_hours: float


class CaseOperations:
    """Mixed into :class:`~casetui.vault.repository.Repository`."""

    mutex: threading.RLock
    clients: Table[Client]
    referrals: Table[Referral]
    consents: Table[Consent]
    safety_plans: Table[SafetyPlan]
    meetings: Table[Meeting]
    legal_matters: Table[LegalMatter]
    case_events: Table[CaseEvent]
    needs: Table[Any]
    staff: Table[Any]
    admin_blocks: Table[Any]

    def check_writable(self) -> None:
        raise NotImplementedError

    def check_references(self, record: Record, pending: Collection[tuple[str, str]] = ()) -> None:
        raise NotImplementedError

    def table(self, name: str) -> Table[Any]:
        raise NotImplementedError

    def summary(self, client_id: str, as_of: date | None = None) -> Any:
        raise NotImplementedError

    def capacity(self, staff_id: str) -> Capacity:
        raise NotImplementedError

    def caseload(self, as_of: date, *, staff_id: str | None = None) -> list[CaseloadRow]:
        raise NotImplementedError

    def put_all(self, records: Sequence[Record]) -> None:
        """Write several records as one change: everything is checked before any write.

        Records in the batch may point at each other (a new client and their goal).
        """
        self.check_writable()
        pending = {(r.TABLE, r.id) for r in records}
        plans = [r.client_id for r in records if isinstance(r, SafetyPlan)]
        if len(plans) != len(set(plans)):
            raise VaultError("Only one safety plan per client can be written.")
        with self.mutex:
            for record in records:
                self.check_references(record, pending)
            for record in records:
                self.table(record.TABLE).put(record, pending=pending)

    # -- the designated case manager ------------------------------------------------

    def reassign(self, client_id: str, to_staff_id: str, on: date, note: str) -> Client:
        with self.mutex:
            client = self.clients.require(client_id)
            self.staff.require(to_staff_id)
            updated, assignment = casework.reassign(client, to_staff_id, on, note)
            self.put_all([updated, assignment])
        return updated

    # -- closing and reopening ------------------------------------------------------

    def close_case(
        self,
        client_id: str,
        *,
        on: date,
        reason: ClosureReason | None,
        safety_plan_reviewed: bool,
        knows_can_return: bool,
        note: str,
    ) -> Client:
        with self.mutex:
            client = self.clients.require(client_id)
            updated, event = casework.close_case(
                client,
                on=on,
                reason=reason,
                safety_plan_reviewed=safety_plan_reviewed,
                knows_can_return=knows_can_return,
                note=note,
                needs=self.needs.for_parent(client_id),
            )
            self.put_all([updated, event])
        return updated

    def reopen_case(self, client_id: str, *, on: date, reason: str) -> Client:
        with self.mutex:
            client = self.clients.require(client_id)
            closed_on = casework.last_closed_on(self.case_events.for_parent(client_id))
            updated, event = casework.reopen_case(client, on=on, reason=reason, closed_on=closed_on)
            self.put_all([updated, event])
        return updated

    # -- referrals ------------------------------------------------------------------

    def change_referral_status(
        self,
        referral_id: str,
        status: ReferralStatus,
        on: date,
        note: str = "",
        *,
        follow_up_on: date | None = None,
        mark_need_met: bool = False,
    ) -> Referral:
        """Move a referral on; with ``mark_need_met``, a completed referral meets its need."""
        with self.mutex:
            referral = self.referrals.require(referral_id)
            updated = casework.change_status(referral, status, on, note, follow_up_on)
            writes: list[Record] = [updated]
            if mark_need_met:
                need = self.needs.get(updated.need_id) if updated.need_id else None
                if need is not None and casework.need_to_mark_met(updated, need):
                    writes.append(casework.mark_need_met(need, on))
            self.put_all(writes)
        return updated

    def safety_plan_for(self, client_id: str) -> SafetyPlan | None:
        plans = self.safety_plans.for_parent(client_id)
        return plans[0] if plans else None

    # -- Today ----------------------------------------------------------------------

    def today(
        self,
        as_of: date,
        *,
        staff_id: str | None,
        stalled_after_days: int = DEFAULT_STALLED_AFTER_DAYS,
        now: time | None = None,
    ) -> list[TodayItem]:
        """Today's list for one case manager's clients and time, or for everyone's clients.

        ``now``, the time of day, leaves out meetings already held today.
        """
        with self.mutex:
            if staff_id is None:
                candidates = [
                    (cid, raw)
                    for cid, raw in self.clients.raw().items()
                    if raw.get("status") != ClientStatus.CLOSED.value
                ]
            else:
                candidates = [
                    (cid, raw)
                    for cid, raw in self.clients.raw_children(staff_id)
                    if raw.get("status") != ClientStatus.CLOSED.value
                ]
            clients = [self.clients.build(cid, raw) for cid, raw in candidates]
            contacts = {c.id: self.summary(c.id, as_of).contact for c in clients}
            meetings: list[Meeting] = []
            referrals: list[Referral] = []
            consents: list[Consent] = []
            legal: list[LegalMatter] = []
            # Build only the records a rule could list: building one validates every
            # field, which costs far more than these string tests on the raw rows.
            day = as_of.isoformat()
            horizon = (as_of + timedelta(days=EXPIRING_WITHIN_DAYS)).isoformat()
            open_statuses = {s.value for s in OPEN_REFERRAL_STATUSES}
            for client in clients:
                meetings += [
                    self.meetings.build(mid, raw)
                    for mid, raw in self.meetings.raw_children(client.id)
                    if raw.get("on", "") >= day
                ]
                referrals += [
                    self.referrals.build(rid, raw)
                    for rid, raw in self.referrals.raw_children(client.id)
                    if raw.get("status") in open_statuses
                ]
                theirs = list(self.consents.raw_children(client.id))
                if any(str(raw.get("expires_on", "")) <= horizon for _cid, raw in theirs):
                    consents += [self.consents.build(cid, raw) for cid, raw in theirs]
                legal += [
                    self.legal_matters.build(lid, raw)
                    for lid, raw in self.legal_matters.raw_children(client.id)
                    if raw.get("kind") == LegalKind.COURT_DATE.value and raw.get("on", "") >= day
                ]
            blocks = self.admin_blocks.for_parent(staff_id) if staff_id else []
        return today_items(
            as_of,
            now=now,
            clients=clients,
            contacts=contacts,
            meetings=meetings,
            referrals=referrals,
            consents=consents,
            legal_matters=legal,
            blocks=blocks,
            stalled_after_days=stalled_after_days,
        )

    # -- the case manager's week ----------------------------------------------------

    def _week_meetings(self, monday: date) -> dict[str, list[Meeting]]:
        """The week's client meetings by case manager, in one pass over the raw rows.

        A meeting belongs to whoever it was with (``staff_id``), or, when that was
        not recorded, to the client's case manager.
        """
        first, last = monday.isoformat(), (monday + timedelta(days=6)).isoformat()
        by_staff: dict[str, list[Meeting]] = {}
        clients = self.clients.raw()
        for mid, raw in self.meetings.raw().items():
            if not first <= str(raw.get("on", "")) <= last:
                continue
            who = raw.get("staff_id") or clients.get(str(raw.get("client_id")), {}).get(
                "case_manager_id"
            )
            if isinstance(who, str):
                by_staff.setdefault(who, []).append(self.meetings.build(mid, raw))
        return by_staff

    def week(self, staff_id: str, monday: date) -> tuple[list[Slot], list[MeetingSlot]]:
        """The case manager's time blocks and client meetings in the week from ``monday``."""
        with self.mutex:
            blocks = self.admin_blocks.for_parent(staff_id)
            meetings = self._week_meetings(monday).get(staff_id, [])
        return week_slots(blocks, monday), meeting_slots(meetings, monday)

    def week_summary(self, staff_id: str, monday: date) -> WeekSummary:
        slots, meetings = self.week(staff_id, monday)
        return week_summary(
            self.staff.require(staff_id), slots, len(meetings), self.capacity(staff_id)
        )

    def supervisor_rows(self, as_of: date) -> list[SupervisorRow]:
        """Every case manager side by side, for spreading caseloads fairly."""
        monday = week_of(as_of)
        rows = []
        with self.mutex:
            staff = staff_by_name(self.staff.all())
            meetings = self._week_meetings(monday)
            for person in staff:
                caseload = self.caseload(as_of, staff_id=person.id)
                slots = week_slots(self.admin_blocks.for_parent(person.id), monday)
                summary = week_summary(
                    person, slots, len(meetings.get(person.id, [])), self.capacity(person.id)
                )
                rows.append(
                    SupervisorRow(
                        staff=person,
                        capacity=summary.capacity,
                        overdue=sum(1 for r in caseload if r.overdue),
                        admin_hours=summary.admin_hours,
                        self_care_hours=summary.self_care_hours,
                    )
                )
        return rows
