"""The vault API: keys, saving, locking, backups and the repository."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import shutil
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyrage
import pytest

from casetui.core.choices import ClientStatus, GoalStatus, NeedStatus
from casetui.core.errors import (
    KeyFileError,
    ReadOnlyVault,
    SaveFailed,
    VaultBusy,
    VaultDamaged,
    VaultExists,
    VaultNotFound,
    VaultShapeError,
    WrongKey,
)
from casetui.core.records import Client, Goal, Meeting, NeedItem, Partner, Staff
from casetui.services import caseload_view
from casetui.vault import keys
from casetui.vault.document import VAULT_VERSION
from casetui.vault.journal import change_files as cf
from casetui.vault.journal.device_journal import Journal
from casetui.vault.tables import RecordInUse, RecordMissing
from casetui.vault.unlocking import identity_unlocker, passphrase_unlocker
from casetui.vault.vault import Vault
from casetui.vault.vault_paths import VaultPaths
from tests.conftest import PASSPHRASE, VaultFiles, vault_document


def add_client(vault: Vault, name: str = "Farah Willowmere", **extra: object) -> Client:
    staff_id = vault.owner_staff_id
    assert staff_id is not None
    return vault.repo.clients.add(
        Client.create(
            preferred_name=name, intake_date=date(2026, 1, 5), case_manager_id=staff_id, **extra
        )
    )


def decrypt_with(files: VaultFiles) -> dict[str, Any]:
    """The vault's document (a folder's files merged, or a one-file vault's)."""
    return vault_document(files.vault, keys.load_identity_file(files.identity_file))


def plant_one_file_vault(files: VaultFiles, document: object) -> bytes:
    """Put a one-file vault (the format before folders) holding ``document`` in its place."""
    identity = pyrage.x25519.Identity.from_str(files.identity_file.read_text().strip())
    data = pyrage.encrypt(json.dumps(document).encode(), [identity.to_public()])
    shutil.rmtree(files.vault)
    files.vault.write_bytes(data)
    files.vault.chmod(0o600)
    return data


def folder_files(files: VaultFiles) -> dict[str, bytes]:
    """Every file in the vault folder and its bytes."""
    return {
        str(p.relative_to(files.vault)): p.read_bytes()
        for p in sorted(files.vault.rglob("*"))
        if p.is_file()
    }


# -- creating and opening ----------------------------------------------------------


def test_create_makes_private_files_and_opens_with_the_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "vault.age"
    Vault.create(path, PASSPHRASE, owner_name="Grace Fernwood").close()
    paths = VaultPaths(path)
    for file in (paths.identity, paths.lock):
        assert file.stat().st_mode & 0o777 == 0o600, file
    assert paths.vault.is_dir()
    for folder in (path, path.parent, path.parent.parent):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    inside = sorted(paths.vault.rglob("*"))
    assert [p for p in inside if p.is_file()]
    for entry in inside:
        assert entry.stat().st_mode & 0o777 == (0o700 if entry.is_dir() else 0o600), entry
    with Vault.open(path, passphrase_unlocker(PASSPHRASE)) as vault:
        [owner] = vault.repo.staff.all()
        assert owner.name == "Grace Fernwood"
        assert vault.owner_staff_id == owner.id
        assert vault.keyring.source == "passphrase"


def test_create_refuses_to_replace_an_existing_vault(vault_files: VaultFiles) -> None:
    before = vault_files.snapshot()
    with pytest.raises(VaultExists):
        Vault.create(vault_files.vault, PASSPHRASE)
    assert vault_files.snapshot() == before


def test_every_vault_file_is_a_standard_age_file_for_its_own_key(vault_files: VaultFiles) -> None:
    with vault_files.open() as vault:
        add_client(vault)
        vault.save()  # a change file beside the snapshot
        vault_id = vault.vault_id
    identity = pyrage.x25519.Identity.from_str(vault_files.identity_file.read_text().strip())
    found = folder_files(vault_files)
    assert {name.split("/")[0] for name in found} == {"changes", "snapshots"}
    for name, data in found.items():
        assert data.startswith(b"age-encryption.org/v1\n-> X25519 "), name
        document = json.loads(pyrage.decrypt(data, [identity]))
        assert (document["format"], document["version"]) == ("casetui-vault", 4), name
        assert document["vault"] == vault_id, name
    assert decrypt_with(vault_files)["_meta"]["1"]["format"] == "casetui-vault"


