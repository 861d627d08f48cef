"""An older copy of the vault put back, and a removed key on its list again.

The review's sequence: Bob's key is added; it is removed with
``--delete-backups``; Bob puts an older copy back in the shared folder. Before,
the owner's next save was encrypted to Bob again and ``check`` said "All is
well". casetui now remembers, outside the vault, the newest generation it has
seen and the keys removed here.

The vault is a folder (format 4): its generation is the number of saves it holds
(every device's counters added up), and an older copy is the whole folder as it
was, put back in place of the newer one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyrage
import pytest

from casetui.core.choices import AuditAction
from casetui.core.errors import OlderCopy, RemovedKeyListed
from casetui.services.recipients import add_recipient, readmit_recipient, remove_recipient
from casetui.vault.seen import recall
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles, run_casetui, tree_bytes


def ident(files: VaultFiles) -> list[str]:
    return ["--vault", str(files.vault), "--identity", str(files.identity_file)]


def bob_public() -> str:
    return str(pyrage.x25519.Identity.generate().to_public())


def a_save(vault: Vault) -> None:
    """One save that changes something (a save that changes nothing writes nothing)."""
    vault.repo.record_event(AuditAction.REPORT_RUN, detail="a save")
    assert vault.save() is not None


@pytest.fixture
def bob_removed(vault_files: VaultFiles, tmp_path: Path) -> tuple[VaultFiles, Path]:
    """Bob added, a copy taken, then Bob removed and the backups deleted."""
    with vault_files.open() as vault:
        add_recipient(vault, bob_public(), "Bob")
    old_copy = tmp_path / "old-copy.age"
    shutil.copytree(vault_files.vault, old_copy)
    with vault_files.open() as vault:
        remove_recipient(vault, "Bob")
    return vault_files, old_copy


def put_back(files: VaultFiles, old_copy: Path) -> None:
    """The older copy of the folder in place of the vault, as someone restoring it would."""
    shutil.rmtree(files.vault)
    shutil.copytree(old_copy, files.vault)


def test_a_save_bumps_the_generation_and_this_computer_remembers_it(
    vault_files: VaultFiles,
) -> None:
    with vault_files.open() as vault:
        first = vault.generation
        a_save(vault)
        assert vault.generation == first + 1
        assert recall(vault.vault_id).generation == first + 1
    with vault_files.open(writable=False) as again:
        assert again.generation == first + 1


def test_opening_an_older_copy_for_writing_is_refused_before_anything_is_saved(
    bob_removed: tuple[VaultFiles, Path],
) -> None:
    files, old_copy = bob_removed
    put_back(files, old_copy)
    before = tree_bytes(files.vault)
    with pytest.raises(OlderCopy, match="older than one casetui has seen"):
        files.open()
    assert tree_bytes(files.vault) == before
    # Read-only still works, and says so.
    with files.open(writable=False) as vault:
        assert vault.older_copy() is not None


def test_a_removed_key_back_on_the_list_blocks_every_save_until_confirmed_by_name(
    bob_removed: tuple[VaultFiles, Path],
) -> None:
    files, old_copy = bob_removed
    put_back(files, old_copy)
    unlock = identity_unlocker(files.identity_file)
    with Vault.open(files.vault, unlock, accept_older=True) as vault:
        before = tree_bytes(files.vault)
        vault.set_owner(vault.owner_staff_id or "st_x")
        with pytest.raises(RemovedKeyListed, match="'Bob' was removed"):
            vault.save(force=True)
        assert tree_bytes(files.vault) == before  # never encrypted to Bob again
        readmit_recipient(vault, "Bob")
        assert vault.readmitted_keys() == []
    with files.open() as vault:  # confirmed: saving works again
        vault.save(force=True)


def test_removing_the_key_again_also_lets_saving_go_on(
    bob_removed: tuple[VaultFiles, Path],
) -> None:
    files, old_copy = bob_removed
    put_back(files, old_copy)
    unlock = identity_unlocker(files.identity_file)
    with Vault.open(files.vault, unlock, accept_older=True) as vault:
        remove_recipient(vault, "Bob")
        assert [r.name for r in vault.recipients] == ["this vault"]


def test_check_reports_both_and_exits_non_zero(
    bob_removed: tuple[VaultFiles, Path], home: Path, state_dir: Path
) -> None:
    files, old_copy = bob_removed
    env = {"CASETUI_STATE_DIR": str(state_dir)}  # what this computer remembers
    put_back(files, old_copy)
    result = run_casetui("check", *ident(files), home=home, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "All is well" not in result.stdout
    assert "older than one casetui has seen" in result.stderr
    assert "'Bob' was removed from this vault" in result.stderr


def test_the_cli_refuses_a_change_to_an_older_copy_and_accepts_it_when_asked(
    bob_removed: tuple[VaultFiles, Path], home: Path, state_dir: Path
) -> None:
    files, old_copy = bob_removed
    env = {"CASETUI_STATE_DIR": str(state_dir)}
    put_back(files, old_copy)
    refused = run_casetui("recipients", "readmit", "Bob", *ident(files), home=home, env=env)
    assert refused.returncode == 1
    assert "--accept-older-copy" in refused.stderr
    accepted = run_casetui(
        "recipients", "readmit", "Bob", "--accept-older-copy", *ident(files), home=home, env=env
    )
    assert accepted.returncode == 0, accepted.stderr
    assert "on the list again by your choice" in accepted.stdout
    clean = run_casetui("check", *ident(files), home=home, env=env)
    assert clean.returncode == 0, clean.stderr


def test_a_newer_copy_saved_on_another_computer_is_not_an_older_copy(
    vault_files: VaultFiles, tmp_path: Path, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with vault_files.open() as vault:
        a_save(vault)
        mine = vault.generation
    monkeypatch.setenv("CASETUI_STATE_DIR", str(tmp_path / "another-laptop"))
    with vault_files.open() as vault:
        a_save(vault)
        a_save(vault)
    monkeypatch.setenv("CASETUI_STATE_DIR", str(state_dir))
    with vault_files.open() as vault:
        assert vault.older_copy() is None
        assert vault.generation == mine + 2
        assert recall(vault.vault_id).generation == mine + 2


def test_the_demo_vault_leaves_nothing_in_the_state_folder(tmp_path: Path, state_dir: Path) -> None:
    vault = Vault.create(tmp_path / "demo.age", None)
    try:
        vault.save(force=True)
    finally:
        vault.close()
    assert not (state_dir / "vaults").exists() or not any((state_dir / "vaults").iterdir())


async def test_the_app_opens_an_older_copy_read_only_and_says_why(
    bob_removed: tuple[VaultFiles, Path],
) -> None:
    from casetui.ui.app import CaseApp
    from casetui.ui.widgets.chrome import ReadOnlyBanner
    from tests.ui.test_ui_flows import caseload_ready

    files, old_copy = bob_removed
    put_back(files, old_copy)
    before = tree_bytes(files.vault)
    app = CaseApp(files.vault, unlocker=identity_unlocker(files.identity_file))
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        assert app.vault is not None and not app.vault.writable
        banner = app.screen.query_one(ReadOnlyBanner)
        assert "older copy" in str(banner.render())
    assert tree_bytes(files.vault) == before


async def test_the_app_warns_of_a_removed_key_and_keeps_edits_unsaved(
    bob_removed: tuple[VaultFiles, Path],
) -> None:
    from casetui.ui.app import CaseApp
    from tests.ui.test_ui_flows import caseload_ready, wait_for

    files, old_copy = bob_removed
    put_back(files, old_copy)
    before = tree_bytes(files.vault)
    app = CaseApp(files.vault, unlocker=identity_unlocker(files.identity_file), accept_older=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        await wait_for(pilot, lambda: not app.save_state.ok)
        assert app.save_state.text.startswith("Not saved: your changes are kept")

        def said() -> list[str]:
            return [n.message for n in app._notifications if "'Bob' was removed" in n.message]

        await wait_for(pilot, said)  # notify() posts a message: it lands a moment later
        # Said once, as the reason the first save (the unlock's audit entry) failed.
        assert len(said()) == 1
    assert tree_bytes(files.vault) == before
