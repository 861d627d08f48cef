"""The vault API: keys, saving, locking, backups and the repository."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
from datetime import date, timedelta
from pathlib import Path

import pyrage
import pytest

from casetui.core.choices import ClientStatus, GoalStatus, NeedStatus
from casetui.core.errors import (
    KeyFileError,
    ReadOnlyVault,
    SaveFailed,
    VaultBusy,
    VaultChanged,
    VaultExists,
    VaultNotFound,
    VaultShapeError,
    WrongKey,
)
from casetui.core.records import Client, Goal, Meeting, NeedItem, Partner, Staff
from casetui.services import caseload_view
from casetui.vault import keys
from casetui.vault.document import VAULT_VERSION
from casetui.vault.tables import RecordInUse, RecordMissing
from casetui.vault.unlocking import identity_unlocker, passphrase_unlocker
from casetui.vault.vault import Vault
from casetui.vault.vault_paths import VaultPaths
from tests.conftest import PASSPHRASE, VaultFiles


def add_client(vault: Vault, name: str = "Farah Willowmere", **extra: object) -> Client:
    staff_id = vault.owner_staff_id
    assert staff_id is not None
    return vault.repo.clients.add(
        Client.create(
            preferred_name=name, intake_date=date(2026, 1, 5), case_manager_id=staff_id, **extra
        )
    )


def decrypt_with(files: VaultFiles) -> dict[str, object]:
    keyring = keys.load_identity_file(files.identity_file)
    data = keys.decrypt(files.vault.read_bytes(), keyring, files.vault)
    return json.loads(data)  # type: ignore[no-any-return]


# -- creating and opening ----------------------------------------------------------


def test_create_makes_private_files_and_opens_with_the_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "vault.age"
    Vault.create(path, PASSPHRASE, owner_name="Grace Fernwood").close()
    paths = VaultPaths(path)
    for file in (paths.vault, paths.identity, paths.lock):
        assert file.stat().st_mode & 0o777 == 0o600, file
    for folder in (path.parent, path.parent.parent):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
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


def test_the_vault_file_is_a_standard_age_file_for_its_own_key(vault_files: VaultFiles) -> None:
    data = vault_files.vault.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n-> X25519 ")
    identity = pyrage.x25519.Identity.from_str(vault_files.identity_file.read_text().strip())
    document = json.loads(pyrage.decrypt(data, [identity]))
    assert document["_meta"]["1"]["format"] == "casetui-vault"


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
    assert VAULT_VERSION == 3
    document = decrypt_with(vault_files)
    old = {table: rows for table, rows in document.items() if table in V1_TABLES}
    old["_meta"]["1"]["version"] = 1  # type: ignore[index]
    identity = pyrage.x25519.Identity.from_str(vault_files.identity_file.read_text().strip())
    vault_files.vault.write_bytes(pyrage.encrypt(json.dumps(old).encode(), [identity.to_public()]))
    with vault_files.open() as vault:
        assert vault.meta["version"] == 3
        assert len(vault.repo.partners) == 0
        partner = vault.repo.partners.add(Partner.create(name="Harbourlight Housing"))
        vault.save()
    saved = decrypt_with(vault_files)
    assert saved["_meta"]["1"]["version"] == 3  # type: ignore[index]
    assert set(saved["partners"]) == {partner.id}  # type: ignore[arg-type]


def test_a_vault_from_a_newer_casetui_is_refused(vault_files: VaultFiles) -> None:
    document = decrypt_with(vault_files)
    document["_meta"]["1"]["version"] = VAULT_VERSION + 1  # type: ignore[index]
    identity = pyrage.x25519.Identity.from_str(vault_files.identity_file.read_text().strip())
    data = pyrage.encrypt(json.dumps(document).encode(), [identity.to_public()])
    vault_files.vault.write_bytes(data)
    with pytest.raises(VaultShapeError, match="newer casetui"):
        vault_files.open(writable=False)


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
        before = vault_files.vault.read_bytes()
        real_write = os.write

        def disk_full(fd: int, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "write", disk_full)
        with pytest.raises(SaveFailed, match="is full; free some space and save again"):
            vault.save()
        assert vault.dirty
        assert vault_files.vault.read_bytes() == before
        assert not list(vault_files.vault.parent.glob(".*.tmp"))
        monkeypatch.setattr(os, "write", real_write)
        assert vault.save() is not None
    with vault_files.open() as vault:
        assert client.id in vault.repo.clients


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


def test_a_file_changed_underneath_is_not_overwritten(vault_files: VaultFiles) -> None:
    with vault_files.open() as vault:
        add_client(vault)
        # Another program replaces the file (say, a sync client restoring an old copy).
        other = vault_files.vault.read_bytes()
        vault_files.vault.write_bytes(other[:-1] + bytes([other[-1] ^ 1]))
        changed = vault_files.vault.read_bytes()
        with pytest.raises(VaultChanged, match="changed by another program"):
            vault.save()
        assert vault_files.vault.read_bytes() == changed
        assert vault.dirty


def test_a_removed_lock_file_stops_saving(vault_files: VaultFiles) -> None:
    with vault_files.open() as vault:
        add_client(vault)
        vault_files.paths.lock.unlink()
        with pytest.raises(SaveFailed, match="lock file"):
            vault.save()


def test_stale_temp_files_from_a_crash_are_removed_on_open(vault_files: VaultFiles) -> None:
    leftover = vault_files.vault.with_name(".vault.age.0123456789ab.tmp")
    leftover.write_bytes(b"half a ciphertext")
    vault_files.open(writable=False).close()
    assert leftover.exists()  # a reader never deletes anything
    vault_files.open().close()
    assert not leftover.exists()


# -- backups -------------------------------------------------------------------------


def test_the_first_save_of_a_session_keeps_a_backup(vault_files: VaultFiles) -> None:
    original = vault_files.vault.read_bytes()
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
    assert backup.path.read_bytes() == original
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
    vault_before = vault_files.vault.read_bytes()
    with Vault.open(vault_files.vault, passphrase_unlocker(PASSPHRASE)) as vault:
        vault.wrap_own_identity("a brand new passphrase")
    assert vault_files.vault.read_bytes() == vault_before
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

    with vault_files.open() as vault:
        add_client(vault)
        before = vault_files.vault.read_bytes()
        real_write = files.Sink.write

        def lossy(self: files.Sink, data: bytes) -> int:
            return real_write(self, bytes(data)[:-1]) + 1

        monkeypatch.setattr(files.Sink, "write", lossy)
        with pytest.raises(SaveFailed, match="came out incomplete"):
            vault.save()
        assert vault_files.vault.read_bytes() == before
        monkeypatch.undo()
        assert vault.save() is not None
    with vault_files.open(writable=False) as vault:
        assert len(vault.repo.clients) == 1


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