def test_the_key_file_is_wrapped_with_scrypt(vault_files: VaultFiles) -> None:
    assert vault_files.paths.identity.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")


def test_a_wrong_passphrase_is_refused(vault_files: VaultFiles) -> None:
    with pytest.raises(WrongKey, match="That passphrase does not open this vault"):
        Vault.open(vault_files.vault, passphrase_unlocker("not the passphrase"))
    # The failed attempt released the lock, so the right passphrase works at once.
    Vault.open(vault_files.vault, passphrase_unlocker(PASSPHRASE)).close()


def test_an_identity_of_another_vault_is_refused(vault_files: VaultFiles, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger.txt"
    stranger.write_text(str(pyrage.x25519.Identity.generate()) + "\n")
    with pytest.raises(WrongKey, match="encrypted for other keys"):
        Vault.open(vault_files.vault, identity_unlocker(stranger))


V1_TABLES = ("_meta", "staff", "clients", "goals", "needs", "meetings", "admin_blocks")


def test_a_version_1_vault_opens_and_is_saved_as_the_current_version(
    vault_files: VaultFiles,
) -> None:
    assert VAULT_VERSION == 4
    document = decrypt_with(vault_files)
    old = {table: rows for table, rows in document.items() if table in V1_TABLES}
    old["_meta"]["1"]["version"] = 1
    planted = plant_one_file_vault(vault_files, old)
    with vault_files.open() as vault:
        assert vault.meta["version"] == 4
        assert len(vault.repo.partners) == 0
        partner = vault.repo.partners.add(Partner.create(name="Harbourlight Housing"))
        vault.save()
    assert vault_files.vault.is_dir()  # converted to a vault folder
    saved = decrypt_with(vault_files)
    assert saved["_meta"]["1"]["version"] == 4
    assert set(saved["partners"]) == {partner.id}
    # The file as it was is kept, pinned, so the conversion can be undone.
    [kept] = [b for b in vault.backups.newest_first() if b.reason == "format-4"]
    assert kept.path.name.endswith("-before-format-4.age")
    assert kept.path.read_bytes() == planted


def _newer_one_file_vault(files: VaultFiles) -> None:
    document = decrypt_with(files)
    document["_meta"]["1"]["version"] = VAULT_VERSION + 1
    plant_one_file_vault(files, document)


def _newer_records_in_a_folder(files: VaultFiles) -> None:
    keyring = keys.load_identity_file(files.identity_file)
    document = decrypt_with(files)
    meta = document["_meta"]["1"]
    meta["version"] = VAULT_VERSION + 1
    shutil.rmtree(files.vault)
    Journal.create(
        files.vault,
        document,
        keyring=keyring,
        recipients=[keys.RecipientEntry(r["name"], r["key"]) for r in meta["recipients"]],
        vault_id=meta["vault_id"],
        device="abcd1234",
    )


def _newer_journal_files(files: VaultFiles) -> None:
    """Every file of the folder in the next journal format (sealed with the vault's secret)."""
    keyring = keys.load_identity_file(files.identity_file)
    recipients = [
        keys.RecipientEntry(r["name"], r["key"])
        for r in decrypt_with(files)["_meta"]["1"]["recipients"]
    ]
    [head] = files.vault.glob("snapshots/*.head.age")
    secrets = json.loads(keys.decrypt(head.read_bytes(), keyring, head))["secrets"]
    for path in sorted(files.vault.rglob("*.age")):
        doc = json.loads(keys.decrypt(path.read_bytes(), keyring, path))
        secret = secrets[doc.pop("key")]
        del doc["mac"]
        doc["version"] = VAULT_VERSION + 1
        path.write_bytes(keys.encrypt(cf.seal(doc, secret), recipients))


#: How a newer casetui's vault may look, and what refusing it raises.
NEWER: dict[
    str, tuple[Callable[[VaultFiles], None], type[Exception] | tuple[type[Exception], ...]]
] = {
    "one-file vault": (_newer_one_file_vault, VaultShapeError),
    "folder with newer records": (_newer_records_in_a_folder, VaultShapeError),
    # Every file of it is set aside; the sentence must still say why.
    "folder of newer journal files": (_newer_journal_files, (VaultShapeError, VaultDamaged)),
}


@pytest.mark.parametrize("newer", NEWER)
@pytest.mark.parametrize("writable", [False, True], ids=["read-only", "writable"])
def test_a_vault_from_a_newer_casetui_is_refused(
    vault_files: VaultFiles, newer: str, writable: bool
) -> None:
    plant, refused = NEWER[newer]
    plant(vault_files)
    before = vault_files.snapshot()
    with pytest.raises(refused, match="newer casetui"):
        vault_files.open(writable=writable)
    assert vault_files.snapshot() == before


def test_a_missing_vault_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(VaultNotFound, match="casetui init"):
        Vault.open(tmp_path / "nope.age", passphrase_unlocker(PASSPHRASE))


# -- saving --------------------------------------------------------------------------


def test_changes_persist_only_after_save(vault_files: VaultFiles) -> None:
    with vault_files.open() as vault:
        client = add_client(vault)
        assert vault.dirty
    with vault_files.open() as vault:
        assert client.id not in vault.repo.clients
        vault.repo.clients.add(client)
        result = vault.save()
        assert result is not None
        assert not vault.dirty
        assert vault.save() is None  # nothing new to save
    with vault_files.open() as vault:
        assert vault.repo.clients.require(client.id) == client


def test_saved_file_never_holds_plaintext(vault_files: VaultFiles) -> None:
    canary = "Canary Quillfeather 7f3e"
    with vault_files.open() as vault:
        add_client(vault, name=canary)
        vault.save()
    for file in vault_files.vault.parent.rglob("*"):
        if file.is_file():
            assert canary.encode() not in file.read_bytes(), file


def test_a_failed_save_keeps_the_edit_and_a_retry_works(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    with vault_files.open() as vault:
        client = add_client(vault)
        before = vault_files.snapshot(lock_held=True)
        real_write = os.write

        def disk_full(fd: int, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "write", disk_full)
        with pytest.raises(SaveFailed, match="is full; free some space and save again"):
            vault.save()  # the session's backup fails first
        assert vault.dirty
        assert vault_files.snapshot(lock_held=True) == before  # no temp file left, either
        monkeypatch.setattr(os, "write", real_write)
        assert vault.save() is not None
        # Once the backup is taken, the change file itself cannot be written.
        other = add_client(vault, name="Second Person")
        before = vault_files.snapshot(lock_held=True)
        monkeypatch.setattr(os, "write", disk_full)
        with pytest.raises(SaveFailed, match="is full; free some space and save again"):
            vault.save()
        assert vault.dirty
        assert vault_files.snapshot(lock_held=True) == before
        monkeypatch.setattr(os, "write", real_write)
        assert vault.save() is not None
        assert not vault.dirty
    with vault_files.open() as vault:
        assert client.id in vault.repo.clients
        assert other.id in vault.repo.clients


def test_a_second_writer_is_stopped(vault_files: VaultFiles) -> None:
    with vault_files.open():
        with pytest.raises(VaultBusy, match="open elsewhere") as exc:
            vault_files.open()
        assert exc.value.exit_code == 3
        assert str(os.getpid()) in exc.value.message
        # Reading is still possible.
        vault_files.open(writable=False).close()


def test_a_read_only_vault_refuses_writes(vault_files: VaultFiles) -> None:
    with vault_files.open(writable=False) as vault:
        with pytest.raises(ReadOnlyVault):
            add_client(vault)
        with pytest.raises(ReadOnlyVault):
            vault.save(force=True)


def test_files_added_underneath_are_never_overwritten(vault_files: VaultFiles) -> None:
    """A sync tool brings another laptop's save, and a damaged file, while the vault is open.

    (A vault folder is never rewritten: each save is a new file, so nothing another
    program puts there is lost; the other laptop's save is merged.)
    """
    keyring = keys.load_identity_file(vault_files.identity_file)
    with vault_files.open() as vault:
        mine = add_client(vault)
        owner = vault.owner_staff_id
        assert owner is not None
        laptop = Journal.open(vault_files.vault, keyring, device="otherlaptop1")
        saved = laptop.document()
        current = {table: dict(rows) for table, rows in saved.items()}
        current["staff"][owner] = {**saved["staff"][owner], "name": "Grace Fernwood-Hale"}
        theirs = laptop.commit(saved, current, by="test", recipients=vault.recipients)
        assert theirs is not None
        damaged = vault_files.vault / "changes" / "otherlaptop1.0000000002.age"
        damaged.write_bytes(theirs.path.read_bytes()[:-20])
        arrived = folder_files(vault_files)
        assert vault.save() is not None
        after = folder_files(vault_files)
        assert {k: after.get(k) for k in arrived} == arrived
        assert len(after) == len(arrived) + 1  # this save's own new file
        vault.refresh()
        assert vault.repo.staff.require(owner).name == "Grace Fernwood-Hale"
        assert mine.id in vault.repo.clients
        [problem] = vault.file_problems()
        assert problem.path == damaged
        assert not vault.dirty
    with vault_files.open(writable=False) as vault:
        assert vault.repo.staff.require(owner).name == "Grace Fernwood-Hale"
        assert mine.id in vault.repo.clients
        assert [p.path for p in vault.file_problems()] == [damaged]


def test_a_removed_lock_file_stops_saving(vault_files: VaultFiles) -> None:
    with vault_files.open() as vault:
        add_client(vault)
        vault_files.paths.lock.unlink()
        with pytest.raises(SaveFailed, match="lock file"):
            vault.save()


def test_stale_temp_files_from_a_crash_are_removed_by_a_compaction(
    vault_files: VaultFiles,
) -> None:
    """A save killed mid-write leaves a hidden temp file holding a whole change."""
    with vault_files.open() as vault:
        assert vault.journal is not None
        device = vault.journal.device
    changes, snapshots = vault_files.vault / "changes", vault_files.vault / "snapshots"
    mine = changes / f".{device}.0000000001.age.0123456789ab.tmp"
    theirs_old = changes / ".otherlaptop1.0000000004.age.abcdefabcdef.tmp"
    theirs_new = snapshots / ".otherlaptop1.0000000002.main.age.fedcba987654.tmp"
    for leftover in (mine, theirs_old, theirs_new):
        leftover.write_bytes(b"half a ciphertext")
    two_hours_ago = time.time() - 7200
    os.utime(theirs_old, (two_hours_ago, two_hours_ago))
    vault_files.open(writable=False).close()
    assert mine.exists() and theirs_old.exists()  # a reader never deletes anything
    with vault_files.open() as vault:
        assert not vault.file_problems()  # a temp file is not a journal file
        vault.compact()
    assert not mine.exists()
    assert not theirs_old.exists()
    assert theirs_new.exists()  # another laptop may still be writing it (a sync under way)


# -- backups -------------------------------------------------------------------------


def test_the_first_save_of_a_session_keeps_a_backup(vault_files: VaultFiles) -> None:
    with vault_files.open(writable=False) as vault:
        original = {t.name: sorted(t.all(), key=lambda r: r.id) for t in vault.repo.tables()}
    with vault_files.open() as vault:
        add_client(vault)
        first = vault.save()
        add_client(vault, name="Second Person")
        second = vault.save()
    assert first is not None
    assert second is not None
    assert first.backup is not None
    assert second.backup is None  # one per session (or per hour)
    [backup] = vault.backups.newest_first()
    # One age file holding the vault as it was before the session's first save.
    unlock = identity_unlocker(vault_files.identity_file)
    with Vault.open(backup.path, unlock, writable=False) as kept:
        assert {t.name: sorted(t.all(), key=lambda r: r.id) for t in kept.repo.tables()} == (
            original
        )
    assert backup.path.stat().st_mode & 0o777 == 0o600
    assert backup.path.parent.stat().st_mode & 0o777 == 0o700


def test_backups_rotate(vault_files: VaultFiles) -> None:
    taken = []
    for _ in range(5):
        with Vault.open(
            vault_files.vault, identity_unlocker(vault_files.identity_file), backups_keep=3
        ) as vault:
            add_client(vault)
            saved = vault.save()
            assert saved is not None and saved.backup is not None
            taken.append(saved.backup)
    # The newest 3, and the day's first (see tests/test_backup_policy.py for the rest).
    kept = [b.path for b in vault.backups.newest_first()]
    assert kept == [*reversed(taken[2:]), taken[0]]


# -- keys ----------------------------------------------------------------------------


def test_an_unencrypted_ssh_key_can_unlock(vault_files: VaultFiles, tmp_path: Path) -> None:
    import subprocess

    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    public = (tmp_path / "id_ed25519.pub").read_text().strip()
    with vault_files.open() as vault:
        vault.meta["recipients"].append({"name": "ssh", "key": public})
        vault.save(force=True)
    with Vault.open(vault_files.vault, identity_unlocker(key), writable=False) as vault:
        assert vault.keyring.source == "SSH key id_ed25519"


def test_a_passphrase_protected_ssh_key_gets_a_clear_message(tmp_path: Path) -> None:
    import subprocess

    key = tmp_path / "id_locked"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "pw1234", "-f", str(key)], check=True
    )
    with pytest.raises(KeyFileError, match="protected by a passphrase"):
        keys.load_identity_file(key)


