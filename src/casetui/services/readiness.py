"""Gathering each client in the program's records for the accreditation readiness rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from casetui.core.accreditation import DEFAULT_REASSESS_DAYS, readiness
from casetui.core.funder_reminder import FUNDER_NOTE, funder_questions_unasked
from casetui.core.readiness_checks import CaseRecords, ClientReadiness
from casetui.core.readiness_report import in_program
from casetui.core.records import AdminBlock, Client, Meeting
from casetui.vault.repository import Repository


def _latest_meeting(
    repo: Repository, client_id: str, as_of: date, counts: Callable[[Mapping[str, Any]], bool]
) -> Meeting | None:
    """The latest meeting up to ``as_of`` that ``counts``, read from the stored form:
    building every logged meeting would cost most of the time."""
    day = as_of.isoformat()
    best: tuple[str, str] | None = None
    for mid, raw in repo.meetings.raw_children(client_id):
        on = raw.get("on")
        qualifies = isinstance(on, str) and on <= day and counts(raw)
        if qualifies and (best is None or str(on) > best[0]):
            best = (str(on), mid)
    return None if best is None else repo.meetings.require(best[1])


def _meetings_for_rules(repo: Repository, client_id: str, as_of: date) -> list[Meeting]:
    """The meetings the rules look at: the latest where progress was discussed with the
    client (rule 6), and the latest where goals were (rule 3)."""
    found: dict[str, Meeting] = {}
    for counts in (
        lambda raw: raw.get("progress_discussed") is True,
        lambda raw: bool(raw.get("goals_discussed")),
    ):
        meeting = _latest_meeting(repo, client_id, as_of, counts)
        if meeting is not None:
            found[meeting.id] = meeting
    return list(found.values())


def accreditation(
    repo: Repository, as_of: date, reassess_days: int = DEFAULT_REASSESS_DAYS
) -> list[tuple[Client, ClientReadiness]]:
    """Every client in the program (active or on hold) with its readiness, sorted by
    preferred name. Closed cases are not checked.

    A new client not yet asked the funders' questions gets a note (see
    :mod:`casetui.core.funder_reminder`): optional, so never a verdict.
    """
    results = []
    with repo.mutex:
        clients = in_program(repo.clients.all())
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
                meetings=_meetings_for_rules(repo, client.id, as_of),
                referrals=repo.referrals.for_parent(client.id),
                strengths=repo.strengths.for_parent(client.id),
                blocks=blocks_by_staff[client.case_manager_id],
            )
            result = readiness(case, as_of, reassess_days)
            if funder_questions_unasked(client, as_of):
                result = dataclasses.replace(result, notes=(*result.notes, FUNDER_NOTE))
            results.append((client, result))
    results.sort(key=lambda pair: (pair[0].preferred_name.casefold(), pair[0].id))
    return results
