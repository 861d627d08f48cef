"""What the caseload shows: each client's row, each case manager's load, a client's plan."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from casetui.core.choices import CASELOAD_STATUSES, ClientStatus
from casetui.core.private_records import SafetyPlan
from casetui.core.rules import Capacity, CaseloadRow, caseload_row

if TYPE_CHECKING:
    from casetui.vault.repository import Repository


def caseload(
    repo: Repository,
    as_of: date,
    *,
    staff_id: str | None = None,
    statuses: Collection[ClientStatus] = CASELOAD_STATUSES,
) -> list[CaseloadRow]:
    """Caseload rows for one case manager (or everyone), sorted by preferred name."""
    with repo.mutex:
        names = {sid: raw.get("name", "") for sid, raw in repo.staff.raw().items()}
        if staff_id is None:
            candidates: Iterator[tuple[str, dict[str, Any]]] = iter(
                list(repo.clients.raw().items())
            )
        else:
            candidates = repo.clients.raw_children(staff_id)
        wanted = {s.value for s in statuses}
        rows = []
        for client_id, raw in candidates:
            if raw.get("status") not in wanted:
                continue
            client = repo.clients.build(client_id, raw)
            manager = names.get(client.case_manager_id, "")
            rows.append(caseload_row(client, manager, repo.summary(client_id, as_of), as_of))
    rows.sort(key=lambda row: (row.client.preferred_name.casefold(), row.client.id))
    return rows


def capacity(repo: Repository, staff_id: str) -> Capacity:
    """How many open cases the case manager holds, against how many they can."""
    staff = repo.staff.require(staff_id)
    with repo.mutex:
        wanted = {s.value for s in CASELOAD_STATUSES}
        count = sum(
            1 for _cid, raw in repo.clients.raw_children(staff_id) if raw.get("status") in wanted
        )
    return Capacity(count, staff.capacity)


def safety_plan_for(repo: Repository, client_id: str) -> SafetyPlan | None:
    """The client's safety plan (a client has at most one)."""
    plans = repo.safety_plans.for_parent(client_id)
    return plans[0] if plans else None