def test_a_wrapped_identity_file_can_be_given_with_its_passphrase(
    vault_files: VaultFiles,
) -> None:
    keyring = keys.load_identity_file(vault_files.paths.identity, lambda: PASSPHRASE)
    assert keyring.own_secret is not None
    assert keyring.public_keys()


@pytest.mark.parametrize(
    "content",
    ["", "hello\n", "AGE-SECRET-KEY-1NOTVALID\n", "# only a comment\n"],
)
def test_bad_identity_files_are_refused_clearly(tmp_path: Path, content: str) -> None:
    path = tmp_path / "id.txt"
    path.write_text(content)
    with pytest.raises(KeyFileError):
        keys.load_identity_file(path)


def test_recipients_parse_age_and_ssh_keys_only() -> None:
    public = str(pyrage.x25519.Identity.generate().to_public())
    assert keys.parse_recipient(public)
    with pytest.raises(KeyFileError):
        keys.parse_recipient("age1notakey")
    with pytest.raises(KeyFileError):
        keys.parse_recipient("-----BEGIN PGP PUBLIC KEY BLOCK-----")


def test_passphrase_change_rewraps_only_the_identity(vault_files: VaultFiles) -> None:
    vault_before = folder_files(vault_files)
    with Vault.open(vault_files.vault, passphrase_unlocker(PASSPHRASE)) as vault:
        vault.wrap_own_identity("a brand new passphrase")
    assert folder_files(vault_files) == vault_before
    with pytest.raises(WrongKey):
        Vault.open(vault_files.vault, passphrase_unlocker(PASSPHRASE))
    Vault.open(vault_files.vault, passphrase_unlocker("a brand new passphrase")).close()


