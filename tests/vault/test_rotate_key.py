"""``casetui rotate-key``: after it, the old key file and passphrase open nothing kept.

``passwd`` re-wraps the same key, so an old copy of the key file still opens every
later save with the old passphrase; it now says so. ``rotate-key`` makes a new key.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casetui.core.errors import WrongKey
from casetui.vault import keys
from casetui.vault.document import PREVIOUS_KEY_NAME
from casetui.vault.unlocking import keyring_unlocker, passphrase_unlocker
from casetui.vault.vault import Vault
from casetui.vault.vault_paths import VaultPaths
from tests.conftest import PASSPHRASE, VaultFiles, clean_env, run_casetui

NEW = "copper meadow lantern drift"


def rotate(files: VaultFiles, home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_casetui(
        "rotate-key",
        "--vault",
        files.vault,
        "--yes",
        *extra,
        home=home,
        env={"CASETUI_PASSPHRASE": PASSPHRASE, "CASETUI_NEW_PASSPHRASE": NEW},
    )


def with_backups(files: VaultFiles, sessions: int = 3) -> VaultFiles:
    """A vault with backups, as after a few sessions (one backup each)."""
    for _ in range(sessions):
        with files.open() as vault:
            vault.set_owner(vault.owner_staff_id or "st_x")
            vault.save(force=True)
    assert len(list(files.vault.parent.glob("vault.age.backups/*.age"))) == sessions
    return files


def opens_with(keyring: keys.Keyring, path: Path) -> bool:
    """True when ``keyring`` decrypts the age file at ``path`` (a backup, or one file of
    the vault folder)."""
    try:
        keys.decrypt(path.read_bytes(), keyring, path)
    except WrongKey:
        return False
    return True


def folder_files(vault: Path) -> list[Path]:
    """Every file of the vault folder: its snapshots and changes."""
    files = sorted(p for p in vault.rglob("*") if p.is_file())
    assert files, f"{vault} holds no files"
    return files


def every_file(vault: Path) -> list[str]:
    return [str(p.relative_to(vault)) for p in folder_files(vault)]


def opened_by(keyring: keys.Keyring, vault: Path) -> list[str]:
    """The files of the vault folder that ``keyring`` decrypts."""
    return [str(p.relative_to(vault)) for p in folder_files(vault) if opens_with(keyring, p)]


@pytest.mark.parametrize("choice", ["reencrypt", "delete"])
def test_after_rotate_key_the_old_key_file_and_passphrase_open_nothing_kept(
    vault_files: VaultFiles, home: Path, tmp_path: Path, choice: str
) -> None:
    files = with_backups(vault_files)
    old_key_file = tmp_path / "stolen.identity.age"
    shutil.copy2(files.paths.identity, old_key_file)
    old = keys.load_vault_identity(old_key_file, PASSPHRASE)
    assert opened_by(old, files.vault) == every_file(files.vault)

    result = rotate(files, home, "--backups", choice)
    assert result.returncode == 0, result.stderr

    # Nothing kept: no file of the vault folder (the files from before the rotation, left
    # for other devices to sync, included) and no backup opens with the old key.
    assert opened_by(old, files.vault) == []
    with pytest.raises(WrongKey):
        Vault.open(files.vault, keyring_unlocker(old), writable=False)
    backups = sorted(files.vault.parent.glob("vault.age.backups/*.age"))
    assert backups, "a backup is always kept"
    for backup in backups:
        assert not opens_with(old, backup), backup.name
    new = keys.load_vault_identity(files.paths.identity, NEW)
    assert opened_by(new, files.vault) == every_file(files.vault)
    for backup in backups:
        assert opens_with(new, backup), backup.name
    with pytest.raises(WrongKey):
        keys.load_vault_identity(files.paths.identity, PASSPHRASE)
    with Vault.open(files.vault, passphrase_unlocker(NEW), writable=False) as vault:
        assert [r.name for r in vault.recipients] == ["this vault"]
        trail = [e.detail for e in vault.repo.audit.all()]
        assert any("replaced the vault's key" in d for d in trail)
    if choice == "delete":
        assert len(backups) == 1


def test_rotate_key_keeps_team_keys_working(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    import pyrage

    from casetui.services.recipients import add_recipient

    colleague = pyrage.x25519.Identity.generate()
    with vault_files.open() as vault:
        add_recipient(vault, str(colleague.to_public()), "Sam")
    assert rotate(vault_files, home).returncode == 0
    theirs = keys.Keyring([colleague], "key file")
    with Vault.open(vault_files.vault, keyring_unlocker(theirs), writable=False) as vault:
        # The vault as the rotation left it: the new own key, and Sam's.
        assert [r.name for r in vault.recipients] == ["this vault", "Sam"]
        new = keys.load_vault_identity(vault_files.paths.identity, NEW)
        assert vault.recipients[0].key in new.public_keys()
        trail = [e.detail for e in vault.repo.audit.all()]
        assert any("replaced the vault's key" in d for d in trail)


def test_rotate_key_asks_first_and_refuses_without_a_terminal(
    vault_files: VaultFiles, home: Path
) -> None:
    before = vault_files.snapshot()
    result = run_casetui(
        "rotate-key",
        "--vault",
        vault_files.vault,
        home=home,
        env={"CASETUI_PASSPHRASE": PASSPHRASE, "CASETUI_NEW_PASSPHRASE": NEW},
    )
    assert result.returncode == 1
    assert "add --yes" in result.stderr
    assert vault_files.snapshot() == before


def test_passwd_says_that_old_key_file_copies_still_open_the_vault(
    vault_files: VaultFiles, home: Path
) -> None:
    result = run_casetui(
        "passwd",
        "--vault",
        vault_files.vault,
        home=home,
        env={"CASETUI_PASSPHRASE": PASSPHRASE, "CASETUI_NEW_PASSPHRASE": NEW},
    )
    assert result.returncode == 0, result.stderr
    assert "old copy of the key file still opens" in result.stderr
    assert "rotate-key" in result.stderr


def listed_after_a_kill(files: VaultFiles) -> list[str]:
    """The names on the list, opening with whichever passphrase works; fails if neither."""
    identity = VaultPaths(files.vault).identity
    for passphrase in (PASSPHRASE, NEW):
        try:
            keyring = keys.load_vault_identity(identity, passphrase)
        except WrongKey:
            continue
        with Vault.open(files.vault, keyring_unlocker(keyring), writable=False) as vault:
            return [r.name for r in vault.recipients]
    raise AssertionError("neither the old nor the new passphrase opens the vault")


@pytest.mark.slow
def test_a_sigkilled_rotate_key_never_leaves_a_vault_that_will_not_open(
    vault_files: VaultFiles, home: Path
) -> None:
    """Killed at a random moment, many times: the old or the new passphrase always opens it.

    Each round starts again from the original files, so every kill lands in a full
    rotation. A rotation cut short is also finished by running rotate-key again.
    """
    files = with_backups(vault_files)
    pristine = files.vault.parent.parent / "pristine"
    shutil.copytree(files.vault.parent, pristine)
    env = clean_env(home, CASETUI_PASSPHRASE=PASSPHRASE, CASETUI_NEW_PASSPHRASE=NEW)
    env["CASETUI_STATE_DIR"] = str(home / "state-kill")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "casetui", "rotate-key", "--vault", str(files.vault), "--yes"],
        env=env,
        capture_output=True,
        check=False,
    )
    full = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    rng = random.Random(1234)
    rounds = int(os.environ.get("CASETUI_KILL_ROUNDS", "6"))
    cut_short = 0
    for _ in range(rounds):
        shutil.rmtree(files.vault.parent)
        shutil.copytree(pristine, files.vault.parent)
        shutil.rmtree(home / "state-kill", ignore_errors=True)
        process = subprocess.Popen(
            [sys.executable, "-m", "casetui", "rotate-key", "--vault", str(files.vault), "--yes"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Half the kills anywhere, half in the last quarter, where the writes are.
        start = 0.2 if rng.random() < 0.5 else full * 0.75
        time.sleep(rng.uniform(start, full * 1.05))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if PREVIOUS_KEY_NAME in listed_after_a_kill(files):
            cut_short += 1
    # The last cut-short rotation (if any) is finished by running it again.
    again = subprocess.run(
        [sys.executable, "-m", "casetui", "rotate-key", "--vault", str(files.vault), "--yes"],
        env={**env, "CASETUI_PASSPHRASE": _current(files)},
        capture_output=True,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    with Vault.open(files.vault, passphrase_unlocker(NEW), writable=False) as vault:
        assert [r.name for r in vault.recipients] == ["this vault"]
    print(f"{rounds} kills, {cut_short} left the old key listed; full run {full:.2f} s")


def _current(files: VaultFiles) -> str:
    try:
        keys.load_vault_identity(VaultPaths(files.vault).identity, NEW)
    except WrongKey:
        return PASSPHRASE
    return NEW


_KILL_AT_WRITE = """
import os, signal, sys
target, when = int(sys.argv[1]), sys.argv[2]
real_replace = os.replace
calls = 0

