"""Calendar codes: a neutral code, made at random and kept, labels a client by default.

Initials identify people in a small community, so the calendar shows them only
when asked for (``--with-initials``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import icalendar

from casetui.core.labels import initials
from casetui.core.records import Client
from tests.conftest import VaultFiles, run_casetui

NAMES = ("Zephyrine Quorra", "Ximena Vask", "Wendell Juniper")
CODE = re.compile(r"^[A-Z]{2}-[0-9]{2}$")


def _ident(files: VaultFiles) -> list[str]:
    return ["--vault", str(files.vault), "--identity", str(files.identity_file)]


def _plant(files: VaultFiles) -> list[str]:
    """Three clients of the vault's owner, none with a calendar code, each due a check-in."""
    today = date.today()
    with files.open() as vault:
        owner = vault.owner_staff_id
        assert owner is not None
        ids = []
        for name in NAMES:
            client = Client.create(
                preferred_name=name, intake_date=today - timedelta(days=3), case_manager_id=owner
            )
            vault.repo.clients.add(client)
            ids.append(client.id)
        vault.save()
    return ids


def _codes(files: VaultFiles, ids: list[str]) -> dict[str, str]:
    with files.open(writable=False) as vault:
        return {cid: vault.repo.clients.require(cid).calendar_code for cid in ids}


def _export(files: VaultFiles, home: Path, out: Path, *extra: str) -> list[str]:
    result = run_casetui("calendar", "--out", out, *extra, *_ident(files), home=home)
    assert result.returncode == 0, result.stderr
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    return sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))


def test_a_new_code_is_neutral_not_initials_and_not_taken() -> None:
    from casetui.core.labels import new_calendar_code

    taken = {"KT-48", "AB-23"}
    for name in (*NAMES, "Ana-Lucía O'Neill", "", "K T"):
        own = initials(name).replace(".", "")
        for _ in range(200):
            code = new_calendar_code(name, taken)
            assert CODE.match(code), code
            assert code[:2] != own[:2] and code[0] != own[0], (name, code)
            assert code not in taken
    # A code made from a client's id is the same every time.
    assert new_calendar_code("Rosa Quintana", seed="cl_0123456789") == new_calendar_code(
        "Rosa Quintana", seed="cl_0123456789"
    )


def test_the_calendar_shows_a_kept_random_code_never_initials_or_names(
    home: Path, vault_files: VaultFiles, tmp_path: Path
) -> None:
    ids = _plant(vault_files)
    first = _export(vault_files, home, tmp_path / "one.ics")
    codes = _codes(vault_files, ids)
    # Each client was given a code, kept on their record: neutral, unique, not initials.
    assert all(CODE.match(code) for code in codes.values()), codes
    assert len(set(codes.values())) == len(ids)
    assert first == sorted(f"Check-in due: {code}" for code in codes.values())
    text = (tmp_path / "one.ics").read_text(encoding="utf-8")
    for name in NAMES:
        assert initials(name) not in text
        for part in name.split():
            assert part.lower() not in text.lower()
    # Every later export shows the same codes, and the records keep them.
    second = _export(vault_files, home, tmp_path / "two.ics")
    assert second == first
    assert _codes(vault_files, ids) == codes


def test_initials_only_when_asked_for(home: Path, vault_files: VaultFiles, tmp_path: Path) -> None:
    _plant(vault_files)
    summaries = _export(vault_files, home, tmp_path / "initials.ics", "--with-initials")
    assert summaries == sorted(f"Check-in due: {initials(name)}" for name in NAMES)


def test_the_app_dialog_offers_initials_but_names_win() -> None:
    from casetui.ui.calendar_export import build_request, calendar_fields

    assert "with_initials" in [field.name for field in calendar_fields()]
    values = {"out": "week.ics", "weeks": 4, "with_names": False, "with_initials": True}
    request = build_request(values, served=True)
    assert request.with_initials and not request.with_names
    named = build_request({**values, "with_names": True}, served=True)
    assert named.with_names and not named.with_initials