def test_passphrase_change_needs_the_vaults_own_key(
    vault_files: VaultFiles, tmp_path: Path
) -> None:
    other = pyrage.x25519.Identity.generate()
    with vault_files.open() as vault:
        vault.meta["recipients"].append({"name": "team", "key": str(other.to_public())})
        vault.save(force=True)
    other_file = tmp_path / "other.txt"
    other_file.write_text(f"{other}\n")
    with (
        Vault.open(vault_files.vault, identity_unlocker(other_file)) as vault,
        pytest.raises(KeyFileError, match="needs the vault's own key"),
    ):
        vault.wrap_own_identity("a brand new passphrase")


# -- repository ----------------------------------------------------------------------


def test_references_are_enforced_on_write(vault: Vault) -> None:
    with pytest.raises(RecordMissing, match="refers to a client that does not exist"):
        vault.repo.goals.add(Goal.create(client_id="cl_nobody", text="I want to rest."))
    with pytest.raises(RecordMissing, match="case manager"):
        vault.repo.clients.add(
            Client.create(preferred_name="X", intake_date=date(2026, 1, 1), case_manager_id="st_0")
        )


def test_a_client_with_records_cannot_be_deleted(vault: Vault) -> None:
    client = add_client(vault)
    goal = vault.repo.goals.add(Goal.create(client_id=client.id, text="I want to rest."))
    with pytest.raises(RecordInUse, match="close the case instead"):
        vault.repo.clients.remove(client.id)
    assert vault.repo.goals.remove(goal.id)
    assert vault.repo.clients.remove(client.id)
    assert client.id not in vault.repo.clients


