"""Helpers for tests of a vault folder on several computers: a laptop (its copy of
the folder and its own state folder), syncing by copying files, and records."""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from casetui.core.records import Client
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles

INTAKE = date(2026, 3, 2)


def add_client(
    vault: Vault, client_id: str, name: str, *, intake: date = INTAKE, **extra: Any
) -> Client:
    return vault.repo.clients.add(
        Client(
            id=client_id,
            preferred_name=name,
            intake_date=intake,
            case_manager_id=vault.owner_staff_id,
            **extra,
        )
    )


def edit_client(vault: Vault, client_id: str, **changes: Any) -> Client:
    client = vault.repo.clients.require(client_id)
    return vault.repo.clients.put(dataclasses.replace(client, **changes))


@dataclass(eq=False)
class Laptop:
    """One computer: its copy of the vault folder and its own state folder."""

    name: str
    files: VaultFiles
    state: Path
    monkeypatch: pytest.MonkeyPatch

    @contextmanager
    def session(self, *, writable: bool = True) -> Iterator[Vault]:
        self.monkeypatch.setenv("CASETUI_STATE_DIR", str(self.state))
        with Vault.open(
            self.files.vault, identity_unlocker(self.files.identity_file), writable=writable
        ) as vault:
            yield vault


def state_folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / f"state-{name}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def two_devices(
    files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Laptop, Laptop]:
    """Two devices on the one folder (only one can write at a time: the writer lock)."""
    return (
        Laptop("a", files, state_folder(tmp_path, "a"), monkeypatch),
        Laptop("b", files, state_folder(tmp_path, "b"), monkeypatch),
    )


def two_laptops(
    files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Laptop, Laptop]:
    """The folder copied to a second laptop, as a sync tool would have put it there."""
    a = Laptop("a", files, state_folder(tmp_path, "a"), monkeypatch)
    folder = tmp_path / "laptop-b"
    folder.mkdir(mode=0o700)
    shutil.copytree(files.vault, folder / files.vault.name)
    b_files = VaultFiles(folder / files.vault.name, files.identity_file)
    return a, Laptop("b", b_files, state_folder(tmp_path, "b"), monkeypatch)


def exchange(a: Laptop, b: Laptop) -> int:
    """Copy each folder's files the other lacks (``cp -rn`` both ways); returns how many."""
    copied = 0
    listed = {side: sorted(side.files.vault.rglob("*")) for side in (a, b)}
    for src, dst in ((a, b), (b, a)):
        for path in listed[src]:
            if not path.is_file() or path.name.startswith("."):
                continue
            target = dst.files.vault / path.relative_to(src.files.vault)
            if not target.exists():
                target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                shutil.copy2(path, target)
                copied += 1
    return copied


def later() -> None:
    """Let the clock move on, so the next change is stamped after the last one."""
    time.sleep(0.005)
