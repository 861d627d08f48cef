"""Restoring, checking and removing, on a vault that is a folder (format 4).

A restore is written forward as a new change; ``casetui check`` reports the
folder's files set aside, fields with two versions and devices gone quiet;
removing or erasing a client takes every record linked to them, and an erasure
leaves none of their words in any file of the folder. Every name and note is
made up for these tests.
"""

from __future__ import annotations

import dataclasses
import functools
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from casetui.core.choices import AuditAction, CaseEventKind, ClientStatus, ClosureReason
from casetui.core.errors import VaultError
from casetui.core.history_records import CaseEvent
from casetui.core.records import Goal, Partner
from casetui.services.checkup import check_vault
from casetui.services.removal import (
    closed_before,
    find_client,
    plan_removal,
    remove_client,
)
from casetui.services.restoring import read_backup, restore_records
from casetui.vault import keys
from casetui.vault.audit import check_chain
from casetui.vault.backups import Backups
from casetui.vault.journal import hlc
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles, run_casetui, vault_document
from tests.vault import laptops
from tests.vault.laptops import edit_client

DAY_NS = 24 * 3600 * 10**9
INTAKE = date(2026, 2, 9)


def keyring_of(files: VaultFiles) -> keys.Keyring:
    return keys.load_identity_file(files.identity_file)


