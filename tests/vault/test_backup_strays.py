"""The backups folder as others leave it: entries that vanish, links and folders.

A writer prunes old backups while ``casetui check`` reads them, so a backup can
vanish between the listing and the read. And anything else found in the folder
(a dangling link named like a backup, a link to a file elsewhere, a folder) must
neither block a save nor be followed: backups are regular files only, and
``check`` names the rest in a note.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casetui.services.checkup import check_vault
from casetui.vault.backups import Backup, Backups
from casetui.vault.unlocking import identity_unlocker
from tests.conftest import VaultFiles, run_casetui

LINKED_NAME = "vault-20200101T000000000000Z.age"
DANGLING_NAME = "vault-20200102T000000000000Z.age"
FOLDER_NAME = "vault-20200103T000000000000Z.age"


def backups_folder(files: VaultFiles) -> Path:
    return files.vault.with_name(files.vault.name + ".backups")


def add_strays(files: VaultFiles, elsewhere: Path) -> list[Path]:
    """A link to a file outside, a dangling link and a folder, all named like backups."""
    folder = backups_folder(files)
    folder.mkdir(mode=0o700)
    (folder / LINKED_NAME).symlink_to(elsewhere)
    (folder / DANGLING_NAME).symlink_to(folder / "gone.age")
    (folder / FOLDER_NAME).mkdir()
    return [folder / LINKED_NAME, folder / DANGLING_NAME, folder / FOLDER_NAME]


def test_strays_in_the_backups_folder_neither_block_a_save_nor_are_followed(
    vault_files: VaultFiles, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "someone-elses-file.txt"
    elsewhere.write_text("not casetui's\n")
    elsewhere.chmod(0o644)
    strays = add_strays(vault_files, elsewhere)

    with vault_files.open() as vault:
        vault.backups.keep = 1  # prune as hard as possible: strays must not count or go
        saved = vault.save(force=True)
        assert saved is not None and saved.backup is not None
        assert [b.path for b in vault.backups.newest_first()] == [saved.backup]
        assert vault.backups.strays() == sorted(strays)
    assert all(p.is_symlink() or p.is_dir() for p in strays)
    assert elsewhere.read_text() == "not casetui's\n"

    report = check_vault(vault_files.vault, identity_unlocker(vault_files.identity_file))
    assert report.ok, report.problems
    assert [b.backup.path for b in report.backups] == [saved.backup]
    for stray in strays:
        assert any(w.startswith(f"{stray.name} in ") for w in report.warnings), report.warnings


def test_check_skips_a_backup_that_vanishes_while_it_runs(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    with vault_files.open() as vault:
        vault.save(force=True)
    real = Backups.newest_first
    folder = backups_folder(vault_files)
    pruned = Backup(folder / LINKED_NAME, datetime(2020, 1, 1, tzinfo=UTC), 9)

    def listed_then_pruned(self: Backups) -> list[Backup]:
        return [*real(self), pruned]  # listed, then unlinked by a writer before it is read

    monkeypatch.setattr(Backups, "newest_first", listed_then_pruned)
    report = check_vault(vault_files.vault, identity_unlocker(vault_files.identity_file))
    assert report.ok, report.problems
    assert len(report.backups) == 1


_WRITER = """
import sys, time
from pathlib import Path
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault

vault, stop, identity = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
with Vault.open(vault, identity_unlocker(identity), backups_keep=3) as opened:
    deadline = time.monotonic() + 120
    while not stop.exists() and time.monotonic() < deadline:
        opened.take_backup()  # an ordinary (unpinned) backup, then the pruning
        time.sleep(0.002)
"""


def test_check_runs_cleanly_while_another_process_takes_and_prunes_backups(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _WRITER,
            str(vault_files.vault),
            str(stop),
            str(vault_files.identity_file),
        ]
    )
    try:
        deadline = time.monotonic() + 20
        while len(list(backups_folder(vault_files).glob("vault-*.age"))) < 3:
            assert writer.poll() is None, "the backup writer stopped"
            assert time.monotonic() < deadline, "the backup writer made no backups"
            time.sleep(0.05)
        for _ in range(40):
            result = run_casetui(
                "check",
                "--vault",
                vault_files.vault,
                "--identity",
                vault_files.identity_file,
                home=home,
            )
            assert "Traceback" not in result.stderr, result.stderr
            assert result.returncode == 0, result.stdout + result.stderr
            assert "All is well" in result.stdout
        assert writer.poll() is None, "the backup writer stopped"
    finally:
        stop.touch()
        writer.wait(timeout=30)