def replace(src, dst, **kw):
    global calls
    calls += 1
    if calls == target and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst, **kw)
    if calls == target and when == "after":
        os.kill(os.getpid(), signal.SIGKILL)

os.replace = replace
from casetui.cli import main
sys.exit(main(["rotate-key", "--vault", sys.argv[3], "--yes"]))
"""


@pytest.mark.slow
def test_rotate_key_killed_at_each_of_its_writes_leaves_a_vault_that_opens(
    vault_files: VaultFiles, home: Path
) -> None:
    """A SIGKILL just after each file it replaces, one run each.

    Random kill times rarely land in the few milliseconds between the writes, so
    every write is hit on purpose; the vault must open with the old passphrase or
    the new one every time, and running rotate-key again finishes the job.
    """
    files = with_backups(vault_files, sessions=1)
    pristine = files.vault.parent.parent / "pristine"
    shutil.copytree(files.vault.parent, pristine)
    env = clean_env(home, CASETUI_PASSPHRASE=PASSPHRASE, CASETUI_NEW_PASSPHRASE=NEW)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src")
    seen_kills = 0
    for target in range(1, 30):
        finished = False
        for when in ("after",):  # "before" write k is "after" write k - 1 on disk
            shutil.rmtree(files.vault.parent)
            shutil.copytree(pristine, files.vault.parent)
            env["CASETUI_STATE_DIR"] = str(home / f"state-{target}-{when}")
            proc = subprocess.run(
                [sys.executable, "-c", _KILL_AT_WRITE, str(target), when, str(files.vault)],
                env=env,
                capture_output=True,
                check=False,
            )
            if proc.returncode == 0:
                finished = True  # fewer writes than target: the whole rotation ran
                break
            assert proc.returncode == -signal.SIGKILL, proc.stderr
            seen_kills += 1
            names = listed_after_a_kill(files)
            assert names[0] == "this vault"
            if PREVIOUS_KEY_NAME in names:
                env["CASETUI_PASSPHRASE"] = _current(files)
                rerun = ["rotate-key", "--yes", "--vault", str(files.vault)]
                again = subprocess.run(
                    [sys.executable, "-m", "casetui", *rerun],
                    env=env,
                    capture_output=True,
                    check=False,
                )
                env["CASETUI_PASSPHRASE"] = PASSPHRASE
                assert again.returncode == 0, again.stderr
                assert listed_after_a_kill(files) == ["this vault"]
        if finished:
            break
    # The vault twice, the backup twice and the key file, at the least.
    assert seen_kills >= 5, seen_kills
