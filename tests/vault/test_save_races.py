"""Edits made while a save is being written in the worker are saved by the next one.

The app saves in a thread: the case manager can change something between the moment
a save takes its snapshot and the moment it has written it. That change must reach
the disk with the next save, whatever table it is in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from casetui.core.choices import AuditAction
from casetui.core.records import Client, Staff
from casetui.vault.journal.device_journal import Journal
from casetui.vault.vault import Vault
from tests.conftest import VaultFiles
from tests.vault.laptops import add_client, edit_client, exchange, later, two_laptops


class PausedCommit:
    """Once armed, the next ``Journal.commit`` sets ``inside`` and waits for ``release``."""

    def __init__(self) -> None:
        self.armed = False
        self.inside = threading.Event()
        self.release = threading.Event()


@pytest.fixture
def paused_commit(monkeypatch: pytest.MonkeyPatch) -> Iterator[PausedCommit]:
    pause = PausedCommit()
    real = Journal.commit

    def paused(self: Journal, *args: Any, **kwargs: Any) -> Any:
        if pause.armed and not pause.inside.is_set():
            pause.inside.set()
            assert pause.release.wait(30)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Journal, "commit", paused)
    yield pause
    pause.release.set()


def save_in_a_thread(vault: Vault) -> threading.Thread:
    worker = threading.Thread(target=vault.save)
    worker.start()
    return worker


def with_a_case_manager(files: VaultFiles) -> str:
    with files.open() as vault:
        staff = vault.repo.staff.add(Staff.create(name="Robin Larkspur"))
        vault.save()
        return staff.id


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda v, sid: v.set_owner(sid), id="owner (the vault's meta row)"),
        pytest.param(
            lambda v, sid: v.repo.clients.add(
                Client.create(
                    preferred_name="Tamsin Fernhollow",
                    case_manager_id=sid,
                    intake_date=date(2026, 11, 2),
                )
            ),
            id="a client",
        ),
    ],
)
def test_a_change_made_while_a_save_is_written_is_saved_by_the_next(
    vault_files: VaultFiles,
    paused_commit: PausedCommit,
    change: Callable[[Vault, str], object],
) -> None:
    """Before this, the owner chosen on the first-run screen while the unlock's save
    was being written was lost: the save noted the meta row as saved with the choice
    in it, so the next save found nothing to write, and the vault reopened with no
    owner (the first-run test failed now and then in CI)."""
    staff_id = with_a_case_manager(vault_files)
    pause = paused_commit
    with vault_files.open() as vault:
        vault.repo.record_event(AuditAction.UNLOCKED)  # what the unlock saves
        pause.armed = True
        worker = save_in_a_thread(vault)
        assert pause.inside.wait(30)
        change(vault, staff_id)  # the case manager's choice, mid-save
        pause.release.set()
        worker.join(30)
        assert vault.dirty  # the change is not in the save that was being written
        vault.save()
        assert not vault.dirty
        expected_owner = vault.owner_staff_id
        expected_clients = sorted(c.preferred_name for c in vault.repo.clients)
    with vault_files.open(writable=False) as again:
        assert again.owner_staff_id == expected_owner
        assert sorted(c.preferred_name for c in again.repo.clients) == expected_clients
    assert expected_owner == staff_id or expected_clients == ["Tamsin Fernhollow"]


def test_an_edit_made_while_other_devices_changes_are_read_keeps_both(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Laptop B changed a client's pronouns. Laptop A's refresh read that change, and
    in that moment the case manager on A changed the client's language. Before this,
    taking B's change in replaced A's row with B's, so A's edit was lost without a
    word: the row no longer differed from what was saved."""
    a, b = two_laptops(vault_files, tmp_path, monkeypatch)
    with a.session() as vault:
        add_client(vault, "cl_shared", "Tamsin Fernhollow")
        vault.save()
    exchange(a, b)
    inside, release = threading.Event(), threading.Event()
    real = Journal.refresh

    def paused(self: Journal) -> set[tuple[str, str]]:
        touched = real(self)
        if touched:
            inside.set()
            assert release.wait(30)
        return touched

    with a.session() as on_a:
        with b.session() as on_b:
            later()
            edit_client(on_b, "cl_shared", pronouns="they/them")
            on_b.save()
        exchange(a, b)
        monkeypatch.setattr(Journal, "refresh", paused)
        worker = threading.Thread(target=on_a.refresh)
        worker.start()
        assert inside.wait(30)
        later()
        edit_client(on_a, "cl_shared", language="Tagalog")  # mid-refresh, on the UI thread
        release.set()
        worker.join(30)
        shown = on_a.repo.clients.require("cl_shared")
        assert (shown.pronouns, shown.language) == ("they/them", "Tagalog")
        assert on_a.dirty
        on_a.save()
    with a.session(writable=False) as again:
        kept = again.repo.clients.require("cl_shared")
        assert (kept.pronouns, kept.language) == ("they/them", "Tagalog")
