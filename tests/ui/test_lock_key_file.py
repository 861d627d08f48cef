"""A session opened with --identity unlocks after a lock the same way: with its key file.

The person may not know the vault's passphrase at all (a colleague's key, a
recovery key), so the lock screen must not ask for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyrage
import pytest
from textual.widgets import Button, Input, Label, Static

from casetui.core.errors import SaveFailed
from casetui.services.recipients import add_recipient
from casetui.ui.app import CaseApp
from casetui.ui.screens.unlock import LockScreen
from casetui.vault import keys
from casetui.vault.unlocking import identity_unlocker, passphrase_unlocker
from casetui.vault.vault import Vault
from tests.conftest import PASSPHRASE, VaultFiles
from tests.ui.test_lock import dom_text, lock_done, problem_text
from tests.ui.test_ui_casework import new_client, seed
from tests.ui.test_ui_flows import TODAY, caseload_ready, type_into, wait_for

CLIENT = "Maelis Oakhurst"
KEY_PASSPHRASE = "juniper kettle compass fourteen"


def _key_file(files: VaultFiles, folder: Path, *, passphrase: str | None = None) -> Path:
    """A new age identity, added to the vault's keys, written unencrypted or wrapped."""
    identity = pyrage.x25519.Identity.generate()
    client = seed(
        files,
        lambda vault: (
            add_recipient(vault, str(identity.to_public()), "Sam Keyholder"),
            new_client(vault, CLIENT),
        )[1],
    )
    assert client.preferred_name == CLIENT
    text = f"# a colleague's key\n{identity}\n"
    if passphrase is None:
        path = folder / "sam-key.txt"
        path.write_text(text)
    else:
        path = folder / "sam-key.age"
        path.write_bytes(keys.wrap_identity(text, passphrase))
    path.chmod(0o600)
    return path


def _app(files: VaultFiles, key: Path, passphrase: str | None = None) -> CaseApp:
    """As ``casetui --identity KEY`` starts it: the key read first, and its path kept."""
    asked = None if passphrase is None else (lambda: passphrase)
    return CaseApp(
        files.vault,
        unlocker=identity_unlocker(key, asked),
        identity=key,
        today=TODAY,
    )


def _names(app: CaseApp) -> list[str]:
    assert app.vault is not None
    return [c.preferred_name for c in app.vault.repo.clients.all()]


async def test_a_key_file_session_unlocks_with_its_key_file_after_quick_hide(
    vault_files: VaultFiles, tmp_path: Path
) -> None:
    key = _key_file(vault_files, tmp_path)
    app = _app(vault_files, key)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        assert CLIENT in _names(app)
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        await wait_for(pilot, lambda: lock_done(app))
        assert app.vault is None
        assert app.preset_unlocker is None  # the key read at the start is let go too
        assert CLIENT not in dom_text(app)
        # No box for the vault's passphrase: a button names the key file instead.
        assert not app.screen.query("#passphrase")
        button = app.screen.query_one("#unlock-key", Button)
        assert "sam-key.txt" in str(button.label)
        assert button.has_focus
        shown = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "anyone at this computer can unlock" in shown
        await pilot.press("enter")  # the deliberate keystroke
        await caseload_ready(pilot, app)
        assert app.vault is not None
        assert app.vault.keyring.source == "key file sam-key.txt"
        assert CLIENT in _names(app)
        await pilot.press("ctrl+q")


async def test_a_passphrase_protected_key_file_asks_for_its_own_passphrase(
    vault_files: VaultFiles, tmp_path: Path
) -> None:
    key = _key_file(vault_files, tmp_path, passphrase=KEY_PASSPHRASE)
    app = _app(vault_files, key, KEY_PASSPHRASE)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        await wait_for(pilot, lambda: lock_done(app))
        assert not app.screen.query("#unlock-key")
        labels = " ".join(str(label.render()) for label in app.screen.query(Label))
        assert "Passphrase for the key file sam-key.age" in labels
        # The vault's own passphrase is not what unlocks this session.
        await type_into(pilot, "#passphrase", PASSPHRASE)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "does not open" in problem_text(app), timeout=30)
        assert app.vault is None
        assert app.screen.query_one("#passphrase", Input).value == ""
        await type_into(pilot, "#passphrase", KEY_PASSPHRASE)
        await pilot.press("enter")
        await caseload_ready(pilot, app)
        assert app.vault is not None
        assert app.vault.keyring.source == "key file sam-key.age"
        assert CLIENT in _names(app)
        await pilot.press("ctrl+q")


async def test_a_vault_kept_after_a_failed_save_comes_back_only_for_its_key(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _key_file(vault_files, tmp_path)
    real_key = key.read_bytes()
    app = _app(vault_files, key)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        real_save = Vault.save

        def full_disk(self: Vault, *, force: bool = False) -> None:
            raise SaveFailed("The disk is full; free some space, then press ctrl+s to save again.")

        monkeypatch.setattr(Vault, "save", full_disk)
        app.run_on_vault(lambda v: new_client(v, "Unsaved Newcomer"))
        await wait_for(pilot, lambda: not app.save_state.ok)
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        await wait_for(pilot, lambda: "could not be saved" in problem_text(app))
        # Someone swaps in a key of their own: it must not bring the kept vault back.
        key.write_text(f"{pyrage.x25519.Identity.generate()}\n")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "does not open this vault" in problem_text(app))
        assert app.vault is None
        button = app.screen.query_one("#unlock-key", Button)
        assert button.has_focus
        key.write_bytes(real_key)
        monkeypatch.setattr(Vault, "save", real_save)
        await wait_for(pilot, lambda: not button.has_class("-active"))  # Textual's debounce
        await pilot.press("enter")
        await caseload_ready(pilot, app)
        assert "Unsaved Newcomer" in _names(app)
        await wait_for(pilot, lambda: app.vault is not None and not app.vault.dirty)
        await pilot.press("ctrl+q")
    with vault_files.open(writable=False) as vault:
        assert "Unsaved Newcomer" in [c.preferred_name for c in vault.repo.clients.all()]


async def test_a_passphrase_session_still_asks_for_the_passphrase(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = CaseApp(vault_files.vault, unlocker=passphrase_unlocker(PASSPHRASE), today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        real_save = Vault.save

        def full_disk(self: Vault, *, force: bool = False) -> None:
            raise SaveFailed("The disk is full; free some space, then press ctrl+s to save again.")

        monkeypatch.setattr(Vault, "save", full_disk)
        app.run_on_vault(lambda v: new_client(v, "Unsaved Newcomer"))
        await wait_for(pilot, lambda: not app.save_state.ok)
        await pilot.press("f12")
        await wait_for(pilot, lambda: isinstance(app.screen, LockScreen))
        await wait_for(pilot, lambda: "could not be saved" in problem_text(app))
        assert not app.screen.query("#unlock-key")
        monkeypatch.setattr(Vault, "save", real_save)
        opened: list[Path] = []
        real_open = Vault.open

        def spy(path: Path, *args: Any, **kwargs: Any) -> Vault:
            opened.append(path)
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(Vault, "open", spy)
        await type_into(pilot, "#passphrase", PASSPHRASE)
        await pilot.press("enter")
        await caseload_ready(pilot, app)
        await pilot.pause(0.5)
        # The kept vault came back; nothing tried to open the file a second time (it
        # would find this app's own writer lock, and turn the session read-only).
        assert opened == []
        assert not app.read_only
        assert "Unsaved Newcomer" in _names(app)
        await wait_for(pilot, lambda: app.vault is not None and not app.vault.dirty)
        await pilot.press("ctrl+q")
