"""Errors casetui raises. Each carries one sentence for the person at the keyboard.

:class:`ValidationError` is the domain's: a field holds a value it cannot accept.
:class:`VaultError` and its kinds are the storage's: a file that cannot be read,
opened or written. Both live here, at the bottom, so that every layer above can
raise and catch them without importing the layer that usually does. Messages say
what is wrong and what to do, never record contents, so they are safe to print,
log, or show in the app.
"""

from __future__ import annotations

from casetui.core.text import printable


class ValidationError(ValueError):
    """A record field holds a value the domain cannot accept.

    ``field`` names the field (dotted for nested values, such as
    ``progress_notes[2].date``); ``problem`` is one plain sentence fragment that
    says what is wrong and, where it helps, what to do instead. The message never
    repeats free text the person typed, only its length, so it is safe to log.
    """

    def __init__(self, field: str, problem: str) -> None:
        field = printable(field)  # a field name can come from a hand-edited file's keys
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem

    def within(self, prefix: str) -> ValidationError:
        """The same error, with its field placed under ``prefix``."""
        return ValidationError(f"{prefix}.{self.field}" if prefix else self.field, self.problem)


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
