"""The vault: a folder of small age-encrypted files, read into TinyDB's memory.

Opening reads the folder (see :mod:`casetui.vault.journal`): every device's
snapshots and changes, merged field by field, become the records held in
memory. Changes go through :class:`~casetui.vault.repository.Repository`;
``save()`` writes only what changed since the last save, as one new file named
for this device and this save, so a file-sync tool can carry the folder between
laptops and nothing is ever written over. ``refresh()`` reads what other devices
saved since; ``compact()`` writes a snapshot and removes the files it replaces.
A vault in the older one-file form is converted when it is opened for writing
(see :mod:`casetui.vault.conversion`); opened read-only, it is only read.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from casetui.core.errors import (
    KeyFileError,
    OlderCopy,
    ReadOnlyVault,
    SaveFailed,
    VaultDataError,
    VaultNotFound,
)
from casetui.core.history_records import AuditEntry
from casetui.core.records import Staff
from casetui.core.recordset import Problem, RecordSet, check_references
from casetui.files import atomic_write, describe_os_error
from casetui.vault import copy_checks, keys
from casetui.vault.actor import Actor
from casetui.vault.backups import DEFAULT_KEEP, Backups
from casetui.vault.conversion import convert, finish_interrupted, staged_folder
from casetui.vault.creation import creatable, write_new_vault
from casetui.vault.document import META_ID, META_TABLE, OWN_KEY_NAME, read_vault, records_of
from casetui.vault.journal.device_journal import Journal, new_device_id
from casetui.vault.journal.journal_folder import FileProblem
from casetui.vault.lock import VaultLock
from casetui.vault.opening import open_folder
from casetui.vault.persistence import Persistence, SaveResult
from casetui.vault.repository import Repository
from casetui.vault.seen import RemovedKey, Seen, recall
from casetui.vault.storage import Document, open_db
from casetui.vault.unlocking import Unlocker, keyring_unlocker
from casetui.vault.vault_paths import VaultPaths

__all__ = ["SaveResult", "Vault"]


class Vault(Persistence):
    """An open vault. Use :meth:`create` or :meth:`open`; close it when done."""

    #: The recipient stanza types in a one-file vault's header when it was opened
    #: read-only (grease included), to compare with the list in ``meta["recipients"]``;
    #: see :func:`casetui.services.checkup.unlisted_keys`. None for a vault folder.
    header_recipients: list[str] | None = None

    def __init__(
        self,
        paths: VaultPaths,
        keyring: keys.Keyring,
        document: Document,
        *,
        journal: Journal | None,
        lock: VaultLock | None,
        backups_keep: int = DEFAULT_KEEP,
    ) -> None:
        self.paths = paths
        self.keyring = keyring
        self.mutex = threading.RLock()
        self._save_mutex = threading.RLock()
        self._lock = lock
        self._journal = journal
        self.backups = Backups(paths.vault, backups_keep)
        self._last_backup: datetime | None = None
        self._db, self._storage = open_db(document)
        self._saved_generation = self._storage.generation
        #: The tables as last saved (or opened): the next save writes the difference.
        self._saved_tables: Document = dict(self._storage.document)
        generation = self.meta.get("generation", 0)
        #: How many saves the vault holds, as this session last read or wrote it.
        self._file_generation = generation if isinstance(generation, int) else 0
        #: The throwaway demo vault leaves nothing behind in the state folder.
        self._remembers = keyring.source != "memory"
        self.seen: Seen = recall(self.vault_id) if self._remembers else Seen(self.vault_id)
        self.repo = Repository(self._db, self._storage, self.mutex, writable=lock is not None)
        self.repo.actor_source = self.who
        if journal is not None:
            self.repo.audit_chain = journal.device
            self.repo.is_gone = self._is_gone
            self.repo.saved_stamp = self._saved_stamp
            self.repo.loading = journal.loaded.pending_tables
        self._actor = Actor(keyring)
        self.last_saved: datetime | None = None
        #: Records removed in this session that are to be erased, not only removed.
        self._erased: set[tuple[str, str]] = set()
        #: Fields whose versions a person chose between, to write even if unchanged.
        self._settle: set[tuple[str, str, str]] = set()
        #: An erasure whose snapshot is still to write (a failed one is tried again).
        self._erasure_unfinished = False
        #: A key left the list, and the snapshot retiring the journal secret is still
        #: to write (see :mod:`casetui.vault.journal.journal_secrets`).
        self._retire_pending = False

    # -- opening ------------------------------------------------------------------

    @staticmethod
    def creatable(path: Path) -> bool:
        """Raise VaultExists unless a vault can be created at ``path``; see :mod:`.creation`."""
        return creatable(path)

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str | None,
        *,
        owner_name: str | None = None,
        backups_keep: int = DEFAULT_KEEP,
    ) -> Self:
        """Create a new vault folder and its passphrase-wrapped identity. Returns it open.

        With ``passphrase=None`` no identity file is written: the key lives only
        in this process, so the vault can never be opened again once it closes.
        ``casetui demo`` uses that for its throwaway vault.

        All or nothing: both are written and fsynced under hidden temp names
        first, then put in place, key file first. A create that is stopped
        leaves no vault, and at most a key file that :meth:`creatable` recognises.
        """
        new = write_new_vault(path, passphrase, owner_name=owner_name)
        try:
            opened = open_folder(new.paths, keyring_unlocker(new.keyring), later=False)
        except BaseException:
            new.lock.release()
            raise
        vault = cls(
            new.paths,
            opened.keyring,
            opened.document,
            journal=opened.journal,
            lock=new.lock,
            backups_keep=backups_keep,
        )
        vault._journal_device(new.device)
        new.lock.name_holder(vault.who())  # the case manager, for "open elsewhere"
        vault._remember()
        return vault

    @classmethod
    def open(
        cls,
        path: Path,
        unlock: Unlocker,
        *,
        writable: bool = True,
        validate: bool = False,
        backups_keep: int = DEFAULT_KEEP,
        accept_older: bool = False,
        later: bool = False,
    ) -> Self:
        """Open a vault. ``writable`` takes the writer lock first (or fails at once).

        ``validate`` checks every record and reference and refuses a vault that
        breaks the rules; without it only the document's shape is checked, and
        records are checked as they are read. ``later`` leaves the meeting log and
        the audit trail for :meth:`load_rest` (the app draws the caseload first).

        A copy older than the newest this computer has seen (see
        :mod:`casetui.vault.seen`) is refused for writing with :class:`OlderCopy`
        unless ``accept_older``: the person put it back on purpose.
        """
        paths = VaultPaths(path)
        lock = VaultLock(paths.lock) if writable else None
        if lock is not None:
            if not paths.vault.parent.is_dir():
                raise cls._not_found(paths)
            lock.acquire()
        try:
            if lock is not None:
                finish_interrupted(paths)
            if not paths.vault.exists():
                if staged_folder(paths).exists():
                    raise VaultNotFound(
                        f"Converting the vault {paths.vault} to a folder was stopped; open it "
                        "once to make changes (not read-only), and casetui finishes it."
                    )
                raise cls._not_found(paths)
            vault = cls._read(
                paths, unlock, lock, later=later, backups_keep=backups_keep, validate=validate
            )
            if validate:
                problems = vault.problems()
                if problems:
                    raise VaultDataError(
                        f"The vault {paths.vault} has {len(problems)} record"
                        f"{'' if len(problems) == 1 else 's'} that break casetui's rules; "
                        "run 'casetui check' to list them.",
                        [str(p) for p in problems],
                    )
            vault._take_stock(accept_older=accept_older)
            if lock is not None:
                lock.name_holder(vault.who())  # the case manager, for "open elsewhere"
                if not later:  # (with ``later``, load_rest does it)
                    vault._erasures_on_open()
            return vault
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    @staticmethod
    def _not_found(paths: VaultPaths) -> VaultNotFound:
        return VaultNotFound(
            f"There is no vault at {paths.vault}; create one with 'casetui init', "
            "or point --vault at yours."
        )

    @classmethod
    def _read(
        cls,
        paths: VaultPaths,
        unlock: Unlocker,
        lock: VaultLock | None,
        *,
        later: bool,
        backups_keep: int,
        validate: bool = False,
    ) -> Self:
        """Read a vault folder, or a one-file vault (converted first when writable).

        A one-file vault (or anything that is not a folder: read_vault refuses a pipe or
        a device in one sentence) is read as it is; for writing it is converted, but
        only once its records have passed the checks asked for, so a command that
        refuses it changes nothing.
        """
        if not paths.vault.is_dir():
            keyring, document, _digest, stanzas = read_vault(paths, unlock)
            if lock is None:
                vault = cls(
                    paths, keyring, document, journal=None, lock=None, backups_keep=backups_keep
                )
                vault.header_recipients = stanzas
                return vault
            if validate:
                look = cls(paths, keyring, document, journal=None, lock=None)
                problems = look.problems()
                if problems:
                    raise VaultDataError(
                        f"The vault {paths.vault} has {len(problems)} record"
                        f"{'' if len(problems) == 1 else 's'} that break casetui's rules; "
                        "run 'casetui check' to list them.",
                        [str(p) for p in problems],
                    )
            meta = document[META_TABLE][META_ID]
            remembered = recall(str(meta.get("vault_id", ""))).device
            device = remembered if keyring.source != "memory" and remembered else new_device_id()
            try:
                secret_ids = convert(
                    paths,
                    document,
                    keyring=keyring,
                    device=device,
                    backups=Backups(paths.vault, backups_keep),
                )
            except OSError as exc:
                raise SaveFailed(
                    f"Could not convert {paths.vault} to a vault folder: "
                    f"{describe_os_error(exc, paths.vault)}; the vault is unchanged."
                ) from None
            del document
            if keyring.source != "memory":  # this computer trusts the folder it just made
                seen = recall(str(meta.get("vault_id", "")))
                seen.device = device
                seen.secret_ids = sorted({*seen.secret_ids, *secret_ids})
                seen.save()
            unlock = keyring_unlocker(keyring)
        opened = open_folder(paths, unlock, later=later)
        vault = cls(
            paths,
            opened.keyring,
            opened.document,
            journal=opened.journal,
            lock=lock,
            backups_keep=backups_keep,
        )
        if lock is not None:
            vault._remember()
        return vault

    def _erasures_on_open(self) -> None:
        """Carry out erasures other devices made while this one was away (see persistence),
        and vouch for this device's changes made before it read that a key was removed."""
        with contextlib.suppress(SaveFailed):  # tried again at the next open
            self.carry_out_erasures()
        with contextlib.suppress(SaveFailed):
            self.vouch_if_due()

    def _journal_device(self, device: str) -> None:
        if self._journal is not None and self._journal.device != device:
            self._journal.rename_device(device)
            self.repo.audit_chain = device

    def _remember(self) -> None:
        """Note this computer's name in the vault and the secrets it trusts (state folder)."""
        if not self._remembers or self._journal is None:
            return
        ids = sorted(set(self.seen.secret_ids) | set(self._journal.loaded.secrets))
        if self.seen.device != self._journal.device or ids != sorted(self.seen.secret_ids):
            self.seen.device = self._journal.device
            self.seen.secret_ids = ids
            self.seen.save()

    # -- state --------------------------------------------------------------------

    @property
    def vault_id(self) -> str:
        """A random id made when the vault was created; the same in every copy of it."""
        return str(self.meta.get("vault_id", ""))

    @property
    def generation(self) -> int:
        """How many saves the vault holds, from every device (1 when it was created)."""
        return self._file_generation

    @property
    def journal(self) -> Journal | None:
        """The vault folder as this device reads it; None for a one-file vault read-only."""
        return self._journal

    @property
    def loading(self) -> frozenset[str]:
        """Tables still loading (see ``open(later=True)`` and :meth:`load_rest`)."""
        return self._journal.loaded.pending_tables if self._journal is not None else frozenset()

    def file_problems(self) -> list[FileProblem]:
        """Files in the vault folder that were set aside, each with one sentence."""
        return list(self._journal.problems) if self._journal is not None else []

    def older_copy(self) -> tuple[int, int] | None:
        """``(this copy, newest seen)`` when this copy is older than one seen here before."""
        return copy_checks.older_copy(self.seen, self._file_generation, remembers=self._remembers)

    def readmitted_keys(self) -> list[RemovedKey]:
        """Keys on the list that were removed from this vault on this computer."""
        with self.mutex:
            return copy_checks.readmitted_keys(self.seen, self.meta)

    def older_copy_sentence(self) -> str | None:
        return copy_checks.older_copy_sentence(self.older_copy())

    def readmitted_sentence(self) -> str | None:
        return copy_checks.readmitted_sentence(self.readmitted_keys())

    def rewritten_trail_sentence(self) -> str | None:
        """Why the audit trail is not the one this computer saved last, if it is not."""
        if self.older_copy() is not None or AuditEntry.TABLE in self.loading:
            return None
        rows = self._storage.document.get(AuditEntry.TABLE, {})
        return copy_checks.rewritten_trail_sentence(self.seen, rows)

    def _take_stock(self, *, accept_older: bool) -> None:
        """Refuse an older copy for writing, or move the watermark to this copy.

        A read-only look changes nothing here, unless the person accepted the copy.
        """
        if not self._remembers:
            return
        sentence = self.older_copy_sentence()
        if sentence is not None and not accept_older and self.writable:
            raise OlderCopy(sentence)
        if not self.writable and not (sentence is not None and accept_older):
            return
        if self.seen.generation != self._file_generation:
            # Newer than seen (another device saved it), or older and accepted.
            self.seen.generation = self._file_generation
            self.seen.save()

    @property
    def path(self) -> Path:
        return self.paths.vault

    @property
    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = self._storage.document[META_TABLE][META_ID]
        return meta

    @property
    def recipients(self) -> list[keys.RecipientEntry]:
        return [keys.RecipientEntry(r["name"], r["key"]) for r in self.meta["recipients"]]

    @property
    def owner_staff_id(self) -> str | None:
        owner = self.meta.get("owner_staff_id")
        return owner if isinstance(owner, str) else None

    def who(self) -> str:
        """The person this session acts as, for the audit trail (see :mod:`.actor`)."""
        staff = self._storage.document.get(Staff.TABLE, {})
        return self._actor.who(self.meta, staff, self.owner_staff_id)

    def set_owner(self, staff_id: str) -> None:
        """Record which case manager this vault's own user is ("my caseload")."""
        if not self.writable:
            raise ReadOnlyVault("This vault is open read-only; changes cannot be saved.")
        self.repo.set_meta("owner_staff_id", staff_id)

    def set_recipients(self, entries: list[keys.RecipientEntry]) -> None:
        """Replace the list of keys the vault is encrypted to.

        The file on disk changes only when the vault is saved; ``save(force=True)``
        re-encrypts it to the new list at once. The checks on names and keys live in
        :mod:`casetui.services.recipients`.
        """
        if not self.writable:
            raise ReadOnlyVault("This vault is open read-only; changes cannot be saved.")
        if not entries:
            raise KeyFileError("A vault must be encrypted to at least one key.")
        with self.mutex:
            meta = dict(self.meta)
            meta["recipients"] = [{"name": e.name, "key": e.key} for e in entries]
            self._db.record_table(META_TABLE).replace_row(META_ID, meta)

    def problems(self) -> list[Problem]:
        """Every record checked against the domain rules, and every reference."""
        records, problems = records_of(self._storage.document)
        problems.extend(check_references(records.tables))
        return problems

    def records(self) -> RecordSet:
        """All records, validated. Raises VaultDataError if any break the rules."""
        records, problems = records_of(self._storage.document)
        if problems:
            raise VaultDataError(
                f"The vault has {len(problems)} records that break casetui's rules; "
                "run 'casetui check' to list them.",
                [str(p) for p in problems],
            )
        return records

    def close(self) -> None:
        """Release the lock. Unsaved changes are dropped: save first."""
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def wrap_own_identity(self, new_passphrase: str) -> None:
        """Write the vault's identity file again under a new passphrase."""
        secret = self.keyring.own_secret
        own_keys = {r.key for r in self.recipients if r.name == OWN_KEY_NAME}
        if secret is None or not (self.keyring.public_keys() & own_keys):
            raise KeyFileError(
                "Changing the passphrase needs the vault's own key: unlock with the current "
                "passphrase (or with the vault's own identity file)."
            )
        text = f"# public key: {next(iter(own_keys))}\n{secret}\n"
        atomic_write(self.paths.identity, keys.wrap_identity(text, new_passphrase))
