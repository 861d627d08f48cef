"""The ways to unlock a vault: its passphrase, an identity file, or a keyring already open."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from casetui.vault import keys
from casetui.vault.vault_paths import VaultPaths

Unlocker = Callable[[VaultPaths], keys.Keyring]


def passphrase_unlocker(passphrase: str | Callable[[], str]) -> Unlocker:
    """Unlock with the vault's own identity file and its passphrase (scrypt)."""

    def unlock(paths: VaultPaths) -> keys.Keyring:
        secret = passphrase() if callable(passphrase) else passphrase
        return keys.load_vault_identity(paths.identity, secret)

    return unlock


def identity_unlocker(path: Path, passphrase: Callable[[], str] | None = None) -> Unlocker:
    """Unlock with ``--identity FILE``."""

    def unlock(_paths: VaultPaths) -> keys.Keyring:
        return keys.load_identity_file(path, passphrase)

    return unlock


def keyring_unlocker(keyring: keys.Keyring) -> Unlocker:
    """Reuse a keyring already unlocked (the app keeps one between saves)."""
    return lambda _paths: keyring
