"""The changes a case manager makes to the records: the one door for writes.

The app calls these through its session (``session.write(casework.save, goal)``)
and the command line calls them directly. Each takes the repository first and
raises :class:`casetui.core.errors.VaultError` or ``ValueError`` with one sentence
when the change is refused; a refused change leaves the records as they were.

Case moves that touch more than one record build the new records with the pure
rules in :mod:`casetui.core.case_rules`, and write them with
:meth:`~casetui.vault.repository.Repository.put_all`, which checks every
reference first, all under the vault's mutex, so a save in the background never
sees half a move.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from casetui.core import case_rules
from casetui.core.choices import ClosureReason, ReferralStatus
from casetui.core.records import AdminBlock, Client, Record, Referral

if TYPE_CHECKING:
    from casetui.vault.repository import Repository

R = TypeVar("R", bound=Record)


def add(repo: Repository, record: R) -> R:
    """Add a new record to its table."""
    return repo.table_for(type(record)).add(record)


def save(repo: Repository, record: R) -> R:
    """Write ``record`` over the one with its id (or add it)."""
    return repo.table_for(type(record)).put(record)


def save_all(repo: Repository, records: Sequence[Record]) -> None:
    """Write several records as one change: everything is checked before any write."""
    repo.put_all(records)


def change_time_block(
    repo: Repository, block_id: str, kept: AdminBlock | None, new: AdminBlock
) -> None:
    """Change one day (or the rest) of a repeating time block, as one change.

    ``kept`` is what stays of the old block (None when nothing does), ``new`` the
    changed part; when the old block keeps nothing and ``new`` is another block,
    the old one goes.
    """
    if kept is None and new.id != block_id:
        repo.admin_blocks.remove(block_id)
    repo.put_all([r for r in (kept, new) if r is not None])


def remove(repo: Repository, record: Record) -> bool:
    """Remove ``record``; refused while other records point at it."""
    return repo.table_for(type(record)).remove(record.id)


def set_owner(repo: Repository, staff_id: str) -> None:
    """Record which case manager this vault's own user is ("my caseload")."""
    repo.set_meta("owner_staff_id", staff_id)


# -- the designated case manager ----------------------------------------------------


def reassign(repo: Repository, client_id: str, to_staff_id: str, on: date, note: str) -> Client:
    """Make ``to_staff_id`` the client's one designated case manager."""
    with repo.mutex:
        client = repo.clients.require(client_id)
        repo.staff.require(to_staff_id)
        updated, assignment = case_rules.reassign(client, to_staff_id, on, note)
        repo.put_all([updated, assignment])
    return updated


# -- closing and reopening ------------------------------------------------------------


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
    with repo.mutex:
        client = repo.clients.require(client_id)
        updated, event = case_rules.close_case(
            client,
            on=on,
            reason=reason,
            safety_plan_reviewed=safety_plan_reviewed,
            knows_can_return=knows_can_return,
            note=note,
            needs=repo.needs.for_parent(client_id),
        )
        repo.put_all([updated, event])
    return updated


def reopen_case(repo: Repository, client_id: str, *, on: date, reason: str) -> Client:
    with repo.mutex:
        client = repo.clients.require(client_id)
        closed_on = case_rules.last_closed_on(repo.case_events.for_parent(client_id))
        updated, event = case_rules.reopen_case(client, on=on, reason=reason, closed_on=closed_on)
        repo.put_all([updated, event])
    return updated


# -- referrals ------------------------------------------------------------------------


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
    with repo.mutex:
        referral = repo.referrals.require(referral_id)
        updated = case_rules.change_status(referral, status, on, note, follow_up_on)
        writes: list[Record] = [updated]
        if mark_need_met:
            need = repo.needs.get(updated.need_id) if updated.need_id else None
            if need is not None and case_rules.need_to_mark_met(updated, need):
                writes.append(case_rules.mark_need_met(need, on))
        repo.put_all(writes)
    return updated
