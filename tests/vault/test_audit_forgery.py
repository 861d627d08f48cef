"""The audit trail cannot be forged quietly.

Entries brought in by ``casetui import`` stay marked as imported; the trail is a
hash chain, so an entry edited, removed, reordered or slipped in by hand shows up
in ``casetui check``; and a plain-text export is recorded, or refused.

In a vault folder (format 4) each device appends to a chain of its own, and a file
not made with the vault's journal secret is set aside. But every key holder can
read that secret (it travels in the snapshots, encrypted to the vault's keys), so
the forgeries here are written as a key holder could: a change of their own, made
with the secret, that every device applies. The chain must still tell.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from casetui.cli import main
from casetui.core.choices import AuditAction
from casetui.core.errors import SaveFailed
from casetui.core.history_records import AuditEntry
from casetui.core.record_tables import RECORD_BY_TABLE
from casetui.core.records import Client
from casetui.services.checkup import CheckReport, check_vault
from casetui.services.interchange import apply_import, plan_import
from casetui.vault import audit, keys
from casetui.vault.journal import change_files
from casetui.vault.journal.device_journal import Journal
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles, run_casetui, vault_document

MOMENTS = [datetime(2026, 11, day, 9, 30, tzinfo=UTC) for day in range(1, 6)]


# -- helpers -------------------------------------------------------------------------------


#: The device name a key holder's own program writes under.
KEY_HOLDER = "keyholder"


def _seal_escaped(doc: dict[str, Any], secret: str) -> bytes:
    """``change_files.seal``, but with every non-ASCII character written as an escape."""
    body = json.dumps(
        {**doc, "key": change_files.secret_id(secret)}, ensure_ascii=True, separators=(",", ":")
    ).encode("ascii")
    signed = body[:-1]
    mac = hmac.new(bytes.fromhex(secret), signed, hashlib.sha256).hexdigest()
    return signed + b',"mac":"' + mac.encode("ascii") + b'"}'


def _journal(files: VaultFiles) -> tuple[Journal, dict[str, Any], list[keys.RecipientEntry]]:
    keyring = keys.load_identity_file(files.identity_file)
    journal = Journal.open(files.vault, keyring, device=KEY_HOLDER)
    document = journal.document(["_meta", *RECORD_BY_TABLE])
    listed = [
        keys.RecipientEntry(r["name"], r["key"]) for r in document["_meta"]["1"]["recipients"]
    ]
    return journal, document, listed


def rewrite(
    files: VaultFiles, edit: Callable[[dict[str, Any]], None], *, ensure_ascii: bool = False
) -> Path:
    """Let ``edit`` change the vault's records (TinyDB's document), then write the change.

    This is what any key holder can do offline, without casetui: read the folder
    with their key, take the journal secret from a snapshot, and write a change
    file of their own with it, which every device applies. ``ensure_ascii``
    writes it with every non-ASCII character escaped, as some JSON tools do.
    Returns the change file.
    """
    journal, before, listed = _journal(files)
    after = copy.deepcopy(before)
    edit(after)
    with pytest.MonkeyPatch.context() as patch:
        if ensure_ascii:
            patch.setattr(change_files, "seal", _seal_escaped)
        commit = journal.commit(before, after, by="a key holder", recipients=listed)
    assert commit is not None, "the edit changed something"
    return commit.path


def store_the_trail_backwards(files: VaultFiles) -> Path:
    """Write the vault again as one snapshot (as a key holder could), its audit rows
    stored last entry first, in place of every file it replaces. Returns its audit part."""
    journal, _document, listed = _journal(files)
    rows = journal.state.tables["audit"]
    ordered = sorted(rows.items(), key=lambda item: audit.seq_of(item[1].values), reverse=True)
    journal.state.tables["audit"] = dict(ordered)
    journal.compact(listed, grace=0)
    (part,) = files.vault.glob(f"snapshots/{KEY_HOLDER}.*.audit.age")
    return part


def as_one_file(files: VaultFiles, edit: Callable[[dict[str, Any]], None]) -> None:
    """Put the vault back as one file (format 3), its records as ``edit`` leaves them.

    How a vault from before format 4 looks: read-only it is read as it is; opened
    for writing it is converted to a folder. Its audit rows are stored in the order
    they were added, as casetui wrote them then.
    """
    keyring = keys.load_identity_file(files.identity_file)
    with files.open(writable=False) as vault:
        generation = vault.generation
    document = vault_document(files.vault, keyring)
    document["audit"] = dict(in_order(document))
    meta = document["_meta"]["1"]
    meta.update(version=3, generation=generation)
    edit(document)
    listed = [keys.RecipientEntry(r["name"], r["key"]) for r in meta["recipients"]]
    shutil.rmtree(files.vault)
    files.vault.write_bytes(keys.encrypt(json.dumps(document).encode(), listed))
    files.vault.chmod(0o600)


def in_order(
    document: dict[str, Any], chain: str | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """The stored audit rows of one chain (the only one if not named), in the trail's order."""
    rows = document["audit"].items()
    if chain is None:
        chains = {audit.chain_of(row) for _rid, row in rows}
        if not chains:
            return []
        (chain,) = chains
    mine = [(rid, row) for rid, row in rows if audit.chain_of(row) == chain]
    return sorted(mine, key=lambda item: item[1].get("seq") or 0)


