"""Errors the vault raises. Each carries one sentence for the person at the keyboard.

The message says what is wrong and what to do. It never holds record contents,
so it is safe to print, log, or show in the app.
"""

from __future__ import annotations


class VaultError(Exception):
    """Base class. ``exit_code`` is what the command line exits with."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VaultNotFound(VaultError):
    pass


class VaultExists(VaultError):
    pass


class WrongKey(VaultError):
    """The passphrase or identity does not open the vault."""


class KeyFileError(VaultError):
    """An identity or key file is missing, damaged or of a kind we cannot use."""


class VaultDamaged(VaultError):
    """The vault file is empty, truncated, altered, or not an age file."""


class VaultShapeError(VaultError):
    """The vault decrypted, but does not hold a casetui document."""


class VaultDataError(VaultError):
    """Records in the vault break the domain rules (found by a full check)."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class VaultBusy(VaultError):
    """Another process holds the vault open for writing."""

    exit_code = 3


class VaultChanged(VaultError):
    """The file on disk is no longer the one this session opened."""


class SaveFailed(VaultError):
    """Writing failed (disk full, permissions...). The edit is still in memory."""


class ImportRejected(VaultError):
    """An import file has problems; nothing was written."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class OlderCopy(VaultError):
    """The vault file is older than the newest copy this computer has seen."""


class RemovedKeyListed(SaveFailed):
    """The recipients list holds a key removed earlier; nothing is saved until confirmed."""


class ReadOnlyVault(VaultError):
    """A write was attempted on a vault opened read-only."""