def records(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every table but the meta row and the audit trail."""
    return {t: rows for t, rows in document.items() if t not in ("_meta", "audit")}


def linked(document: dict[str, Any], client_id: str) -> set[tuple[str, str]]:
    """Every record of one client, found in the document itself: the client and their rows."""
    found = {("clients", client_id)}
    for table, rows in records(document).items():
        found |= {(table, rid) for rid, row in rows.items() if row.get("client_id") == client_id}
    return found


def without(document: dict[str, Any], gone: set[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    return {
        table: {rid: row for rid, row in rows.items() if (table, rid) not in gone}
        for table, rows in records(document).items()
    }


def one_sentence(text: str) -> None:
    assert text.endswith("."), text
    assert ". " not in text[:-1], text
    assert "\n" not in text, text
    assert "Traceback" not in text, text


@contextmanager
def session(
    files: VaultFiles,
    monkeypatch: pytest.MonkeyPatch,
    state: Path | None = None,
    *,
    writable: bool = True,
) -> Iterator[Vault]:
    """A session on ``files``, as the computer whose state folder is ``state``."""
    if state is not None:
        state.mkdir(mode=0o700, exist_ok=True)
        monkeypatch.setenv("CASETUI_STATE_DIR", str(state))
    with Vault.open(files.vault, identity_unlocker(files.identity_file), writable=writable) as v:
        yield v


add_client = functools.partial(laptops.add_client, intake=INTAKE)


# -- restore -----------------------------------------------------------------------------

CHANGED_CLIENT = "cl_sample001"
CHANGED_MEETING = "mt_sample00001"
REMOVED_CLIENT = "cl_sample034"


def change_since_backup(files: VaultFiles) -> dict[str, Any]:
    """Edit two records, add a client with a goal, remove a client; save. Returns the backup.

    The save keeps the vault as it was opened as a backup first: that is the one
    to go back to.
    """
    with files.open() as vault:
        edit_client(vault, CHANGED_CLIENT, pronouns="xe/xem", language="Tagalog")
        meeting = vault.repo.meetings.require(CHANGED_MEETING)
        vault.repo.meetings.put(dataclasses.replace(meeting, summary="Rewritten afterwards."))
        add_client(vault, "cl_added0001", "Rue Haverford")
        vault.repo.goals.add(Goal(id="go_added0001", client_id="cl_added0001", text="A lease."))
        remove_client(vault, plan_removal(vault.repo, REMOVED_CLIENT), erase=False)
        result = vault.save()
        assert result is not None and result.backup is not None
        backup = result.backup
    assert [b.path for b in Backups(files.vault).newest_first()] == [backup]  # "restore 1"
    return {"path": backup, "document": vault_document(backup, keyring_of(files))}


def assert_restored(
    files: VaultFiles, backup: dict[str, Any], trail_before: dict[str, Any]
) -> None:
    document = vault_document(files.vault, keyring_of(files))
    gone = linked(backup["document"], REMOVED_CLIENT)
    assert len(gone) > 20
    # Every record as the backup holds it, except those removed since: they stay removed.
    assert records(document) == without(backup["document"], gone)
    assert "cl_added0001" not in document["clients"]
    assert "go_added0001" not in document["goals"]
    # The trail only grows: every entry from before is there, as it was.
    for entry_id, row in trail_before.items():
        assert document["audit"][entry_id] == row
    assert len(document["audit"]) > len(trail_before)
    assert check_chain(document["audit"], document["_meta"]["1"]).problems == []


def test_restore_records_goes_back_forward(
    sample_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = change_since_backup(sample_files)
    trail_before = vault_document(sample_files.vault, keyring_of(sample_files))["audit"]
    stay_gone = len(linked(backup["document"], REMOVED_CLIENT))
    with session(sample_files, monkeypatch) as vault:
        document = read_backup(vault, backup["path"])
        outcome = restore_records(vault, document)
        assert (outcome.changed, outcome.removed, outcome.stay_gone) == (2, 2, stay_gone)
        assert vault.repo.clients.require(CHANGED_CLIENT).pronouns != "xe/xem"
        assert vault.save() is not None
    assert_restored(sample_files, backup, trail_before)
    with session(sample_files, monkeypatch) as vault:  # and nothing is left to do again
        outcome = restore_records(vault, read_backup(vault, backup["path"]))
        assert (outcome.changed, outcome.removed, outcome.stay_gone) == (0, 0, stay_gone)
        assert not vault.dirty


def test_the_restore_command_records_it_and_says_what_stays_removed(
    sample_files: VaultFiles, home: Path
) -> None:
    backup = change_since_backup(sample_files)
    before_restore = vault_document(sample_files.vault, keyring_of(sample_files))
    stay_gone = len(linked(backup["document"], REMOVED_CLIENT))
    args = ("--vault", sample_files.vault, "--identity", sample_files.identity_file)
    done = run_casetui("restore", "1", "--yes", *args, home=home)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert f"Restored the backup {backup['path'].name}" in done.stdout
    assert done.stderr.strip() == (
        f"{stay_gone} records in the backup were removed or erased since, and stay so."
    )
    assert_restored(sample_files, backup, before_restore["audit"])
    document = vault_document(sample_files.vault, keyring_of(sample_files))
    restored = [
        row for row in document["audit"].values() if row["action"] == AuditAction.RESTORED.value
    ]
    assert len(restored) == 1
    assert restored[0]["detail"].startswith("the backup taken ")
    # The vault as it was before the restore is kept, pinned.
    kept = [p for p in backup["path"].parent.iterdir() if p.name.endswith("-before-restore.age")]
    assert len(kept) == 1
    assert records(vault_document(kept[0], keyring_of(sample_files))) == records(before_restore)


def test_a_restore_undoes_links_to_records_added_since(sample_files: VaultFiles) -> None:
    """A referral pointed at a partner and a goal added since: the restore takes all three back."""
    with sample_files.open() as vault:
        referral = next(iter(vault.repo.referrals))
        vault.repo.partners.add(Partner(id="pa_added0001", name="Harbourside Legal Clinic"))
        vault.repo.goals.add(
            Goal(id="go_added0002", client_id=referral.client_id, text="See a lawyer.")
        )
        vault.repo.referrals.put(
            dataclasses.replace(referral, partner_id="pa_added0001", goal_id="go_added0002")
        )
        saved = vault.save()
        assert saved is not None and saved.backup is not None
    with sample_files.open() as vault:
        outcome = restore_records(vault, read_backup(vault, saved.backup))
        assert (outcome.changed, outcome.removed, outcome.stay_gone) == (1, 2, 0)
        assert vault.repo.referrals.require(referral.id) == referral
        assert "pa_added0001" not in vault.repo.partners
        assert "go_added0002" not in vault.repo.goals
        vault.save()
    document = vault_document(sample_files.vault, keyring_of(sample_files))
    assert records(document) == records(vault_document(saved.backup, keyring_of(sample_files)))


# -- casetui check on a folder ---------------------------------------------------------


@pytest.fixture
def two_laptops(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[VaultFiles, VaultFiles]:
    """Laptop A's vault folder (holding Ines) and a copy on laptop B, both opened once."""
    with session(vault_files, monkeypatch, tmp_path / "state-a") as vault:
        add_client(vault, "cl_ines0001", "Ines Harrowgate")
        vault.save()
    folder = tmp_path / "laptop-b"
    folder.mkdir(mode=0o700)
    shutil.copytree(vault_files.vault, folder / vault_files.vault.name)
    b = VaultFiles(folder / vault_files.vault.name, vault_files.identity_file)
    with session(b, monkeypatch, tmp_path / "state-b"):
        pass
    return vault_files, b


def changes_of(files: VaultFiles) -> list[Path]:
    return sorted((files.vault / "changes").iterdir())


def check_as(
    files: VaultFiles, monkeypatch: pytest.MonkeyPatch, state: Path
) -> tuple[list[str], list[str]]:
    monkeypatch.setenv("CASETUI_STATE_DIR", str(state))
    report = check_vault(files.vault, identity_unlocker(files.identity_file))
    return report.problems, report.warnings


def test_check_names_a_change_file_that_arrived_damaged(
    two_laptops: tuple[VaultFiles, VaultFiles], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_laptops
    mine = set(changes_of(a))
    with session(b, monkeypatch, tmp_path / "state-b") as vault:
        edit_client(vault, "cl_ines0001", pronouns="she/her")
        vault.save()
    (theirs,) = [p for p in changes_of(b) if a.vault / "changes" / p.name not in mine]
    data = theirs.read_bytes()
    arrived = a.vault / "changes" / theirs.name
    arrived.write_bytes(data[: len(data) // 2])  # the sync was cut short
    arrived.chmod(0o600)

    problems, warnings = check_as(a, monkeypatch, tmp_path / "state-a")
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"changes/{theirs.name} "), problems
    assert "damaged" in problems[0]
    one_sentence(problems[0])
    assert not [w for w in warnings if theirs.name in w]


def test_check_warns_of_a_change_waiting_for_an_earlier_one(
    two_laptops: tuple[VaultFiles, VaultFiles], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_laptops
    mine = set(changes_of(a))
    with session(b, monkeypatch, tmp_path / "state-b") as vault:
        edit_client(vault, "cl_ines0001", pronouns="she/her")
        vault.save()
        edit_client(vault, "cl_ines0001", language="Basque")
        vault.save()
    first, second = [p for p in changes_of(b) if a.vault / "changes" / p.name not in mine]
    shutil.copy2(second, a.vault / "changes" / second.name)  # the second arrived first

    problems, warnings = check_as(a, monkeypatch, tmp_path / "state-a")
    assert problems == []
    waiting = [w for w in warnings if second.name in w]
    assert len(waiting) == 1, warnings
    assert "waits for earlier changes" in waiting[0]
    one_sentence(waiting[0])
    assert not [w for w in warnings if first.name in w]

    shutil.copy2(first, a.vault / "changes" / first.name)  # and then the first
    problems, warnings = check_as(a, monkeypatch, tmp_path / "state-a")
    assert problems == []
    assert not [w for w in warnings if "waits" in w], warnings


def test_check_gives_one_warning_for_every_field_with_two_versions(
    two_laptops: tuple[VaultFiles, VaultFiles], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_laptops
    with session(a, monkeypatch, tmp_path / "state-a") as vault:
        edit_client(vault, "cl_ines0001", pronouns="she/her", language="Catalan")
        vault.save()
    with session(b, monkeypatch, tmp_path / "state-b") as vault:
        edit_client(vault, "cl_ines0001", pronouns="she/they", language="Galician")
        vault.save()
    for path in changes_of(b):
        if not (a.vault / "changes" / path.name).exists():
            shutil.copy2(path, a.vault / "changes" / path.name)

    problems, warnings = check_as(a, monkeypatch, tmp_path / "state-a")
    assert problems == []
    versions = [w for w in warnings if "two devices at once" in w]
    assert len(versions) == 1, warnings
    assert versions[0].startswith("2 fields changed on two devices at once")
    assert "a client's pronouns" in versions[0]
    assert "a client's language" in versions[0]
    one_sentence(versions[0])


@contextmanager
def clock_set_back(monkeypatch: pytest.MonkeyPatch, days: int) -> Iterator[None]:
    """This computer's clock ``days`` behind, for the changes it stamps meanwhile."""

    class Behind:
        @staticmethod
        def time_ns() -> int:
            import time

            return time.time_ns() - days * DAY_NS

    with monkeypatch.context() as patch:
        patch.setattr(hlc, "time", Behind)
        yield


def test_check_names_a_device_not_heard_from_for_31_days(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        clock_set_back(monkeypatch, 31),
        session(vault_files, monkeypatch, tmp_path / "state-a") as vault,
    ):
        add_client(vault, "cl_quiet001", "Ottilie Brackwater")
        vault.save()
        quiet = vault.repo.audit_chain
    with (
        clock_set_back(monkeypatch, 29),
        session(vault_files, monkeypatch, tmp_path / "state-b") as vault,
    ):
        edit_client(vault, "cl_quiet001", pronouns="she/her")
        vault.save()
        recent = vault.repo.audit_chain
    assert quiet != recent

    problems, warnings = check_as(vault_files, monkeypatch, tmp_path / "state-b")
    assert problems == []
    silent = [w for w in warnings if w.startswith("Nothing has been saved")]
    assert len(silent) == 1, warnings
    assert f"on device {quiet} " in silent[0]
    assert "'Robin Testwell'" in silent[0]
    assert "(31 days)" in silent[0]
    assert recent not in silent[0]


# -- removing and erasing a client ---------------------------------------------------------


def test_plan_removal_lists_every_record_linked_to_the_client(sample_files: VaultFiles) -> None:
    document = vault_document(sample_files.vault, keyring_of(sample_files))
    client_id = "cl_sample013"
    expected = linked(document, client_id)
    with sample_files.open(writable=False) as vault:
        plan = plan_removal(vault.repo, client_id)
    assert plan.records[-1] == ("clients", client_id)
    assert len(plan.records) == len(set(plan.records))
    assert set(plan.records) == expected
    counted = {t: n for t, n in plan.counts.items() if n}
    assert counted == {
        t: sum(1 for table, _rid in expected if table == t)
        for t in {table for table, _rid in expected if table != "clients"}
    }
    for kind in ("goals", "needs", "meetings", "referrals", "consents", "case_events"):
        assert counted[kind] > 0, kind
    assert plan.preferred_name == "Rosa Quillfeather"
    assert "5 goals" in plan.describe()


CANARY = "Quillonwick-Zephyrine-8842"


def test_an_erased_client_leaves_nothing_in_any_file_of_the_folder(
    sample_files: VaultFiles,
) -> None:
    keyring = keyring_of(sample_files)
    client_id = "cl_sample007"
    with sample_files.open() as vault:
        edit_client(vault, client_id, preferred_name=f"Aroha {CANARY}")
        meeting_id = vault.repo.meetings.child_ids(client_id)[0]
        meeting = vault.repo.meetings.require(meeting_id)
        vault.repo.meetings.put(
            dataclasses.replace(meeting, summary=f"Talked with {CANARY} about the move.")
        )
        vault.save()
    before = vault_document(sample_files.vault, keyring)
    gone = linked(before, client_id)
    assert any(
        CANARY.encode() in keys.decrypt(p.read_bytes(), keyring, p)
        for p in (sample_files.vault / "changes").iterdir()
    )

    with sample_files.open() as vault:
        plan = plan_removal(vault.repo, client_id)
        assert set(plan.records) == gone
        assert remove_client(vault, plan, erase=True) == len(gone)
        vault.save()

    files = [p for p in sample_files.vault.rglob("*") if p.is_file()]
    assert files
    for path in files:
        plain = keys.decrypt(path.read_bytes(), keyring, path)
        assert CANARY.encode() not in plain, path
        assert b"Aroha" not in plain, path
    after = vault_document(sample_files.vault, keyring)
    assert not linked(after, client_id) - {("clients", client_id)}
    assert client_id not in after["clients"]
    assert records(after) == without(before, gone)  # everyone else's records as they were
    assert check_chain(after["audit"], after["_meta"]["1"]).problems == []


def test_closed_before_lists_cases_whose_last_closing_is_before_the_date(
    sample_files: VaultFiles,
) -> None:
    with sample_files.open() as vault:
        # Closed in May, reopened, closed again in September: not closed before August.
        add_client(vault, "cl_twice0001", "Hester Mossgiel", status=ClientStatus.CLOSED)
        for event_id, kind, on in (
            ("ce_twice0001", CaseEventKind.CLOSED, date(2026, 5, 1)),
            ("ce_twice0002", CaseEventKind.REOPENED, date(2026, 6, 1)),
            ("ce_twice0003", CaseEventKind.CLOSED, date(2026, 9, 1)),
        ):
            closing = kind is CaseEventKind.CLOSED
            vault.repo.case_events.add(
                CaseEvent(
                    id=event_id,
                    client_id="cl_twice0001",
                    kind=kind,
                    on=on,
                    reason=ClosureReason.NEEDS_MET if closing else None,
                    safety_plan_reviewed=closing,
                    knows_can_return=closing,
                    note="Made up for this test.",
                )
            )
        # Marked closed, but no closing was ever recorded: nothing to count from.
        add_client(vault, "cl_noevent01", "Wren Tallowby", status=ClientStatus.CLOSED)
        found = closed_before(vault.repo, date(2026, 8, 1))
        assert [(c.id, on) for c, on in found] == [
            ("cl_sample033", date(2026, 6, 23)),
            ("cl_sample031", date(2026, 7, 14)),
        ]
        later = closed_before(vault.repo, date(2026, 12, 31))
        assert [c.id for c, _on in later] == [
            "cl_sample033",
            "cl_sample031",
            "cl_sample032",
            "cl_twice0001",
            "cl_sample034",
        ]
        # Closed on the day itself is not before it.
        assert [c.id for c, _ in closed_before(vault.repo, date(2026, 6, 23))] == []


def test_find_client_by_a_name_only_one_client_has(sample_files: VaultFiles) -> None:
    with sample_files.open() as vault:
        assert find_client(vault.repo, "cl_sample005").preferred_name == "Fatima Cedarholt"
        assert find_client(vault.repo, "  amara BLUEFINCH ").id == "cl_sample001"
        add_client(vault, "cl_twin00001", "Jordan Ashby")
        add_client(vault, "cl_twin00002", "jordan ashby")
        with pytest.raises(VaultError) as ambiguous:
            find_client(vault.repo, "Jordan Ashby")
        message = str(ambiguous.value)
        assert message.startswith("2 clients are called 'Jordan Ashby'")
        one_sentence(message)
        with pytest.raises(VaultError) as missing:
            find_client(vault.repo, "Nobody Byname")
        assert "Nobody Byname" in str(missing.value)
        one_sentence(str(missing.value))
        with pytest.raises(VaultError):
            find_client(vault.repo, "")