def test_put_replaces_a_record_and_keeps_indexes_right(vault: Vault) -> None:
    client = add_client(vault)
    other = Staff.create(name="Daniel Riverstone")
    vault.repo.staff.add(other)
    me = vault.owner_staff_id
    assert me is not None
    assert [c.id for c in vault.repo.clients.for_parent(me)] == [client.id]
    vault.repo.clients.put(dataclasses.replace(client, case_manager_id=other.id))
    assert vault.repo.clients.for_parent(me) == []
    assert [c.id for c in vault.repo.clients.for_parent(other.id)] == [client.id]
    assert caseload_view.capacity(vault.repo, other.id).count == 1


def test_caseload_rows_follow_every_change(vault: Vault) -> None:
    today = date(2026, 3, 1)
    client = add_client(vault, checkin_interval_days=14)
    me = vault.owner_staff_id
    assert me is not None
    [row] = caseload_view.caseload(vault.repo, today, staff_id=me)
    assert row.last_contact is None
    assert row.next_checkin == date(2026, 1, 19)
    assert row.days_overdue == 41
    meeting = vault.repo.meetings.add(
        Meeting.create(client_id=client.id, on=date(2026, 2, 25), next_checkin=date(2026, 3, 4))
    )
    need = vault.repo.needs.add(
        NeedItem.create(
            client_id=client.id,
            catalog_key="food",
            label="Food",
            horizon="short_term",
            domain="physical",
            status=NeedStatus.NEEDED,
        )
    )
    vault.repo.goals.add(
        Goal.create(client_id=client.id, text="I want a job I like.", status=GoalStatus.ACHIEVED)
    )
    [row] = caseload_view.caseload(vault.repo, today, staff_id=me)
    assert (row.last_contact, row.next_checkin, row.days_overdue) == (
        date(2026, 2, 25),
        date(2026, 3, 4),
        0,
    )
    assert (row.open_needs, row.goals_achieved, row.goals_total) == (1, 1, 1)
    vault.repo.needs.put(dataclasses.replace(need, status=NeedStatus.MET))
    vault.repo.meetings.remove(meeting.id)
    [row] = caseload_view.caseload(vault.repo, today + timedelta(days=1), staff_id=me)
    assert (row.open_needs, row.last_contact) == (0, None)
    vault.repo.clients.put(dataclasses.replace(client, status=ClientStatus.CLOSED))
    assert caseload_view.caseload(vault.repo, today, staff_id=me) == []
    [closed] = caseload_view.caseload(vault.repo, today, statuses={ClientStatus.CLOSED})
    assert closed.next_checkin is None