def five_entries(files: VaultFiles) -> str:
    """Five entries, saved; returns the chain they are in (this computer's device)."""
    with files.open() as vault:
        for number, at in enumerate(MOMENTS, start=1):
            vault.repo.audit.append(
                AuditEntry.create(
                    at=at, who="Robin Testwell", action=AuditAction.EXPORTED, detail=f"#{number}"
                )
            )
        vault.save()
        chain = vault.repo.audit_chain
    assert chain, "a vault folder's session appends to its device's chain"
    return chain


def broken(chain: str) -> str:
    """How ``casetui check`` starts the problem for a device's chain."""
    return f"The audit trail of device {chain} is broken at "


def check(files: VaultFiles) -> CheckReport:
    return check_vault(files.vault, identity_unlocker(files.identity_file))


def trail_problems(report: CheckReport) -> list[str]:
    return [p for p in report.problems if "audit" in p]


def ident(files: VaultFiles) -> tuple[str | Path, ...]:
    return ("--vault", files.vault, "--identity", files.identity_file)


# -- item 2: the chain ------------------------------------------------------------------------


def test_an_untouched_trail_checks_clean(vault_files: VaultFiles) -> None:
    five_entries(vault_files)
    report = check(vault_files)
    assert report.ok, report.problems
    assert not [w for w in report.warnings if "audit" in w]


def test_an_entry_whose_who_was_edited_offline_is_named_by_check(vault_files: VaultFiles) -> None:
    chain = five_entries(vault_files)
    edited: list[str] = []

    def edit(document: dict[str, Any]) -> None:
        record_id, row = in_order(document)[2]
        row["who"] = "Someone Else"
        edited.append(record_id)

    rewrite(vault_files, edit)
    report = check(vault_files)
    assert not report.ok
    (problem,) = trail_problems(report)
    assert problem.startswith(broken(chain) + "entry 4 of 5")
    assert f"entry 3 (2026-11-03T09:30:00Z, id {edited[0]})" in problem


def test_an_edited_time_on_the_last_entry_is_caught_too(vault_files: VaultFiles) -> None:
    five_entries(vault_files)
    rewrite(vault_files, lambda d: in_order(d)[-1][1].update(at="2025-01-01T00:00:00Z"))
    (problem,) = trail_problems(check(vault_files))
    assert "entry 5 of 5 (2025-01-01T00:00:00Z" in problem and "it was changed" in problem


@pytest.mark.parametrize("tamper", ["edit", "cut"])
def test_the_next_session_does_not_seal_a_change_at_the_end(
    vault_files: VaultFiles, tamper: str
) -> None:
    """Unlocking appends an entry at once: it must not chain on from a forged end."""
    chain = five_entries(vault_files)
    if tamper == "edit":
        rewrite(vault_files, lambda d: in_order(d)[-1][1].update(who="Someone Else"))
    else:
        rewrite(vault_files, lambda d: [d["audit"].pop(rid) for rid, _row in in_order(d)[3:]])
    with vault_files.open() as vault:
        assert vault.repo.audit_chain == chain  # this computer's chain goes on
        vault.repo.record_event(AuditAction.UNLOCKED)
        vault.save()
    (problem,) = trail_problems(check(vault_files))
    assert problem.startswith(broken(chain))
    if tamper == "edit":
        assert "does not follow from entry 5 (2026-11-05T09:30:00Z" in problem
    else:
        assert "the entry before it (after 2026-11-03T09:30:00Z) was removed" in problem


