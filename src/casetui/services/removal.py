"""Removing a client entered by mistake, and erasing a client's records on their request.

Both take the client and every record linked to them (goals, needs, meetings,
referrals, consents, strengths, the safety plan, assignments, case events, legal
matters) as one change. Removal and erasure win over any edit another device
makes at the same time. An erasure also removes at once every file in the vault
folder that held those records (the save compacts), and the backups taken before
it are rewritten without them, or deleted (:func:`scrub_backups`), after the
person has confirmed which. The audit trail keeps one entry without content:
that a client's records were removed or erased, when, and by whom.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from casetui.core.choices import AuditAction, CaseEventKind, ClientStatus
from casetui.core.errors import VaultError
from casetui.core.record_tables import RECORD_BY_TABLE
from casetui.core.records import Client
from casetui.core.text import printable
from casetui.vault.backup_scrub import BackupScrub, backups_holding, scrub_backups
from casetui.vault.repository import Repository
from casetui.vault.vault import Vault

#: Tables whose records belong to one client, by their ``client_id``.
CLIENT_TABLES = tuple(
    table
    for table, cls in RECORD_BY_TABLE.items()
    if cls.PARENT == "client_id" and table != "audit"
)


@dataclass(frozen=True, slots=True)
class RemovalPlan:
    """What removing or erasing one client takes with them."""

    client_id: str
    preferred_name: str
    #: (table, record id) of every record, the client's own last.
    records: tuple[tuple[str, str], ...]
    #: How many records of each kind ("goals": 3), the client not counted.
    counts: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        nouns = {t: RECORD_BY_TABLE[t].NOUN for t in self.counts}
        parts = [f"{n} {nouns[t]}{'' if n == 1 else 's'}" for t, n in self.counts.items() if n]
        return ", ".join(parts) if parts else "no other records"


def plan_removal(repo: Repository, client_id: str) -> RemovalPlan:
    client = repo.clients.require(client_id)
    records: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    for table in CLIENT_TABLES:
        ids = repo.table(table).child_ids(client_id)
        counts[table] = len(ids)
        records.extend((table, rid) for rid in ids)
    records.append((Client.TABLE, client_id))
    return RemovalPlan(client_id, client.preferred_name, tuple(records), counts)


def find_client(repo: Repository, given: str) -> Client:
    """A client by id, or by a name only one client has (preferred or legal, any case)."""
    by_id = repo.clients.get(given)
    if by_id is not None:
        return by_id
    wanted = given.strip().casefold()
    found = [c for c in repo.clients if wanted and c.preferred_name.strip().casefold() == wanted]
    if len(found) == 1:
        return found[0]
    shown = printable(given[:80])
    if not found:
        raise VaultError(
            f"No client is called '{shown}' or has that id; 'casetui export' lists them."
        )
    raise VaultError(
        f"{len(found)} clients are called '{shown}'; give the id of the one you mean "
        "('casetui export' lists them)."
    )


def remove_client(vault: Vault, plan: RemovalPlan, *, erase: bool) -> int:
    """Remove (or erase) the client and every record linked to them, in memory.

    The next save writes it; for an erasure, that save also compacts the vault
    folder at once (see :meth:`Vault.save`). Returns how many records went.
    """
    repo = vault.repo
    if erase:
        vault.mark_erased(plan.records)
    removed = repo.remove_all(plan.records)
    what = (
        "erased a client's records on their request"
        if erase
        else ("removed a client entered by mistake")
    )
    repo.record_event(AuditAction.REMOVED, detail=f"{what} ({removed} records)")
    return removed


def closed_before(repo: Repository, cutoff: date) -> list[tuple[Client, date]]:
    """Clients whose case is closed, and was last closed before ``cutoff``, with that date.

    For an agency's retention policy: a case reopened since is not closed.
    """
    found = []
    for client in repo.clients:
        if client.status != ClientStatus.CLOSED:
            continue
        closings = [
            e.on for e in repo.case_events.for_parent(client.id) if e.kind == CaseEventKind.CLOSED
        ]
        if closings and max(closings) < cutoff:
            found.append((client, max(closings)))
    return sorted(found, key=lambda item: (item[1], item[0].preferred_name))


# The backups' part lives with the backups (a device that learns of an erasure
# from another scrubs its own backups too); re-exported here for the callers.
__all__ = [
    "BackupScrub",
    "RemovalPlan",
    "backups_holding",
    "closed_before",
    "find_client",
    "plan_removal",
    "remove_client",
    "scrub_backups",
]
