"""``casetui print``: gather one client's records and write their goal sheet.

The page itself is built by :mod:`casetui.core.printout`; this module reads
what it needs from an open vault, writes the file privately (0600, atomically,
never over an existing file unless asked, never over one of the vault's own
files), and records the printing in the audit trail: the format and sections
only, never what the page says.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from casetui.core.choices import AuditAction
from casetui.core.errors import VaultError
from casetui.core.printout import SECTIONS, GoalSheet, audit_detail, goal_sheet
from casetui.core.printout_render import render
from casetui.core.records import Partner
from casetui.vault.destinations import check_destination, write_user_file
from casetui.vault.repository import Repository
from casetui.vault.vault import Vault

#: The formats a goal sheet is written in, and the file suffix of each.
FORMATS: dict[str, str] = {"html": ".html", "md": ".md"}
#: The endings a goal sheet's file may have in each format; the first is the usual one.
SUFFIXES: dict[str, tuple[str, ...]] = {"html": (".html", ".htm"), "md": (".md",)}
WHAT = "the goal sheet"


@dataclass(frozen=True, slots=True)
class Printed:
    """What was written: the sheet, and whether the audit trail holds the printing."""

    sheet: GoalSheet
    out: Path
    recorded: bool


def goal_sheet_for(
    repo: Repository,
    client_id: str,
    *,
    as_of: date,
    sections: Collection[str] = SECTIONS,
    agency_name: str = "",
    agency_contact: str = "",
) -> GoalSheet:
    """The goal sheet of one client, from their own records only."""
    with repo.mutex:
        client = repo.clients.require(client_id)
        referrals = repo.referrals.for_parent(client_id)
        partners: dict[str, Partner] = {}
        for referral in referrals:
            partner = repo.partners.get(referral.partner_id)
            if partner is not None:
                partners[partner.id] = partner
        staff = repo.staff.get(client.case_manager_id)
        return goal_sheet(
            client,
            as_of=as_of,
            goals=repo.goals.for_parent(client_id),
            needs=repo.needs.for_parent(client_id),
            referrals=referrals,
            partners=partners,
            meetings=repo.meetings.for_parent(client_id),
            case_manager=staff.name if staff is not None else "",
            agency_name=agency_name,
            agency_contact=agency_contact,
            sections=sections,
        )


def write_printout(
    vault: Vault, out: Path, text: str, *, fmt: str, overwrite: bool = False
) -> None:
    """Write a goal sheet rendered as ``fmt`` to ``out``: checked, atomic, readable only by you."""
    write_user_file(
        out,
        text.encode("utf-8"),
        overwrite=overwrite,
        what=WHAT,
        suffixes=SUFFIXES[fmt],
        vault=vault,
    )


def print_goal_sheet(
    vault: Vault,
    client_id: str,
    out: Path,
    *,
    fmt: str = "html",
    as_of: date,
    sections: Collection[str] = SECTIONS,
    agency_name: str = "",
    agency_contact: str = "",
    overwrite: bool = False,
) -> Printed:
    """Write the goal sheet of ``client_id`` to ``out`` and note it in the audit trail.

    The audit entry is added in memory (not in a read-only vault); the caller saves.
    """
    if fmt not in FORMATS:
        raise VaultError(f"{fmt[:20]!r} is not a format of the goal sheet; choose html or md.")
    check_destination(vault, out, overwrite=overwrite, what=WHAT, suffixes=SUFFIXES[fmt])
    sheet = goal_sheet_for(
        vault.repo,
        client_id,
        as_of=as_of,
        sections=sections,
        agency_name=agency_name,
        agency_contact=agency_contact,
    )
    write_printout(vault, out, render(sheet, fmt), fmt=fmt, overwrite=overwrite)
    entry = vault.repo.record_event(
        AuditAction.REPORT_RUN, detail=audit_detail(sheet, fmt), client_id=client_id
    )
    return Printed(sheet, out, entry is not None)
