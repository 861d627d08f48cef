"""``casetui calendar``: gather one case manager's records and write an .ics file.

The calendar itself is built by :func:`casetui.core.ical.build_calendar`; this
module reads the records it needs from an open vault, finds the computer's time
zone and writes the file privately (0600, atomically).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from casetui.core.choices import CASELOAD_STATUSES
from casetui.core.errors import VaultError
from casetui.core.ical import DEFAULT_WEEKS, CalendarFile, build_calendar
from casetui.core.labels import new_calendar_code
from casetui.core.records import Client, Meeting
from casetui.vault.destinations import check_destination, write_user_file
from casetui.vault.repository import Repository
from casetui.vault.vault import Vault

LOCALTIME = Path("/etc/localtime")
TIMEZONE_FILE = Path("/etc/timezone")
_ZONEINFO_MARK = "zoneinfo/"
#: The ending a calendar file must have, so calendar apps recognise it.
SUFFIX = ".ics"
WHAT = "the calendar"


def _zone_named(name: str) -> ZoneInfo | None:
    """The zone for an IANA name, or for a path inside a zoneinfo folder; None if unknown."""
    name = name.strip().removeprefix(":")
    if _ZONEINFO_MARK in name:
        name = name.rsplit(_ZONEINFO_MARK, 1)[1]
    if not name or name.startswith("/") or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def local_zone(environ: Mapping[str, str] | None = None) -> ZoneInfo | None:
    """The computer's IANA time zone: $TZ, /etc/localtime's link, /etc/timezone; else None.

    None means UTC (the calendar then writes UTC times).
    """
    env = os.environ if environ is None else environ
    tz = env.get("TZ")
    if tz:
        zone = _zone_named(tz)
        if zone is not None:
            return zone
    try:
        if LOCALTIME.is_symlink():
            zone = _zone_named(str(LOCALTIME.resolve()))
            if zone is not None:
                return zone
        if TIMEZONE_FILE.is_file():
            return _zone_named(TIMEZONE_FILE.read_text(encoding="utf-8")[:200])
    except OSError:
        return None
    return None


def give_calendar_codes(repo: Repository, clients: list[Client]) -> list[Client]:
    """``clients``, each with a calendar code: a new, random one kept for any without.

    The code is drawn from the client's id (itself random), so a vault open
    read-only, which cannot keep it, shows the same code on every export too; it
    is never the client's initials and is unique in the vault. It is stored on the
    client, so later exports (and screen sharing) show it whatever else changes.
    """
    if all(c.calendar_code.strip() for c in clients):
        return clients
    with repo.mutex:
        taken = {str(raw.get("calendar_code", "")) for raw in repo.clients.raw().values()}
        given: list[Client] = []
        for client in clients:
            if client.calendar_code.strip():
                given.append(client)
                continue
            code = new_calendar_code(client.preferred_name, taken, seed=client.id)
            taken.add(code)
            coded = dataclasses.replace(client, calendar_code=code)
            if repo.writable:
                repo.clients.put(coded)
            given.append(coded)
    return given


def calendar_for(
    repo: Repository,
    staff_id: str,
    as_of: date,
    *,
    zone: ZoneInfo | None,
    weeks: int = DEFAULT_WEEKS,
    with_names: bool = False,
    with_initials: bool = False,
    stamp: datetime | None = None,
) -> CalendarFile:
    """The calendar of one case manager's time blocks, clients' meetings and check-ins."""
    repo.staff.require(staff_id)
    with repo.mutex:
        blocks = repo.admin_blocks.for_parent(staff_id)
        wanted = {s.value for s in CASELOAD_STATUSES}
        clients = [
            repo.clients.build(cid, raw)
            for cid, raw in repo.clients.raw_children(staff_id)
            if raw.get("status") in wanted
        ]
        if not (with_names or with_initials):
            clients = give_calendar_codes(repo, clients)
        day = as_of.isoformat()
        meetings: list[Meeting] = []
        for client in clients:
            meetings += [
                repo.meetings.build(mid, raw)
                for mid, raw in repo.meetings.raw_children(client.id)
                if str(raw.get("on", "")) >= day
            ]
        contacts = {c.id: repo.summary(c.id, as_of).contact for c in clients}
    return build_calendar(
        blocks=blocks,
        clients=clients,
        meetings=meetings,
        contacts=contacts,
        as_of=as_of,
        zone=zone,
        stamp=stamp or datetime.now(UTC),
        weeks=weeks,
        with_names=with_names,
        with_initials=with_initials,
    )


def write_calendar(
    vault: Vault,
    out: Path,
    *,
    staff_id: str | None,
    as_of: date,
    zone: ZoneInfo | None,
    weeks: int = DEFAULT_WEEKS,
    with_names: bool = False,
    with_initials: bool = False,
    overwrite: bool = False,
) -> CalendarFile:
    """Write the calendar of ``staff_id`` (default: the vault's owner) to ``out`` as 0600."""
    check_destination(vault, out, overwrite=overwrite, what=WHAT, suffixes=(SUFFIX,))
    chosen = staff_id or vault.owner_staff_id
    if chosen is None:
        raise VaultError("This vault has no case manager of its own; name one with --staff ID.")
    calendar = calendar_for(
        vault.repo,
        chosen,
        as_of,
        zone=zone,
        weeks=weeks,
        with_names=with_names,
        with_initials=with_initials,
    )
    write_user_file(
        out, calendar.to_bytes(), overwrite=overwrite, what=WHAT, suffixes=(SUFFIX,), vault=vault
    )
    return calendar
