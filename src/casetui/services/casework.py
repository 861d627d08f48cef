"""The changes a case manager makes to the records: the one door for writes.

The app calls these through its session (``session.write(casework.save, goal)``)
and the command line calls them directly. Each takes the repository first and
raises :class:`casetui.core.errors.VaultError` or ``ValueError`` with one sentence
when the change is refused; a refused change leaves the records as they were.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, TypeVar

from casetui.core.choices import ClosureReason, ReferralStatus
from casetui.core.records import Client, Record, Referral

if TYPE_CHECKING:
    from casetui.vault.repository import Repository

R = TypeVar("R", bound=Record)


def add(repo: Repository, record: R) -> R:
    """Add a new record to its table."""
    return repo.table_for(type(record)).add(record)


def save(repo: Repository, record: R) -> R:
    """Write ``record`` over the one with its id (or add it)."""
    return repo.table_for(type(record)).put(record)


def remove(repo: Repository, record: Record) -> bool:
    """Remove ``record``; refused while other records point at it."""
    return repo.table_for(type(record)).remove(record.id)


def reassign(repo: Repository, client_id: str, to_staff_id: str, on: date, note: str) -> Client:
    """Make ``to_staff_id`` the client's one designated case manager."""
    return repo.reassign(client_id, to_staff_id, on, note)


def close_case(
    repo: Repository,
    client_id: str,
    *,
    on: date,
    reason: ClosureReason | None,
    safety_plan_reviewed: bool,
    knows_can_return: bool,
    note: str,
) -> Client:
    return repo.close_case(
        client_id,
        on=on,
        reason=reason,
        safety_plan_reviewed=safety_plan_reviewed,
        knows_can_return=knows_can_return,
        note=note,
    )


def reopen_case(repo: Repository, client_id: str, *, on: date, reason: str) -> Client:
    return repo.reopen_case(client_id, on=on, reason=reason)


def change_referral_status(
    repo: Repository,
    referral_id: str,
    status: ReferralStatus,
    on: date,
    note: str = "",
    *,
    follow_up_on: date | None = None,
    mark_need_met: bool = False,
) -> Referral:
    """Move a referral on; with ``mark_need_met``, a completed referral meets its need."""
    return repo.change_referral_status(
        referral_id, status, on, note, follow_up_on=follow_up_on, mark_need_met=mark_need_met
    )
