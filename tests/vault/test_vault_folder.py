"""The vault as a folder (format 4), through the Vault API.

Converting a one-file vault (and finishing a conversion that was stopped), two
laptops sharing one vault through a sync tool, the two-step open, what a save
writes, the audit chains of each device, and removal being for good.

Two devices are two state folders (``CASETUI_STATE_DIR``): each remembers its own
name in the vault. Two laptops are two copies of the folder, kept in step by
copying the files each lacks, as a file-sync tool would. Every name and note is
made up for these tests.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from casetui.core.errors import VaultError
from casetui.core.records import Client, Meeting
from casetui.services.removal import plan_removal, remove_client
from casetui.vault import keys
from casetui.vault.audit import chain_of, check_chain, head_key, seq_of
from casetui.vault.conversion import moved_file, staged_folder
from casetui.vault.journal.device_journal import Journal
from casetui.vault.seen import Seen, recall
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles, rechain, tree_bytes, vault_document
from tests.vault.laptops import (
    INTAKE,
    Laptop,
    add_client,
    edit_client,
    exchange,
    later,
    state_folder,
    two_devices,
    two_laptops,
)


def keyring_of(files: VaultFiles) -> keys.Keyring:
    return keys.load_identity_file(files.identity_file)


def recipients_of(document: dict[str, Any]) -> list[keys.RecipientEntry]:
    return [keys.RecipientEntry(r["name"], r["key"]) for r in document["_meta"]["1"]["recipients"]]


def one_sentence(text: str) -> None:
    assert text[:1].isupper() or text.startswith("casetui "), text
    assert text.endswith("."), text
    assert ". " not in text[:-1], text
    assert "\n" not in text, text
    assert "Traceback" not in text, text


def records(document: dict[str, Any]) -> dict[str, Any]:
    """Every table but the meta row and the audit trail."""
    return {t: rows for t, rows in document.items() if t not in ("_meta", "audit")}


def hidden_beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith("."))


# -- a one-file vault (format 3) ------------------------------------------------------


def format3_document(
    files: VaultFiles, monkeypatch: pytest.MonkeyPatch, *, chained: bool, here: bool = False
) -> dict[str, Any]:
    """A vault with a client, a meeting and audit entries, as a one-file vault held them.

    Its audit entries are on the vault's first chain (``chain`` "" and ``audit_head``),
    or from before chaining (no ``seq`` or ``prev`` at all). The records are written
    on another computer (a state folder of its own), so this one has never seen the
    vault, unless ``here``.
    """
    with monkeypatch.context() as patch:
        if not here:
            elsewhere = files.vault.parent.with_name("state-elsewhere")
            patch.setenv("CASETUI_STATE_DIR", str(elsewhere))
        with files.open() as vault:
            add_client(vault, "cl_conv0001", "Nadia Fernhill", pronouns="she/her")
            vault.repo.meetings.add(
                Meeting(
                    id="mt_conv0001",
                    client_id="cl_conv0001",
                    on=date(2026, 3, 3),
                    summary="Went through the school enrolment forms together.",
                )
            )
            vault.save()
    document = vault_document(files.vault, keyring_of(files))
    meta = document["_meta"]["1"]
    for key in [k for k in meta if k.startswith("audit_head")]:
        del meta[key]
    for row in document["audit"].values():
        for name in ("chain",) if chained else ("chain", "seq", "prev"):
            row.pop(name, None)
    if chained:
        rechain(document)  # on the vault's first chain, as a one-file vault kept it
        assert meta["audit_head"]["seq"] == 2
    meta["version"] = 3
    meta["generation"] = 7
    assert len(document["audit"]) == 2
    return document


def plant_one_file(files: VaultFiles, document: dict[str, Any]) -> None:
    """The one-file vault holding ``document``, at the path where the folder was."""
    shutil.rmtree(files.vault)
    files.vault.write_bytes(keys.encrypt(json.dumps(document).encode(), recipients_of(document)))
    files.vault.chmod(0o600)


def assert_converted(files: VaultFiles, old: dict[str, Any]) -> None:
    """The path is a vault folder holding the old records, with no temp names beside it."""
    keyring = keyring_of(files)
    assert files.vault.is_dir()
    new = vault_document(files.vault, keyring)
    assert records(new) == records(old)
    for key in ("vault_id", "recipients", "owner_staff_id"):
        assert new["_meta"]["1"][key] == old["_meta"]["1"][key]
    assert hidden_beside(files.vault) == []
    pinned = [p for p in files.paths.vault.with_name("vault.age.backups").iterdir()]
    before = [p for p in pinned if p.name.endswith("-before-format-4.age")]
    assert before, sorted(p.name for p in pinned)
    for backup in before:
        assert backup.is_file()
        assert vault_document(backup, keyring) == old


@pytest.mark.parametrize("chained", [True, False], ids=["chained-trail", "trail-before-chains"])
def test_a_one_file_vault_is_read_as_is_and_converted_when_opened_for_writing(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch, chained: bool
) -> None:
    old = format3_document(vault_files, monkeypatch, chained=chained)
    plant_one_file(vault_files, old)
    planted = vault_files.vault.read_bytes()
    backups = vault_files.vault.with_name("vault.age.backups")
    kept = sorted(backups.iterdir())

    with vault_files.open(writable=False) as vault:
        assert vault.repo.clients.require("cl_conv0001").preferred_name == "Nadia Fernhill"
        assert set(vault.repo.audit.raw()) == set(old["audit"])
        assert vault.journal is None
    assert vault_files.vault.is_file()
    assert vault_files.vault.read_bytes() == planted
    assert sorted(backups.iterdir()) == kept
    assert hidden_beside(vault_files.vault) == []

    with vault_files.open() as vault:
        assert vault.journal is not None
        trail = vault.repo.audit.raw()
        assert set(trail) == set(old["audit"])
        for entry_id, row in old["audit"].items():
            if chained:
                assert trail[entry_id] == row
            else:
                assert {k: v for k, v in trail[entry_id].items() if k not in ("seq", "prev")} == row
        assert sorted(seq_of(r) for r in trail.values()) == [1, 2]
        assert {chain_of(r) for r in trail.values()} == {""}
        assert check_chain(trail, vault.meta).problems == []
        assert_converted(vault_files, old)
        edit_client(vault, "cl_conv0001", language="Somali")
        vault.save()
        assert check_chain(vault.repo.audit.raw(), vault.meta).problems == []
    with vault_files.open(writable=False) as vault:
        assert vault.repo.clients.require("cl_conv0001").language == "Somali"
        assert check_chain(vault.repo.audit.raw(), vault.meta).problems == []
        assert len(vault.repo.audit.raw()) == 3


def test_converting_keeps_every_record_and_a_pinned_backup_of_the_file(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = format3_document(vault_files, monkeypatch, chained=True)
    plant_one_file(vault_files, old)
    with vault_files.open() as vault:
        assert vault.repo.meetings.require("mt_conv0001").summary.startswith("Went through")
    assert_converted(vault_files, old)
    for path in vault_files.vault.rglob("*"):
        assert (path.stat().st_mode & 0o777) == (0o700 if path.is_dir() else 0o600), path


def test_a_vault_this_computer_saved_before_converts_without_an_older_copy_refusal(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The computer that saved the one-file vault 7 times converts it, and may write to it.

    The watermark this computer keeps (see ``vault/seen.py``) says 7 saves; the
    folder made from that file must not look like an older copy put back.
    """
    old = format3_document(vault_files, monkeypatch, chained=True)
    plant_one_file(vault_files, old)
    seen = Seen(old["_meta"]["1"]["vault_id"], generation=7)
    assert seen.save()
    with vault_files.open() as vault:
        assert vault.older_copy() is None
        edit_client(vault, "cl_conv0001", language="Tigrinya")
        vault.save()
    with vault_files.open() as vault:
        assert vault.repo.clients.require("cl_conv0001").language == "Tigrinya"


