"""An erasure made on one laptop reaches the other: its folder, and its own backups."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from casetui.services.removal import plan_removal, remove_client
from casetui.vault import keys
from casetui.vault.seen import recall
from tests.conftest import VaultFiles

CANARY = "Canary-Elsewhere-Juniper"


def holding(folder: Path, keyring: keys.Keyring) -> list[str]:
    """The files under ``folder`` whose plaintext holds the canary."""
    found = []
    for file in sorted(folder.rglob("*.age")):
        if not file.is_file() or file.name.endswith(".identity.age"):
            continue
        if CANARY.encode() in keys.decrypt(file.read_bytes(), keyring, file):
            found.append(str(file.relative_to(folder)))
    return found


@pytest.mark.parametrize("how", ["open", "refresh"])
def test_an_erasure_made_elsewhere_is_carried_out_in_this_laptops_files_and_backups(
    sample_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    keyring = keys.load_identity_file(sample_files.identity_file)
    state_a, state_b = tmp_path / "state-a", tmp_path / "state-b"
    monkeypatch.setenv("CASETUI_STATE_DIR", str(state_a))
    with sample_files.open() as vault:
        client = sorted(vault.repo.clients, key=lambda c: c.preferred_name)[0]
        vault.repo.clients.put(dataclasses.replace(client, safe_contact_notes=CANARY))
        vault.save()
    laptop_b = tmp_path / "laptop-b"
    laptop_b.mkdir(mode=0o700)
    b = VaultFiles(laptop_b / sample_files.vault.name, sample_files.identity_file)
    shutil.copytree(sample_files.vault, b.vault)

    # Laptop B works on its copy: its first save keeps a backup, holding the canary.
    monkeypatch.setenv("CASETUI_STATE_DIR", str(state_b))
    with b.open() as vault:
        other = sorted(vault.repo.clients, key=lambda c: c.preferred_name)[1]
        vault.repo.clients.put(dataclasses.replace(other, language="Tagalog"))
        vault.save()
    assert any(name.startswith("vault.age.backups/") for name in holding(laptop_b, keyring))
    for file in (b.vault / "changes").glob("*.age"):  # B's save reaches A
        target = sample_files.vault / "changes" / file.name
        if not target.exists():
            shutil.copy2(file, target)

    # Laptop A erases the client: its folder holds them no more.
    monkeypatch.setenv("CASETUI_STATE_DIR", str(state_a))
    with sample_files.open() as vault:
        remove_client(vault, plan_removal(vault.repo, client.id), erase=True)
        vault.save()
    assert holding(sample_files.vault, keyring) == []

    def sync_a_to_b() -> None:
        # What the sync tool does: A's files, and A's deletions (A's snapshot holds B's save).
        shutil.rmtree(b.vault)
        shutil.copytree(sample_files.vault, b.vault)

    monkeypatch.setenv("CASETUI_STATE_DIR", str(state_b))
    if how == "open":
        sync_a_to_b()
        with b.open() as vault:
            assert client.id not in vault.repo.clients
            assert vault.repo.clients.require(other.id).language == "Tagalog"
    else:
        with b.open() as vault:
            assert client.id in vault.repo.clients
            sync_a_to_b()
            touched = vault.refresh()
            assert ("clients", client.id) in touched
            assert client.id not in vault.repo.clients
    assert holding(laptop_b, keyring) == []
    assert f"clients/{client.id}" in recall(vault.vault_id).erased
