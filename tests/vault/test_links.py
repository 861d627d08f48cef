"""Symbolic links beside the vault: the lock file, and a vault reached through a link.

* The lock note is truncated and rewritten, so a lock file that is a link used to
  let anyone who can write in the vault's folder empty any file the owner can
  write.
* A save renames a temp file over the vault. Through an absolute link that
  replaced the link with a plain file and left the real vault old; through a
  relative link every save failed. The vault is now a folder (format 4): a link
  to the folder must work the same way, its saves going into the real folder and
  the lock, backups and key file beside it.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from casetui.core.errors import VaultError
from casetui.vault.lock import VaultLock, holder
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from casetui.vault.vault_paths import VaultPaths
from tests.conftest import VaultFiles, run_casetui, tree_bytes


def ident(files: VaultFiles, vault: Path | None = None) -> list[str]:
    return ["--vault", str(vault or files.vault), "--identity", str(files.identity_file)]


def test_a_lock_file_that_is_a_link_is_refused_and_its_target_untouched(
    vault_files: VaultFiles, tmp_path: Path, home: Path
) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("the only copy of something important\n")
    lock = vault_files.paths.lock
    lock.unlink(missing_ok=True)
    lock.symlink_to(precious)

    result = run_casetui("report", "accreditation", *ident(vault_files), home=home)
    assert precious.read_text() == "the only copy of something important\n"
    assert result.returncode != 0
    assert "lock file" in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(VaultError, match="link or not a plain file"):
        VaultLock(lock).acquire()
    assert holder(lock) is None  # only looks, and never through the link
    assert precious.read_text() == "the only copy of something important\n"


def test_a_lock_file_that_is_a_named_pipe_is_refused_without_hanging(
    vault_files: VaultFiles,
) -> None:
    lock = vault_files.paths.lock
    lock.unlink(missing_ok=True)
    os.mkfifo(lock)
    with pytest.raises(VaultError, match="not a plain file"):
        VaultLock(lock).acquire()


@pytest.mark.parametrize("kind", ["absolute", "relative"])
def test_a_vault_reached_through_a_link_saves_to_the_real_file(
    vault_files: VaultFiles, tmp_path: Path, kind: str
) -> None:
    shortcut_folder = tmp_path / "desk"
    shortcut_folder.mkdir()
    link = shortcut_folder / "vault.age"
    real = vault_files.vault
    assert real.is_dir()
    link.symlink_to(real if kind == "absolute" else os.path.relpath(real, shortcut_folder))
    before = tree_bytes(real)

    with Vault.open(link, identity_unlocker(vault_files.identity_file)) as vault:
        assert vault.path == real
        staff = vault.repo.staff.all()[0]
        vault.repo.staff.put(dataclasses.replace(staff, capacity=staff.capacity + 1))
        assert vault.save() is not None

    assert link.is_symlink(), "the link is still a link"
    after = tree_bytes(real)
    assert set(after) > set(before), "the real vault folder holds the save"
    assert {k: after[k] for k in before} == before, "no file in it was written over"
    # The lock, temp files and backups live beside the real folder, not the link.
    assert sorted(shortcut_folder.iterdir()) == [link]
    assert not (shortcut_folder / "vault.age.lock").exists()
    assert not (shortcut_folder / "vault.age.backups").exists()
    assert (real.parent / "vault.age.backups").is_dir()
    assert (real.parent / "vault.age.lock").is_file()
    with Vault.open(link, identity_unlocker(vault_files.identity_file), writable=False) as again:
        assert again.generation == vault.generation


def test_a_linked_vault_finds_a_key_file_kept_beside_the_link(
    vault_files: VaultFiles, tmp_path: Path
) -> None:
    """A vault in a synced folder, linked from home, with the key file kept at home."""
    home_folder = tmp_path / "home-folder"
    home_folder.mkdir()
    link = home_folder / "vault.age"
    link.symlink_to(vault_files.vault)
    kept = home_folder / "vault.identity.age"
    vault_files.paths.identity.rename(kept)
    assert VaultPaths(link).identity == kept
    assert VaultPaths(link).vault == vault_files.vault


def test_the_cli_through_a_relative_link_saves(
    vault_files: VaultFiles, tmp_path: Path, home: Path
) -> None:
    link = tmp_path / "linked.age"
    link.symlink_to(os.path.relpath(vault_files.vault, tmp_path))
    before = tree_bytes(vault_files.vault)
    result = run_casetui("recovery-key", *ident(vault_files, link), home=home)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    after = tree_bytes(vault_files.vault)
    # A change of keys writes a snapshot to the new list and removes what it replaces.
    assert set(after) - set(before), "the real vault folder holds the save"
    assert all(after[k] == before[k] for k in set(after) & set(before)), "nothing written over"
    assert not (tmp_path / "linked.age.lock").exists()
    assert not (tmp_path / "linked.age.backups").exists()
    with Vault.open(link, identity_unlocker(vault_files.identity_file), writable=False) as vault:
        assert "recovery" in " ".join(r.name for r in vault.recipients).lower()
