"""Gathering each active client's records for the accreditation readiness rules."""

from __future__ import annotations

from datetime import date

from casetui.core.accreditation import (
    DEFAULT_REASSESS_DAYS,
    CaseRecords,
    ClientReadiness,
    readiness,
)
from casetui.core.choices import ClientStatus
from casetui.core.records import AdminBlock, Client, Meeting
from casetui.vault.repository import Repository


def _latest_progress_meeting(repo: Repository, client_id: str, as_of: date) -> list[Meeting]:
    """The one meeting rule 6 looks at: the latest, up to ``as_of``, where progress was
    discussed with the client. Building every logged meeting would cost most of the time."""
    day = as_of.isoformat()
    best: tuple[str, str] | None = None
    for mid, raw in repo.meetings.raw_children(client_id):
        on = raw.get("on")
        qualifies = raw.get("progress_discussed") is True and isinstance(on, str) and on <= day
        if qualifies and (best is None or str(on) > best[0]):
            best = (str(on), mid)
    if best is None:
        return []
    return [repo.meetings.require(best[1])]


def accreditation(
    repo: Repository, as_of: date, reassess_days: int = DEFAULT_REASSESS_DAYS
) -> list[tuple[Client, ClientReadiness]]:
    """Every active client with its readiness, sorted by preferred name."""
    results = []
    with repo.mutex:
        clients = [c for c in repo.clients.all() if c.status is ClientStatus.ACTIVE]
        blocks_by_staff: dict[str, list[AdminBlock]] = {}
        for client in clients:
            manager = repo.staff.get(client.case_manager_id)
            if client.case_manager_id not in blocks_by_staff:
                blocks_by_staff[client.case_manager_id] = repo.admin_blocks.for_parent(
                    client.case_manager_id
                )
            case = CaseRecords(
                client=client,
                manager=manager,
                needs=repo.needs.for_parent(client.id),
                goals=repo.goals.for_parent(client.id),
                meetings=_latest_progress_meeting(repo, client.id, as_of),
                referrals=repo.referrals.for_parent(client.id),
                strengths=repo.strengths.for_parent(client.id),
                blocks=blocks_by_staff[client.case_manager_id],
            )
            results.append((client, readiness(case, as_of, reassess_days)))
    results.sort(key=lambda pair: (pair[0].preferred_name.casefold(), pair[0].id))
    return results