def test_an_entry_removed_from_the_middle_is_caught(vault_files: VaultFiles) -> None:
    five_entries(vault_files)
    rewrite(vault_files, lambda d: d["audit"].pop(in_order(d)[2][0]))
    (problem,) = trail_problems(check(vault_files))
    assert "entry 3 of 4 (2026-11-04T09:30:00Z" in problem
    assert "the entry before it (after 2026-11-02T09:30:00Z) was removed" in problem


def test_a_removal_with_the_places_renumbered_is_caught(vault_files: VaultFiles) -> None:
    five_entries(vault_files)

    def edit(document: dict[str, Any]) -> None:
        rows = in_order(document)
        del document["audit"][rows[2][0]]
        for _rid, row in rows[3:]:
            row["seq"] -= 1

    rewrite(vault_files, edit)
    (problem,) = trail_problems(check(vault_files))
    assert "entry 3 of 4 (2026-11-04T09:30:00Z" in problem and "does not follow" in problem


def test_reordered_entries_are_caught(vault_files: VaultFiles) -> None:
    chain = five_entries(vault_files)

    def swap(document: dict[str, Any]) -> None:
        rows = in_order(document)
        rows[1][1]["seq"], rows[2][1]["seq"] = rows[2][1].get("seq"), rows[1][1].get("seq")
        rows[1][1]["at"], rows[2][1]["at"] = rows[2][1]["at"], rows[1][1]["at"]

    rewrite(vault_files, swap)
    (problem,) = trail_problems(check(vault_files))
    assert problem.startswith(broken(chain) + "entry 2 of 5")


def test_the_stored_order_of_rows_is_not_the_trails_order(vault_files: VaultFiles) -> None:
    """The trail's order is its ``seq``: shuffling the JSON object changes nothing."""
    five_entries(vault_files)
    part = store_the_trail_backwards(vault_files)
    keyring = keys.load_identity_file(vault_files.identity_file)
    stored = json.loads(keys.decrypt(part.read_bytes(), keyring, part))["tables"]["audit"]
    assert [values["seq"] for _base, values, _extra in stored.values()] == [5, 4, 3, 2, 1]
    assert check(vault_files).ok
    with vault_files.open(writable=False) as vault:
        assert [e.detail for e in vault.repo.audit.all()] == ["#1", "#2", "#3", "#4", "#5"]
        assert [e.seq for e in vault.repo.audit.all()] == [1, 2, 3, 4, 5]


def test_an_entry_slipped_in_by_hand_is_caught(vault_files: VaultFiles) -> None:
    five_entries(vault_files)
    forged = AuditEntry.create(
        at=MOMENTS[0] - timedelta(days=30), who="Robin Testwell", action=AuditAction.UNLOCKED
    )
    rewrite(vault_files, lambda d: d["audit"].update({forged.id: forged.to_dict(with_id=False)}))
    report = check(vault_files)
    assert not report.ok
    (problem,) = trail_problems(report)
    assert (
        f"1 audit entry is outside the chain (the first 2026-10-02T09:30:00Z, id {forged.id})"
        in (problem)
    )


def test_a_trail_edited_and_rechained_offline_is_caught_by_this_computers_anchor(
    vault_files: VaultFiles,
) -> None:
    """Anyone with a key can rebuild the chain after an edit; this computer's anchor can't."""
    chain = five_entries(vault_files)

    def forge(document: dict[str, Any]) -> None:
        rows = in_order(document, chain)
        rows[1][1]["who"] = "Someone Else"
        meta = document["_meta"]["1"]
        rechained = audit.chained(rows, audit.chain_start(meta, chain), 1, chain)
        document["audit"].update(dict(rechained))
        last_id, last_row = rechained[-1]
        meta[audit.head_key(chain)] = {
            "seq": last_row["seq"],
            "hash": audit.link(last_id, last_row),
        }

    rewrite(vault_files, forge)
    report = check(vault_files)
    assert not report.ok
    assert any("not the one this computer saved last" in p for p in report.problems)
    # The chain itself is whole again: only the anchor tells.
    assert [p for p in report.problems if "broken" in p] == []


def test_casetui_check_fails_on_a_broken_trail(vault_files: VaultFiles, home: Path) -> None:
    chain = five_entries(vault_files)
    rewrite(vault_files, lambda d: in_order(d)[1][1].update(detail="nothing to see"))
    done = run_casetui("check", *ident(vault_files), home=home)
    assert done.returncode == 1
    assert broken(chain) + "entry 3 of 5" in done.stderr
    assert "entry 2 (2026-11-02T09:30:00Z" in done.stderr


