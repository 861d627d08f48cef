"""Shared fixtures.

Creating a vault costs a scrypt run (a second or two), so one template vault is
made per test session and copied for each test. Most command-line tests unlock
with the unwrapped identity file (``--identity``), which skips scrypt; the tests
about passphrases use the passphrase itself.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from casetui.core.record_tables import RECORD_BY_TABLE
from casetui.vault import audit, keys
from casetui.vault.journal.device_journal import Journal
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from casetui.vault.vault_paths import VaultPaths

PASSPHRASE = "tidy lantern orchard seventeen"
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class VaultFiles:
    """A copied test vault: its paths and an unwrapped identity file for quick unlocks."""

    vault: Path
    identity_file: Path

    @property
    def paths(self) -> VaultPaths:
        return VaultPaths(self.vault)

    def open(self, *, writable: bool = True) -> Vault:
        return Vault.open(self.vault, identity_unlocker(self.identity_file), writable=writable)

    def snapshot(self, *, lock_held: bool = False) -> dict[str, bytes]:
        """Every file in the vault's folder (recursively) and its bytes.

        The writer lock file is left out: it is meant to outlive the process that
        made it (see ``vault/lock.py``). Once released it must be empty.
        """
        folder = self.vault.parent
        lock = self.paths.lock
        if lock.exists() and not lock_held:
            assert lock.read_bytes() == b"", "a released lock file still names its holder"
        return {
            str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p != lock
        }


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment for a casetui subprocess that cannot touch the real user's files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASETUI_")}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def run_casetui(
    *args: str | Path,
    home: Path,
    env: Mapping[str, str] | None = None,
    input_text: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m casetui ARGS`` in a clean environment and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "casetui", *map(str, args)],
        env=clean_env(home, **(env or {})),
        input=input_text,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def template_vault(tmp_path_factory: pytest.TempPathFactory) -> VaultFiles:
    """An empty vault (one case manager) and its unwrapped identity, made once."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "vault.age"
    Vault.create(path, PASSPHRASE, owner_name="Robin Testwell").close()
    keyring = keys.load_vault_identity(VaultPaths(path).identity, PASSPHRASE)
    identity_file = tmp_path_factory.mktemp("keys") / "identity.txt"
    assert keyring.own_secret is not None
    identity_file.write_text(keyring.own_secret + "\n")
    identity_file.chmod(0o600)
    return VaultFiles(path, identity_file)


@pytest.fixture(scope="session")
def sample_template(
    template_vault: VaultFiles, tmp_path_factory: pytest.TempPathFactory
) -> VaultFiles:
    """The template vault with the sample caseload imported, made once."""
    from casetui.resources import sample_caseload
    from casetui.services.interchange import apply_import, plan_import, read_interchange_file

    folder = tmp_path_factory.mktemp("sample-template")
    files = copy_vault(template_vault, folder)
    with files.open() as vault:
        data = read_interchange_file(sample_caseload(), vault.keyring)
        apply_import(vault, plan_import(vault, data, "caseload.json"))
    for backup in files.vault.parent.glob("vault.age.backups/*"):
        backup.unlink()
    return files


def tree_bytes(path: Path) -> dict[str, bytes]:
    """Every file under ``path`` (a vault folder), by its path inside, with its bytes."""
    if path.is_file():
        return {"": path.read_bytes()}
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
    }


def vault_document(path: Path, keyring: keys.Keyring) -> dict[str, Any]:
    """Every record of the vault at ``path`` (a folder, or a one-file vault or backup).

    What casetui itself reads: the journal's snapshots and changes merged, as
    TinyDB's document (``{table: {id: row}}`` with the ``_meta`` row).
    """
    if not path.is_dir():
        return json.loads(keys.decrypt(path.read_bytes(), keyring, path))  # type: ignore[no-any-return]
    journal = Journal.open(path, keyring, device="testreader")
    return journal.document(["_meta", *RECORD_BY_TABLE])


def rechain(document: dict[str, Any]) -> None:
    """Seal every audit chain again from the vault's (new) id."""
    meta = document["_meta"]["1"]
    chains: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for rid, row in document.get("audit", {}).items():
        chains.setdefault(audit.chain_of(row), []).append((rid, row))
    for chain, rows in chains.items():
        trail = sorted(rows, key=lambda item: audit.seq_of(item[1]))
        if not trail or not all(audit.seq_of(row) for _, row in trail):
            continue
        relinked = audit.chained(trail, audit.chain_start(meta, chain), 1, chain)
        document["audit"].update(dict(relinked))
        last_id, last_row = relinked[-1]
        meta[audit.head_key(chain)] = {
            "seq": last_row["seq"],
            "hash": audit.link(last_id, last_row),
        }


def copy_vault(source: VaultFiles, folder: Path) -> VaultFiles:
    """A new vault with the template's records and keys, but an id of its own.

    A plain copy would be the same vault to casetui (same id), and two of them in
    one test would look like an older copy put back over a newer one.
    """
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    shutil.copy2(source.paths.identity, folder / source.paths.identity.name)
    keyring = keys.load_identity_file(source.identity_file)
    document = vault_document(source.vault, keyring)
    meta = document["_meta"]["1"]
    meta["vault_id"] = secrets.token_hex(16)
    meta.pop("generation", None)
    rechain(document)
    recipients = [keys.RecipientEntry(r["name"], r["key"]) for r in meta["recipients"]]
    target = folder / source.vault.name
    Journal.create(
        target,
        document,
        keyring=keyring,
        recipients=recipients,
        vault_id=meta["vault_id"],
        device=secrets.token_hex(6),
    )
    return VaultFiles(target, source.identity_file)


@pytest.fixture
def vault_files(template_vault: VaultFiles, tmp_path: Path) -> VaultFiles:
    """A fresh copy of the empty template vault."""
    return copy_vault(template_vault, tmp_path / "vault")


@pytest.fixture
def sample_files(sample_template: VaultFiles, tmp_path: Path) -> VaultFiles:
    """A fresh copy of the vault holding the sample caseload (beside, never on, vault_files)."""
    return copy_vault(sample_template, tmp_path / "sample-vault")


@pytest.fixture
def vault(vault_files: VaultFiles) -> Iterator[Vault]:
    with vault_files.open() as opened:
        yield opened


#: A scrypt cost for tests that make many key files; the files have the same shape.
LOW_WORK_FACTOR = 10


@pytest.fixture
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Key files written in this process at a low scrypt cost (init in a loop, say)."""
    from casetui.vault import passphrase_file

    monkeypatch.setattr(
        keys,
        "wrap_identity",
        lambda text, secret: passphrase_file.encrypt(
            text.encode(), secret, work_factor=LOW_WORK_FACTOR
        ),
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture(autouse=True)
def state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """casetui's state folder (crash reports) for this test: never the user's own."""
    folder = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("CASETUI_STATE_DIR", str(folder))
    # The app now saves settings changed in it: never into the test runner's own.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    return folder