def test_sample_caseload_rows_match_a_slow_recount(sample_files: VaultFiles) -> None:
    """The cached per-client figures agree with folding the validated records."""
    from casetui.core.rules import (
        goal_progress,
        meeting_dates,
        next_checkin_due,
        open_need_count,
        summarise_contact,
    )

    as_of = date(2026, 11, 16)
    with sample_files.open(writable=False) as vault:
        rows = caseload_view.caseload(vault.repo, as_of, statuses=set(ClientStatus))
        assert len(rows) == len(vault.repo.clients)
        for row in rows:
            cid = row.client.id
            contact = summarise_contact(meeting_dates(vault.repo.meetings.for_parent(cid)), as_of)
            assert row.last_contact == contact.last_contact
            assert row.next_checkin == next_checkin_due(row.client, contact)
            needs = vault.repo.needs.for_parent(cid)
            assert row.open_needs == open_need_count(n.status for n in needs)
            goals = vault.repo.goals.for_parent(cid)
            assert (row.goals_achieved, row.goals_total) == goal_progress(g.status for g in goals)


def test_an_incomplete_ciphertext_is_never_swapped_in(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that silently drops bytes is caught before the rename."""
    from casetui import files

    real_write = files.Sink.write

    def lossy(self: files.Sink, data: bytes) -> int:
        return real_write(self, bytes(data)[:-1]) + 1

    with vault_files.open() as vault:
        add_client(vault)
        for what in ("the session's backup", "the change file"):
            before = vault_files.snapshot(lock_held=True)
            monkeypatch.setattr(files.Sink, "write", lossy)
            with pytest.raises(SaveFailed, match="came out incomplete"):
                vault.save()
            assert vault_files.snapshot(lock_held=True) == before, what
            assert vault.dirty, what
            # (Not monkeypatch.undo(): that would also undo the test's own state folder.)
            monkeypatch.setattr(files.Sink, "write", real_write)
            assert vault.save() is not None, what
            if what == "the session's backup":
                add_client(vault, name="Second Person")
    with vault_files.open(writable=False) as vault:
        assert len(vault.repo.clients) == 2
        assert not vault.file_problems()


def test_indexes_built_ahead_match_the_ones_built_on_demand(sample_files: VaultFiles) -> None:
    """The app builds every parent index while unlocking; they must be the same indexes."""
    with sample_files.open(writable=False) as ahead, sample_files.open(writable=False) as lazy:
        parents = [t for t in ahead.repo.tables() if t.parent_field is not None]
        assert parents, "no table has a parent"
        assert all(t._children is None for t in parents)
        ahead.repo.build_indexes()
        assert all(t._children is not None for t in parents)
        for table in parents:
            built = table._children
            assert built is not None
            on_demand = lazy.repo.table(table.name)
            for parent in {*built, "no-such-parent"}:
                assert table.child_ids(parent) == on_demand.child_ids(parent), table.name
