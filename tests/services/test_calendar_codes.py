"""Calendar codes: a neutral code, made at random and kept, labels a client by default.

Initials identify people in a small community, so the calendar shows them only
when asked for (``--with-initials``).
"""

from __future__ import annotations

import dataclasses
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


def test_a_client_added_through_the_vault_is_given_a_neutral_code_at_once(
    vault_files: VaultFiles,
) -> None:
    from casetui.core.labels import neutral_label

    with vault_files.open() as vault:
        owner = vault.owner_staff_id
        assert owner is not None
        added = []
        for name in NAMES:
            client = Client.create(
                preferred_name=name, intake_date=date.today(), case_manager_id=owner
            )
            assert client.calendar_code == ""
            kept = vault.repo.clients.add(client)
            assert kept.calendar_code == vault.repo.clients.require(client.id).calendar_code
            added.append(kept)
        chosen = Client.create(
            preferred_name="Rosa Quintana",
            intake_date=date.today(),
            case_manager_id=owner,
            calendar_code="K-17",
        )
        vault.repo.clients.add(chosen)
        assert vault.repo.clients.require(chosen.id).calendar_code == "K-17"  # their choice
    codes = [client.calendar_code for client in added]
    for client in added:
        code = client.calendar_code
        assert CODE.match(code), code
        own = initials(client.preferred_name)
        assert code != own and code[:2] != own.replace(".", "")[:2]
    assert len(set(codes)) == len(codes)
    # The first, added to a vault with no codes yet, has the code shown for it before.
    first = added[0]
    assert first.calendar_code == neutral_label(first.preferred_name, "", first.id)


def test_the_code_shown_before_the_first_export_is_the_one_it_keeps(
    vault_files: VaultFiles,
) -> None:
    from casetui.core.labels import neutral_label
    from casetui.services.calendar_feed import give_calendar_codes

    with vault_files.open() as vault:
        owner = vault.owner_staff_id
        assert owner is not None
        # An imported client (import writes rows as they are) may have no code yet.
        client = Client.create(
            preferred_name=NAMES[0], intake_date=date.today(), case_manager_id=owner
        )
        vault.repo.clients.add_many([client])
        assert vault.repo.clients.require(client.id).calendar_code == ""
        shown = neutral_label(client.preferred_name, "", client.id)
        (given,) = give_calendar_codes(vault.repo, [client])
        assert given.calendar_code == shown
        assert vault.repo.clients.require(client.id).calendar_code == shown


def test_the_accreditation_report_shows_codes_never_initials(
    home: Path, sample_files: VaultFiles
) -> None:
    from casetui.core.labels import neutral_label

    with sample_files.open() as vault:  # none with a stored code, whatever the sample holds
        clients = [dataclasses.replace(c, calendar_code="") for c in vault.repo.clients]
        vault.repo.put_all(clients)
        vault.save()
    result = run_casetui("report", "accreditation", *_ident(sample_files), home=home)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    labels = [neutral_label(c.preferred_name, c.calendar_code, c.id) for c in clients]
    assert any(label in text for label in labels), text[:2000]
    for client in clients:
        own = initials(client.preferred_name)
        if own.count(".") >= 2:  # one letter and a dot turns up in ordinary words
            assert own not in text, own
        assert client.preferred_name not in text