def test_an_older_trail_is_chained_with_the_next_change_and_check_says_since_when(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    five_entries(vault_files)
    # As on a computer that never saw this trail chained (it remembers the last entry).
    monkeypatch.setenv("CASETUI_STATE_DIR", str(tmp_path / "another-computer"))

    def unchain(document: dict[str, Any]) -> None:
        """Make the vault look as casetui left it before the trail was chained."""
        for row in document["audit"].values():
            for key in ("seq", "prev", "chain", "imported_at", "imported_by", "imported_from"):
                row.pop(key, None)
        meta = document["_meta"]["1"]
        for key in [k for k in meta if k.startswith("audit_head")] + ["audit_chained"]:
            meta.pop(key, None)

    # A vault that old is one file (format 3); the next change converts it to a folder.
    as_one_file(vault_files, unchain)
    before = check(vault_files)
    assert before.ok, before.problems
    assert any("not chained yet" in w for w in before.warnings)

    with vault_files.open() as vault:
        chain = vault.repo.audit_chain
        vault.repo.record_event(AuditAction.REPORT_RUN, detail="after the upgrade")
        vault.save()
    assert vault_files.vault.is_dir()
    after = check(vault_files)
    assert after.ok, after.problems
    today = datetime.now(UTC).date().isoformat()
    assert (
        "The first 5 audit entries (up to 2026-11-05T09:30:00Z) were made before the trail "
        f"was chained on {today}, so a change made to them before then would not show."
    ) in after.warnings
    with vault_files.open(writable=False) as vault:
        # The five in the vault's first chain; the new one starts this device's own.
        assert [(e.chain, e.seq) for e in vault.repo.audit.all()] == [
            *(("", seq) for seq in range(1, 6)),
            (chain, 1),
        ]
        assert vault.repo.audit.all()[-1].detail == "after the upgrade"

    # From then on the older entries are covered like any other.
    rewrite(vault_files, lambda d: in_order(d, "")[0][1].update(who="Someone Else"))
    (problem,) = trail_problems(check(vault_files))
    assert problem.startswith("The audit trail is broken at entry 2 of 5")


def test_a_reimported_export_from_before_the_chain_adds_nothing(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries differing only in their place in a chain are the same entries."""
    five_entries(vault_files)
    # On a computer that only ever saw the vault as one file.
    monkeypatch.setenv("CASETUI_STATE_DIR", str(tmp_path / "another-computer"))

    def unchain(document: dict[str, Any]) -> None:
        for row in document["audit"].values():
            for key in ("seq", "prev", "chain"):
                row.pop(key, None)
        meta = document["_meta"]["1"]
        for key in [k for k in meta if k.startswith("audit_head")]:
            meta.pop(key)

    as_one_file(vault_files, unchain)  # a vault from before the chain (format 3)
    old = tmp_path / "old.json"
    with vault_files.open(writable=False) as vault:
        old.write_text(json.dumps(vault.records().to_interchange()))
        assert {e.seq for e in vault.repo.audit.all()} == {0}
    with vault_files.open() as vault:  # converted: the five chained
        vault.repo.record_event(AuditAction.UNLOCKED)
        assert [e.seq for e in vault.repo.audit.all()[:5]] == [1, 2, 3, 4, 5]
        plan = plan_import(vault, json.loads(old.read_text()), old.name)
        assert len(plan.new) == 0 and plan.kept["audit"] == 0 and plan.unchanged["audit"] == 5


# -- item 1: imported entries stay marked ---------------------------------------------------------


def _file_with_a_claimed_entry() -> tuple[dict[str, Any], str]:
    claimed = AuditEntry.create(
        at=datetime(2019, 3, 4, 5, 6, tzinfo=UTC),
        who="Robin Testwell",
        action=AuditAction.CREATED,
        table="clients",
        record_id="cl_claimed1",
        client_id="cl_claimed1",
        fields=("preferred_name",),
    ).to_dict()
    # It even claims an import of its own, and a place in a chain.
    claimed.update(
        imported_at="2019-03-05T00:00:00Z",
        imported_by="The Regional Office",
        imported_from="official.json",
        seq=1,
        prev="0" * 64,
    )
    return {"format": "casetui", "version": 3, "audit": [claimed]}, str(claimed["id"])


def test_imported_entries_say_when_by_whom_and_from_which_file(vault_files: VaultFiles) -> None:
    document, claimed_id = _file_with_a_claimed_entry()
    started = datetime.now(UTC).replace(microsecond=0)
    with vault_files.open() as vault:
        apply_import(vault, plan_import(vault, document, "other-vault.json"))
    with vault_files.open(writable=False) as vault:
        entry = vault.repo.audit.require(claimed_id)
    assert entry.at == datetime(2019, 3, 4, 5, 6, tzinfo=UTC)  # as the file claimed
    assert entry.imported_at is not None and entry.imported_at >= started
    assert (entry.imported_by, entry.imported_from) == ("Robin Testwell", "other-vault.json")
    assert entry.seq == 1 and entry.prev != "0" * 64  # a place in this vault's chain
    assert check(vault_files).ok


def test_casetui_audit_shows_imported_entries_as_imported(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    document, _claimed_id = _file_with_a_claimed_entry()
    source = tmp_path / "other-vault.json"
    source.write_text(json.dumps(document))
    done = run_casetui("import", source, *ident(vault_files), home=home)
    assert done.returncode == 0, done.stderr
    with vault_files.open() as vault:
        vault.repo.clients.add(
            Client.create(
                preferred_name="Ada",
                intake_date=MOMENTS[0].date(),
                case_manager_id=vault.owner_staff_id,
            )
        )
        vault.save()
    shown = run_casetui("audit", *ident(vault_files), home=home)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    today = datetime.now().date().isoformat()
    assert lines[0].startswith("2019-03-04 ")
    assert (
        f"  Robin Testwell  [imported from other-vault.json by Robin Testwell on {today}] "
        "added a client  [client cl_claimed1]"
    ) in lines[0]
    local = [line for line in lines if "added a client" in line and "cl_claimed1" not in line]
    assert local and "[imported" not in local[0]


def test_the_audit_screen_rows_mark_imported_entries() -> None:
    from casetui.ui.panes.history import audit_row

    local = AuditEntry.create(at=MOMENTS[0], who="Robin", action=AuditAction.UNLOCKED)
    imported = AuditEntry.create(
        at=MOMENTS[0],
        who="Robin",
        action=AuditAction.UNLOCKED,
        imported_at=MOMENTS[1],
        imported_by="Sam Okafor",
        imported_from="handover.json",
    )
    assert audit_row(local).cells[2] == "unlocked"
    when = MOMENTS[1].astimezone().date().isoformat()
    assert audit_row(imported).cells[2] == (
        f"[imported from handover.json by Sam Okafor on {when}] unlocked"
    )


def test_stripping_the_import_marks_offline_is_caught(vault_files: VaultFiles) -> None:
    document, claimed_id = _file_with_a_claimed_entry()
    with vault_files.open() as vault:
        apply_import(vault, plan_import(vault, document, "other-vault.json"))

    def strip(document: dict[str, Any]) -> None:
        row = document["audit"][claimed_id]
        row.update(imported_at=None, imported_by="", imported_from="")

    rewrite(vault_files, strip)
    (problem,) = trail_problems(check(vault_files))
    assert f"id {claimed_id}" in problem


def test_import_marks_must_come_together() -> None:
    from casetui.core.errors import ValidationError

    with pytest.raises(ValidationError, match="imported_at"):
        AuditEntry.create(
            at=MOMENTS[0], who="Robin", action=AuditAction.UNLOCKED, imported_by="Sam"
        )


# -- item 3: a plain-text export is recorded, or refused ----------------------------------------


@pytest.mark.parametrize("csv", [False, True], ids=["json", "csv"])
def test_a_plain_text_export_while_the_vault_is_open_elsewhere_is_refused(
    vault_files: VaultFiles, home: Path, csv: bool
) -> None:
    out = home / ("caseload.csv" if csv else "export.json")
    extra = ("--format", "csv") if csv else ()
    with vault_files.open():  # holds the writer lock, as the app does
        done = run_casetui(
            "export", *ident(vault_files), "--out", out, "--plaintext", *extra, home=home
        )
    assert done.returncode == 3
    assert done.stderr.strip().splitlines() == [
        "casetui: The vault is open in another casetui; close casetui elsewhere first, so "
        "this plain-text export can be recorded."
    ]
    assert not out.exists()


def test_a_plain_text_export_that_cannot_be_recorded_is_deleted(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Vault, *, force: bool = False) -> None:
        raise SaveFailed("The disk is full.")

    monkeypatch.setattr(Vault, "save", refuse)
    out = tmp_path / "export.json"
    code = main(["export", *map(str, ident(vault_files)), "--out", str(out), "--plaintext"])
    assert code == 1
    assert not out.exists()