def test_a_one_file_copy_of_a_vault_this_computer_knew_as_a_folder_converts_and_opens(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-file copy (a backup put back by hand, say) on the computer that used the folder.

    This computer trusts the journal secrets it saw in the vault folder; the
    folder a conversion writes must still open here, and keep opening.
    """
    old = format3_document(vault_files, monkeypatch, chained=True, here=True)
    vault_id = old["_meta"]["1"]["vault_id"]
    seen = recall(vault_id)
    assert seen.secret_ids  # the folder's journal secret, trusted here
    seen.generation = 0  # (the older-copy watermark is the test above's subject)
    assert seen.save()
    plant_one_file(vault_files, old)
    with vault_files.open() as vault:
        assert vault.repo.clients.require("cl_conv0001").preferred_name == "Nadia Fernhill"
        assert vault.file_problems() == []
        edit_client(vault, "cl_conv0001", language="Tigrinya")
        vault.save()
    with vault_files.open() as vault:
        assert vault.repo.clients.require("cl_conv0001").language == "Tigrinya"
        assert vault.file_problems() == []


@contextmanager
def stopped_at(monkeypatch: pytest.MonkeyPatch, source_name: str) -> Iterator[None]:
    """casetui is stopped (the process killed) as it renames ``source_name``."""
    real_rename = Path.rename

    def rename(self: Path, target: Any) -> Path:
        if self.name == source_name:
            raise KeyboardInterrupt
        return real_rename(self, target)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "rename", rename)
        yield


def test_a_conversion_stopped_between_the_two_renames_is_finished_by_the_next_open(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = format3_document(vault_files, monkeypatch, chained=True)
    plant_one_file(vault_files, old)
    paths = vault_files.paths
    with stopped_at(monkeypatch, staged_folder(paths).name), pytest.raises(KeyboardInterrupt):
        vault_files.open()
    # The state a stop there leaves: the folder staged, the file moved aside, no vault.
    assert staged_folder(paths).is_dir()
    assert moved_file(paths).is_file()
    assert not vault_files.vault.exists()

    with vault_files.open() as vault:
        assert vault.repo.clients.require("cl_conv0001").preferred_name == "Nadia Fernhill"
        assert set(vault.repo.meetings.raw()) == {"mt_conv0001"}
    assert_converted(vault_files, old)
    assert not staged_folder(paths).exists()
    assert not moved_file(paths).exists()


def test_a_conversion_stopped_before_the_swap_is_cleaned_up_and_done_again(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = format3_document(vault_files, monkeypatch, chained=True)
    plant_one_file(vault_files, old)
    planted = vault_files.vault.read_bytes()
    paths = vault_files.paths
    with stopped_at(monkeypatch, vault_files.vault.name), pytest.raises(KeyboardInterrupt):
        vault_files.open()
    assert staged_folder(paths).is_dir()
    assert vault_files.vault.is_file()
    assert vault_files.vault.read_bytes() == planted

    with vault_files.open() as vault:
        assert vault.repo.clients.require("cl_conv0001").pronouns == "she/her"
    assert_converted(vault_files, old)
    assert not staged_folder(paths).exists()
    assert not moved_file(paths).exists()


# -- two devices ------------------------------------------------------------------------


@pytest.fixture
def laptops(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Laptop, Laptop]:
    """Two laptops holding one client, Ines, and one meeting with her, both synced."""
    first = Laptop("a", vault_files, state_folder(tmp_path, "a"), monkeypatch)
    with first.session() as vault:
        add_client(vault, "cl_ines0001", "Ines Harrowgate", pronouns="she/her")
        vault.repo.meetings.add(
            Meeting(
                id="mt_ines0001",
                client_id="cl_ines0001",
                on=date(2026, 4, 7),
                summary="Looked at the tenancy papers.",
            )
        )
        vault.save()
    a, b = two_laptops(vault_files, tmp_path, monkeypatch)
    with b.session() as vault:  # B opens it once: it has a name of its own in the vault
        assert vault.repo.clients.require("cl_ines0001").pronouns == "she/her"
    return a, b


def test_edits_to_different_fields_on_two_laptops_both_survive_on_both(
    laptops: tuple[Laptop, Laptop],
) -> None:
    a, b = laptops
    with a.session() as vault:
        edit_client(vault, "cl_ines0001", pronouns="they/them")
        vault.save()
        device_a = vault.repo.audit_chain
    later()
    with b.session() as vault:
        edit_client(vault, "cl_ines0001", language="Portuguese")
        vault.save()
        device_b = vault.repo.audit_chain
    assert device_a and device_b and device_a != device_b
    assert exchange(a, b) == 2  # one change file each way
    for laptop in (a, b):
        with laptop.session() as vault:
            client = vault.repo.clients.require("cl_ines0001")
            assert (client.pronouns, client.language) == ("they/them", "Portuguese"), laptop.name
            assert list(vault.conflicts()) == []
            assert check_chain(vault.repo.audit.raw(), vault.meta).problems == []


def test_one_field_edited_on_both_keeps_both_versions_until_one_is_chosen(
    laptops: tuple[Laptop, Laptop],
) -> None:
    a, b = laptops
    with a.session() as vault:
        edit_client(vault, "cl_ines0001", preferred_name="Ines H.")
        vault.save()
    later()
    with b.session() as vault:
        edit_client(vault, "cl_ines0001", preferred_name="Inês Harrowgate")
        vault.save()
    exchange(a, b)
    for laptop in (a, b):
        with laptop.session() as vault:
            conflicts = list(vault.conflicts())
            assert [(c.table, c.record_id, c.field) for c in conflicts] == [
                ("clients", "cl_ines0001", "preferred_name")
            ], laptop.name
            values = [v.value for v in conflicts[0].versions]
            assert sorted(values) == sorted(["Ines H.", "Inês Harrowgate"])
            assert values[0] == "Inês Harrowgate"  # the later edit is shown
            shown = vault.repo.clients.require("cl_ines0001").preferred_name
            assert shown == "Inês Harrowgate", laptop.name

    with a.session() as vault:  # A chooses its own (older) version
        vault.choose_version("clients", "cl_ines0001", "preferred_name", "Ines H.")
        vault.save()
        assert list(vault.conflicts()) == []
    exchange(a, b)
    for laptop in (a, b):
        with laptop.session() as vault:
            assert list(vault.conflicts()) == [], laptop.name
            shown = vault.repo.clients.require("cl_ines0001").preferred_name
            assert shown == "Ines H.", laptop.name


def test_a_client_removed_on_one_laptop_while_the_other_edits_them_is_gone_on_both(
    laptops: tuple[Laptop, Laptop],
) -> None:
    a, b = laptops
    with a.session() as vault:
        add_client(vault, "cl_keep0001", "Yara Coldstream")
        plan = plan_removal(vault.repo, "cl_ines0001")
        assert set(plan.records) == {("meetings", "mt_ines0001"), ("clients", "cl_ines0001")}
        remove_client(vault, plan, erase=False)
        vault.save()
    later()
    with b.session() as vault:
        edit_client(vault, "cl_ines0001", pronouns="they/them", language="Amharic")
        meeting = vault.repo.meetings.require("mt_ines0001")
        vault.repo.meetings.put(dataclasses.replace(meeting, summary="Called the landlord."))
        vault.save()
    exchange(a, b)
    for laptop in (a, b):
        with laptop.session() as vault:
            assert "cl_ines0001" not in vault.repo.clients, laptop.name
            assert "mt_ines0001" not in vault.repo.meetings, laptop.name
            assert vault.repo.clients.require("cl_keep0001").preferred_name == "Yara Coldstream"
            assert vault.problems() == []
            assert list(vault.conflicts()) == []


def test_refresh_picks_up_files_copied_in_while_the_vault_is_open(
    laptops: tuple[Laptop, Laptop],
) -> None:
    a, b = laptops
    with b.session() as vault:
        edit_client(vault, "cl_ines0001", language="Farsi")
        add_client(vault, "cl_new00001", "Tamsin Oakridge")
        vault.save()
    with a.session() as vault:
        assert vault.repo.clients.require("cl_ines0001").language == ""
        edit_client(vault, "cl_ines0001", pronouns="she/they")  # not saved yet
        assert exchange(a, b) == 1
        touched = vault.refresh()
        assert {("clients", "cl_ines0001"), ("clients", "cl_new00001")} <= touched
        assert all(table in ("clients", "audit", "_meta") for table, _rid in touched), touched
        client = vault.repo.clients.require("cl_ines0001")
        assert (client.language, client.pronouns) == ("Farsi", "she/they")
        assert vault.repo.clients.require("cl_new00001").preferred_name == "Tamsin Oakridge"
        assert not vault.dirty  # the edit was saved before the merge
        assert vault.refresh() == set()  # nothing new since
    exchange(a, b)
    with b.session() as vault:
        client = vault.repo.clients.require("cl_ines0001")
        assert (client.language, client.pronouns) == ("Farsi", "she/they")


# -- the two-step open ------------------------------------------------------------------


def test_a_vault_opened_in_two_steps_keeps_what_was_added_while_it_loaded(
    sample_files: VaultFiles,
) -> None:
    keyring = keyring_of(sample_files)
    before = vault_document(sample_files.vault, keyring)
    client_id = "cl_sample001"
    old_meetings = {m for m, row in before["meetings"].items() if row["client_id"] == client_id}
    last_old = max(date.fromisoformat(before["meetings"][m]["on"]) for m in old_meetings)
    assert len(old_meetings) > 5

    vault = Vault.open(
        sample_files.vault, identity_unlocker(sample_files.identity_file), later=True
    )
    try:
        assert vault.loading == frozenset({"meetings", "audit"})
        assert len(vault.repo.meetings) == 0
        assert len(vault.repo.audit) == 0
        assert len(vault.repo.clients) == len(before["clients"])
        early = date(2020, 1, 6)
        assert early < last_old
        vault.repo.meetings.add(
            Meeting(id="mt_whileload", client_id=client_id, on=early, summary="Phone check-in.")
        )
        # A figure asked for while loading must not stick once the rest is read.
        assert vault.repo.summary(client_id).contact.last_contact == early

        with pytest.raises(VaultError) as refused:
            vault.repo.meetings.remove("mt_whileload")
        sentence = str(refused.value)
        one_sentence(sentence)
        assert "still reading the meeting log" in sentence
        # A client's removal, too: their meetings are not all known yet.
        plan = plan_removal(vault.repo, client_id)
        with pytest.raises(VaultError) as refused:
            remove_client(vault, plan, erase=False)
        assert str(refused.value) == sentence
        assert "mt_whileload" in vault.repo.meetings
        assert client_id in vault.repo.clients
        assert all(rid in vault.repo.table(table) for table, rid in plan.records)

        vault.load_rest()
        assert vault.loading == frozenset()
        assert set(vault.repo.meetings.raw()) == set(before["meetings"]) | {"mt_whileload"}
        assert set(before["audit"]) < set(vault.repo.audit.raw())
        assert vault.repo.summary(client_id).contact.last_contact == last_old
        assert check_chain(vault.repo.audit.raw(), vault.meta).problems == []
        vault.save()
    finally:
        vault.close()

    after = vault_document(sample_files.vault, keyring)
    assert set(after["meetings"]) == set(before["meetings"]) | {"mt_whileload"}
    for meeting_id, row in before["meetings"].items():
        assert after["meetings"][meeting_id] == row
    assert set(before["audit"]) < set(after["audit"])
    assert check_chain(after["audit"], after["_meta"]["1"]).problems == []


def test_meetings_another_device_saved_while_the_log_loads_arrive_with_it(
    laptops: tuple[Laptop, Laptop],
) -> None:
    a, b = laptops
    with b.session() as vault:
        meeting = vault.repo.meetings.require("mt_ines0001")
        vault.repo.meetings.put(dataclasses.replace(meeting, summary="Changed on B."))
        vault.repo.meetings.add(
            Meeting(id="mt_fromb001", client_id="cl_ines0001", on=date(2026, 5, 1))
        )
        vault.save()
    a.monkeypatch.setenv("CASETUI_STATE_DIR", str(a.state))
    vault = Vault.open(a.files.vault, identity_unlocker(a.files.identity_file), later=True)
    try:
        vault.repo.meetings.add(
            Meeting(id="mt_whilel01", client_id="cl_ines0001", on=date(2026, 5, 2))
        )
        vault.save()
        exchange(a, b)
        touched = vault.refresh()
        assert {("meetings", "mt_ines0001"), ("meetings", "mt_fromb001")} <= touched
        vault.load_rest()
        summaries = {m.id: m.summary for m in vault.repo.meetings}
        assert summaries == {
            "mt_ines0001": "Changed on B.",
            "mt_fromb001": "",
            "mt_whilel01": "",
        }
        assert check_chain(vault.repo.audit.raw(), vault.meta).problems == []
    finally:
        vault.close()
    exchange(a, b)
    for laptop in (a, b):
        with laptop.session(writable=False) as opened:
            assert set(opened.repo.meetings.raw()) == set(summaries), laptop.name


# -- what a save writes ---------------------------------------------------------------------


def test_a_save_writes_one_change_file_holding_only_the_change(sample_files: VaultFiles) -> None:
    keyring = keyring_of(sample_files)
    meeting_id = "mt_sample00115"
    before = tree_bytes(sample_files.vault)
    with sample_files.open() as vault:
        assert tree_bytes(sample_files.vault) == before  # opening writes nothing in it
        meeting = vault.repo.meetings.require(meeting_id)
        vault.repo.meetings.put(dataclasses.replace(meeting, summary="Moved to the library."))
        vault.save()
        device = vault.repo.audit_chain
    after = tree_bytes(sample_files.vault)
    new = sorted(set(after) - set(before))
    assert len(new) == 1, new
    assert new[0].startswith(f"changes/{device}."), new
    assert {k: after[k] for k in before} == before  # nothing else written, nothing removed

    doc = json.loads(keys.decrypt(after[new[0]], keyring, sample_files.vault / new[0]))
    assert doc["kind"] == "change"
    assert doc["gone"] == []
    named = {(table, rid): values for table, rid, values, _unset, _over in doc["records"]}
    entries = [rid for table, rid in named if table == "audit"]
    assert len(entries) == 1
    assert set(named) == {("meetings", meeting_id), ("audit", entries[0]), ("_meta", "1")}
    assert named["meetings", meeting_id] == {"summary": "Moved to the library."}
    assert named["audit", entries[0]]["record_id"] == meeting_id
    assert list(named["_meta", "1"]) == [head_key(device)]
    assert len(after[new[0]]) < 4096


# -- the audit trail: a chain per device ----------------------------------------------------


def test_each_device_writes_its_own_audit_chain(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_devices(vault_files, tmp_path, monkeypatch)
    with a.session() as vault:
        add_client(vault, "cl_chain001", "Odile Penhallow")
        vault.save()
        device_a = vault.repo.audit_chain
    with b.session() as vault:
        edit_client(vault, "cl_chain001", pronouns="she/her")
        add_client(vault, "cl_chain002", "Bram Kettleworth")
        vault.save()
        device_b = vault.repo.audit_chain
    with a.session() as vault:
        assert vault.repo.audit_chain == device_a
        edit_client(vault, "cl_chain002", language="Dutch")
        vault.save()
    with b.session() as vault:
        assert vault.repo.audit_chain == device_b
        edit_client(vault, "cl_chain001", language="Breton")
        vault.save()
        trail = vault.repo.audit.raw()
        meta = dict(vault.meta)
    assert device_a != device_b
    by_chain: dict[str, list[int]] = {}
    for row in trail.values():
        by_chain.setdefault(chain_of(row), []).append(seq_of(row))
    assert set(by_chain) == {device_a, device_b}
    assert sorted(by_chain[device_a]) == [1, 2]
    assert sorted(by_chain[device_b]) == [1, 2, 3]
    assert meta[head_key(device_a)]["seq"] == 2
    assert meta[head_key(device_b)]["seq"] == 3
    assert check_chain(trail, meta).problems == []


def tampered_trail(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], str]:
    """A vault written by two devices, with the ``who`` of one of B's entries edited."""
    a, b = two_devices(vault_files, tmp_path, monkeypatch)
    with a.session() as vault:
        add_client(vault, "cl_chain001", "Odile Penhallow")
        vault.save()
    with b.session() as vault:
        edit_client(vault, "cl_chain001", pronouns="she/her")
        edit_client(vault, "cl_chain001", language="Cornish")
        vault.save()
        device_b = vault.repo.audit_chain
    document = vault_document(vault_files.vault, keyring_of(vault_files))
    assert check_chain(document["audit"], document["_meta"]["1"]).problems == []
    first_of_b = next(
        row for row in document["audit"].values() if chain_of(row) == device_b and seq_of(row) == 1
    )
    first_of_b["who"] = "Someone Else"
    return document, device_b


@pytest.mark.parametrize("planted", ["folder", "one-file"])
def test_an_entry_edited_in_one_devices_chain_is_reported(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, planted: str
) -> None:
    document, device_b = tampered_trail(vault_files, tmp_path, monkeypatch)
    keyring = keyring_of(vault_files)
    meta = document["_meta"]["1"]
    shutil.rmtree(vault_files.vault)
    if planted == "folder":
        Journal.create(
            vault_files.vault,
            document,
            keyring=keyring,
            recipients=recipients_of(document),
            vault_id=meta["vault_id"],
            device="abcd1234",
        )
    else:
        vault_files.vault.write_bytes(
            keys.encrypt(json.dumps(document).encode(), recipients_of(document))
        )
        vault_files.vault.chmod(0o600)
    monkeypatch.setenv("CASETUI_STATE_DIR", str(state_folder(tmp_path, "checker")))
    with vault_files.open(writable=False) as vault:
        problems = check_chain(vault.repo.audit.raw(), vault.meta).problems
    assert len(problems) == 1, problems
    # Entry 1 was edited, so entry 2 no longer follows from it.
    assert problems[0].startswith(f"The audit trail of device {device_b} is broken at entry 2 ")
    one_sentence(problems[0])


# -- removal is for good --------------------------------------------------------------------


def test_a_removed_record_cannot_come_back_under_its_id(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_devices(vault_files, tmp_path, monkeypatch)
    with a.session() as vault:
        add_client(vault, "cl_gone0001", "Perpetua Wrenfield")
        vault.save()
        remove_client(vault, plan_removal(vault.repo, "cl_gone0001"), erase=False)
        vault.save()
        with pytest.raises(VaultError) as refused:
            add_client(vault, "cl_gone0001", "Perpetua Wrenfield")
        one_sentence(str(refused.value))
        assert "cl_gone0001" not in vault.repo.clients
        assert not vault.dirty
    for device in (a, b):
        with device.session() as vault:
            with pytest.raises(VaultError) as refused:
                add_client(vault, "cl_gone0001", "Someone New")
            one_sentence(str(refused.value))
            with pytest.raises(VaultError):
                vault.repo.put_all(
                    [
                        Client(
                            id="cl_gone0001",
                            preferred_name="Someone New",
                            intake_date=INTAKE,
                            case_manager_id=vault.owner_staff_id,
                        )
                    ]
                )
            assert "cl_gone0001" not in vault.repo.clients
            assert vault.save() is None
    assert (
        "cl_gone0001" not in vault_document(vault_files.vault, keyring_of(vault_files))["clients"]
    )


class SyncTool:
    """Two folders kept in step as a file-sync tool does: new files and deletions both travel.

    It remembers which files both sides held after the last run; a file gone from one
    side since then is deleted on the other, and a file new on one side is copied over.
    """

    def __init__(self, a: Laptop, b: Laptop) -> None:
        self.a, self.b = a, b
        self.base = self.names(a) & self.names(b)

    @staticmethod
    def names(side: Laptop) -> set[str]:
        root = side.files.vault
        return {
            str(p.relative_to(root))
            for p in root.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        }

    def run(self) -> None:
        have = {side: self.names(side) for side in (self.a, self.b)}
        for src, dst in ((self.a, self.b), (self.b, self.a)):
            for name in (self.base - have[src]) & have[dst]:
                (dst.files.vault / name).unlink()  # deleted on src since the last run
            for name in have[src] - have[dst] - self.base:
                target = dst.files.vault / name
                target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                shutil.copy2(src.files.vault / name, target)
        self.base = self.names(self.a)
        assert self.base == self.names(self.b)


def test_a_rename_made_elsewhere_while_a_client_was_erased_leaves_no_file_holding_it(
    laptops: tuple[Laptop, Laptop],
) -> None:
    """Erased on A while B, not knowing yet, renamed them: B's change file holds the new name.

    Once the sync tool has carried the files both ways and each laptop has opened
    the vault, no file in either folder may still hold what was erased.
    """
    a, b = laptops
    sync = SyncTool(a, b)
    canary = "Quillonwick-Zephyrine-8842"
    with a.session() as vault:
        remove_client(vault, plan_removal(vault.repo, "cl_ines0001"), erase=True)
        vault.save()
    later()
    with b.session() as vault:
        edit_client(vault, "cl_ines0001", preferred_name=f"Ines {canary}")
        vault.save()
    sync.run()
    for laptop in (a, b):
        with laptop.session() as vault:
            assert "cl_ines0001" not in vault.repo.clients, laptop.name
        sync.run()
    keyring = keyring_of(a.files)
    for laptop in (a, b):
        holding = [
            str(path.relative_to(laptop.files.vault))
            for path in sorted(laptop.files.vault.rglob("*"))
            if path.is_file() and canary.encode() in keys.decrypt(path.read_bytes(), keyring, path)
        ]
        assert holding == [], laptop.name
