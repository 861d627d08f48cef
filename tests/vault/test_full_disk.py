"""A disk with no space left: the vault still opens, and every write says the disk is full.

Every command, and even opening the app to read, used to end in "something
unexpected went wrong (OSError)": the writer lock's note could not be written. A
failed ``init`` could leave a key file without its vault.

The disk is made full in this process only, for the files in one folder: writes
there fail with ENOSPC once the room given is used up, as on a real full disk
(a partial write first, then the error), and so do new folders there.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from casetui import cli
from casetui.core.choices import AuditAction
from casetui.core.errors import SaveFailed
from casetui.ui.app import CaseApp
from casetui.vault.unlocking import identity_unlocker, passphrase_unlocker
from casetui.vault.vault import Vault
from casetui.vault.vault_paths import VaultPaths
from tests.conftest import PASSPHRASE, VaultFiles
from tests.ui.test_ui_flows import app_for, caseload_ready, wait_for


@dataclass
class FullDisk:
    """The folder whose disk is full, and how many bytes still fit there."""

    folder: Path | None = None
    room: int = 0

    def holds(self, path: str | bytes | os.PathLike[str]) -> bool:
        if self.folder is None:
            return False
        return Path(os.fsdecode(path)).resolve().is_relative_to(self.folder.resolve())

    def holds_fd(self, fd: int) -> bool:
        try:
            return self.holds(Path(f"/proc/self/fd/{fd}").readlink())
        except OSError:
            return False

    def take(self, wanted: int) -> int:
        """How many of ``wanted`` bytes fit; raises ENOSPC when none do."""
        if wanted and self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        given = min(wanted, self.room)
        self.room -= given
        return given


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FullDisk]:
    disk = FullDisk()
    real_write, real_pwrite = os.write, os.pwrite
    real_ftruncate, real_mkdir = os.ftruncate, os.mkdir

    def write(fd: int, data: bytes) -> int:
        if not disk.holds_fd(fd):
            return real_write(fd, data)
        return real_write(fd, memoryview(data)[: disk.take(len(data))])

    def pwrite(fd: int, data: bytes, offset: int) -> int:
        if not disk.holds_fd(fd):
            return real_pwrite(fd, data, offset)
        return real_pwrite(fd, memoryview(data)[: disk.take(len(data))], offset)

    def ftruncate(fd: int, length: int) -> None:
        if disk.holds_fd(fd) and disk.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_ftruncate(fd, length)

    def mkdir(path: str | os.PathLike[str], mode: int = 0o777, **kw: object) -> None:
        if disk.holds(path) and disk.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(path))
        real_mkdir(path, mode, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "pwrite", pwrite)
    monkeypatch.setattr(os, "ftruncate", ftruncate)
    monkeypatch.setattr(os, "mkdir", mkdir)

    def fill(folder: Path, room: int = 0) -> FullDisk:
        disk.folder, disk.room = folder, room
        return disk

    return fill


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


_DISK_FULL = re.compile(
    r"(?:casetui: )?Could not .+: the disk holding (.+) is full; "
    r"free some space and save again\.\n?"
)


def is_disk_full(sentence: str, folder: Path) -> bool:
    """One line saying what could not be written, that the disk is full, and what to do.

    The folder it names is ``folder`` or one inside it (the vault folder's
    ``changes`` folder, say): a vault is a folder of files now, all on that disk.
    """
    said = _DISK_FULL.fullmatch(sentence)
    return said is not None and Path(said[1]).is_relative_to(folder)


def no_crash_report(state_dir: Path) -> None:
    assert list(state_dir.rglob("crash-*")) == []


def test_a_full_disk_still_opens_the_vault_and_reads(
    sample_files: VaultFiles,
    full_disk: Callable[..., FullDisk],
    capsys: pytest.CaptureFixture[str],
    state_dir: Path,
) -> None:
    before = sample_files.snapshot()
    full_disk(sample_files.vault.parent)
    key = ("--vault", sample_files.vault, "--identity", sample_files.identity_file)
    for command in (["check"], ["audit"], ["recipients", "list"]):
        code, out, err = run(capsys, *command, *key)
        assert code == 0, (command, err)
        assert out
    with Vault.open(sample_files.vault, identity_unlocker(sample_files.identity_file)) as vault:
        assert vault.writable  # the writer lock is held; only its note is missing
        assert len(vault.repo.clients.all()) > 0
    assert sample_files.snapshot() == before
    no_crash_report(state_dir)


def test_writes_on_a_full_disk_fail_with_the_disk_full_sentence(
    sample_files: VaultFiles,
    full_disk: Callable[..., FullDisk],
    capsys: pytest.CaptureFixture[str],
    state_dir: Path,
) -> None:
    folder = sample_files.vault.parent
    before = sample_files.snapshot()
    full_disk(folder)
    key = ("--vault", sample_files.vault, "--identity", sample_files.identity_file)
    stats = ("report", "stats", "--from", "2026-01-01", "--to", "2026-03-31")
    code, out, err = run(capsys, *stats, *key)
    assert (code, out) == (1, "")
    assert is_disk_full(err, folder), err
    code, out, err = run(capsys, "export", "--out", folder / "copy.age", *key)
    assert code == 1
    assert err == (
        f"casetui: Could not write copy.age: the disk holding {folder} is full; "
        "free some space and save again.\n"
    )
    assert {k: v for k, v in sample_files.snapshot().items() if "backups" not in k} == {
        k: v for k, v in before.items() if "backups" not in k
    }
    assert not (folder / "copy.age").exists()
    no_crash_report(state_dir)


@pytest.mark.parametrize("room", [0, 300], ids=["nothing fits", "part of the change fits"])
def test_a_save_on_a_full_disk_keeps_the_edit_and_saves_it_once_there_is_room(
    room: int, sample_files: VaultFiles, full_disk: Callable[..., FullDisk]
) -> None:
    """ENOSPC while the change file is written: nothing is left on disk, the edit waits."""
    folder = sample_files.vault.parent
    with sample_files.open() as vault:
        first = vault.repo.clients.all()[0]
        vault.repo.clients.put(dataclasses.replace(first, pronouns="they/them"))
        assert vault.save() is not None  # the session's backup is taken
        client = vault.repo.clients.require(first.id)
        before = sample_files.snapshot(lock_held=True)
        saves = vault.generation
        vault.repo.clients.put(dataclasses.replace(client, preferred_name="Wren Halloway"))
        disk = full_disk(folder, room)
        with pytest.raises(SaveFailed) as failed:
            vault.save()
        assert is_disk_full(failed.value.message, folder), failed.value.message
        assert vault.dirty
        assert vault.generation == saves
        assert sample_files.snapshot(lock_held=True) == before  # no temp file left behind
        with pytest.raises(SaveFailed):
            vault.save()  # still full: fails the same way
        assert vault.dirty
        disk.room = 1 << 30  # space was freed
        assert vault.save() is not None
        assert not vault.dirty
        assert vault.generation == saves + 1
    with sample_files.open(writable=False) as vault:
        again = vault.repo.clients.require(first.id)
        assert (again.preferred_name, again.pronouns) == ("Wren Halloway", "they/them")
        assert vault.file_problems() == []


@pytest.mark.parametrize("room", [0, 600], ids=["nothing fits", "only the key file fits"])
def test_init_on_a_full_disk_leaves_no_files_and_can_be_run_again(
    room: int,
    tmp_path: Path,
    full_disk: Callable[..., FullDisk],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    state_dir: Path,
    cheap_scrypt: None,
) -> None:
    monkeypatch.setenv("CASETUI_PASSPHRASE", PASSPHRASE)
    folder = tmp_path / "vaults"
    folder.mkdir()
    path = folder / "vault.age"
    disk = full_disk(folder, room)
    code, _out, err = run(capsys, "init", "--vault", path)
    assert code == 1
    assert is_disk_full(err, folder), err
    assert {p.name for p in folder.iterdir()} <= {VaultPaths(path).lock.name}
    no_crash_report(state_dir)

    disk.room = 1 << 30  # space was freed
    code, _out, err = run(capsys, "init", "--vault", path)
    assert code == 0, err
    with Vault.open(path, passphrase_unlocker(PASSPHRASE)) as vault:
        assert vault.writable


async def test_the_app_opens_a_vault_on_a_full_disk_says_it_cannot_save_and_retries(
    sample_files: VaultFiles, full_disk: Callable[..., FullDisk]
) -> None:
    folder = sample_files.vault.parent
    disk = full_disk(folder)
    app: CaseApp = app_for(sample_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        assert app.vault is not None
        assert app.vault.writable
        await wait_for(pilot, lambda: not app.save_state.ok)

        def said() -> list[str]:
            return [n.message for n in app._notifications if n.title == "Could not save"]

        # notify() posts a message: the notification is there a moment after the state.
        await wait_for(pilot, said)
        [message] = said()
        assert is_disk_full(message, folder), message
        assert app.vault.dirty  # the session's audit entry waits in memory
        disk.room = 1 << 30  # space was freed: ctrl+s saves what waited
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.save_state.ok and not app.vault.dirty)
        await pilot.press("ctrl+q")
    with sample_files.open(writable=False) as vault:
        assert [e.action for e in vault.repo.audit.all()][-1:] == [AuditAction.UNLOCKED]
        assert vault.file_problems() == []
