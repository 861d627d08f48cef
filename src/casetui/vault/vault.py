"""The vault: one age-encrypted file holding TinyDB's JSON document.

Opening reads the file once, decrypts it in memory and keeps the document there.
Changes go through :class:`~casetui.vault.repository.Repository`; ``save()``
encrypts the whole document to the vault's recipients and replaces the file
atomically. Before each save it checks that the file on disk is still the one it
opened (by SHA-256), so a second writer is stopped rather than overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from casetui.core.errors import (
    KeyFileError,
    OlderCopy,
    ReadOnlyVault,
    RemovedKeyListed,
    SaveFailed,
    ValidationError,
    VaultChanged,
    VaultDamaged,
    VaultDataError,
    VaultError,
    VaultExists,
    VaultNotFound,
    VaultShapeError,
)
from casetui.core.records import RECORD_BY_TABLE, AuditEntry, Staff
from casetui.core.recordset import Problem, RecordSet, check_references
from casetui.core.text import json_may_need_cleaning, plural, printable, sanitise_document
from casetui.files import (
    TEMP_SUFFIX,
    HashingReader,
    NotAFile,
    atomic_write,
    atomic_write_stream,
    describe_os_error,
    ensure_private_dir,
    fsync_dir,
    open_regular,
    remove_stale_temps,
    sha256_file,
    write_failed,
    write_new,
)
from casetui.vault import audit as audit_trail
from casetui.vault import keys
from casetui.vault.backups import DEFAULT_KEEP, Backups
from casetui.vault.lock import VaultLock
from casetui.vault.repository import Repository
from casetui.vault.seen import RemovedKey, Seen, recall
from casetui.vault.storage import ChunkReader, Document, document_chunks, open_db

VAULT_FORMAT = "casetui-vault"
VAULT_VERSION = 3
#: Version 2 added partners, referrals, consents, strengths, safety plans,
#: assignments, case events and legal matters; version 3 the audit trail. Older
#: vaults are upgraded in memory and written as the current version on the next save.
META_TABLE = "_meta"
META_ID = "1"
OWN_KEY_NAME = "this vault"
#: The vault's old own key while ``rotate-key`` replaces it; gone when it finishes.
PREVIOUS_KEY_NAME = "this vault's previous key"
#: A long session takes a fresh backup before saving once this much time has passed.
BACKUP_INTERVAL = timedelta(hours=1)

Unlocker = Callable[["VaultPaths"], keys.Keyring]


@dataclass(frozen=True, slots=True)
class VaultPaths:
    """The files that make up one vault, all in the same folder.

    A vault given as a link is resolved to the real file at once (see
    :func:`real_vault_path`); only the key file may still be found beside the
    link, for a vault linked from a synced folder whose key file stays local.
    """

    vault: Path
    link: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        real = real_vault_path(self.vault)
        if real != self.vault:
            object.__setattr__(self, "link", self.vault)
            object.__setattr__(self, "vault", real)

    @property
    def identity(self) -> Path:
        beside_real = _identity_beside(self.vault)
        if self.link is not None and not beside_real.exists():
            beside_link = _identity_beside(self.link)
            if beside_link.exists():
                return beside_link
        return beside_real

    @property
    def lock(self) -> Path:
        return self.vault.with_name(self.vault.name + ".lock")


def _identity_beside(vault: Path) -> Path:
    stem = vault.name.removesuffix(".age")
    return vault.with_name(f"{stem}.identity.age")


def real_vault_path(path: Path) -> Path:
    """The vault file itself, when ``path`` is a link to it (resolved once, at open).

    Saves replace the file by renaming a temp file over it. Done through a link,
    that would replace the link with a plain file and leave the real vault old
    (or, for a relative link, fail every time). So the lock, the temp file, the
    key file and the backups all live beside the real file.
    """
    return path.resolve() if path.is_symlink() else path


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


@dataclass(frozen=True, slots=True)
class SaveResult:
    saved_at: datetime
    size: int
    backup: Path | None


class Vault:
    """An open vault. Use :meth:`create` or :meth:`open`; close it when done."""

    #: The recipient stanza types in the vault file's header when it was opened
    #: (grease included), to compare with the list in ``meta["recipients"]``; see
    #: :func:`casetui.services.checkup.unlisted_keys`. None for a vault made in this session.
    header_recipients: list[str] | None = None

    def __init__(
        self,
        paths: VaultPaths,
        keyring: keys.Keyring,
        document: Document,
        *,
        fingerprint: str,
        lock: VaultLock | None,
        backups_keep: int = DEFAULT_KEEP,
    ) -> None:
        self.paths = paths
        self.keyring = keyring
        self.mutex = threading.RLock()
        self._save_mutex = threading.Lock()
        self._lock = lock
        self._fingerprint = fingerprint
        self.backups = Backups(paths.vault, backups_keep)
        self._last_backup: datetime | None = None
        self._db, self._storage = open_db(document)
        self._saved_generation = self._storage.generation
        #: The tables as last saved (or opened): a save that changed only the audit
        #: trail (and its head in the meta row) takes no backup.
        self._saved_tables: Document = dict(self._storage.document)
        generation = self.meta.get("generation", 0)
        #: The generation of the file on disk as this session last read or wrote it.
        self._file_generation = generation if isinstance(generation, int) else 0
        #: The throwaway demo vault leaves nothing behind in the state folder.
        self._remembers = keyring.source != "memory"
        self.seen: Seen = recall(self.vault_id) if self._remembers else Seen(self.vault_id)
        self.repo = Repository(self._db, self._storage, self.mutex, writable=lock is not None)
        self.repo.actor_source = self.who
        self.last_saved: datetime | None = None
        self._ssh_name_cache: tuple[object, str | None] | None = None

    # -- opening ------------------------------------------------------------------

    @staticmethod
    def _staged(paths: VaultPaths, what: str) -> Path:
        """Where :meth:`create` writes a file before linking it into place.

        A hidden temp name beside the vault, so that opening the vault (which
        removes stale temp files under the lock) clears any left behind.
        """
        return paths.vault.with_name(f".{paths.vault.name}.{what}{TEMP_SUFFIX}")

    @classmethod
    def creatable(cls, path: Path) -> bool:
        """Raise VaultExists unless a new vault can be created at ``path``.

        Returns True when the key file there is what a create that was stopped
        (killed, or the power went) left behind: :meth:`create` links the key file
        into place just before the vault, so there is a moment when only the key
        file exists. Such a key file is still the same file as its staged copy,
        and there is no vault; creating again replaces it.
        """
        paths = VaultPaths(path)
        if paths.vault.exists() or paths.vault.is_symlink():
            raise VaultExists(
                f"{paths.vault} already exists; open that vault, "
                "or choose another path with --vault."
            )
        if not (paths.identity.exists() or paths.identity.is_symlink()):
            return False
        try:
            key, staged = paths.identity.lstat(), cls._staged(paths, "init-key").lstat()
            unfinished = (key.st_dev, key.st_ino) == (staged.st_dev, staged.st_ino)
        except OSError:
            unfinished = False
        if not unfinished:
            raise VaultExists(
                f"The key file {paths.identity} already exists, but there is no vault beside it; "
                "if the vault was moved, put it back, or choose another path with --vault."
            )
        return True

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str | None,
        *,
        owner_name: str | None = None,
        backups_keep: int = DEFAULT_KEEP,
    ) -> Self:
        """Create a new vault and its passphrase-wrapped identity. Returns it open.

        With ``passphrase=None`` no identity file is written: the key lives only
        in this process, so the vault can never be opened again once it closes.
        ``casetui demo`` uses that for its throwaway vault.

        All or nothing: both files are written and fsynced under hidden temp names
        first, then linked into place, key file first. A create that is stopped
        leaves no vault, and at most a key file that :meth:`creatable` recognises.
        """
        paths = VaultPaths(path)
        cls.creatable(path)
        owner = Staff.create(name=owner_name) if owner_name else None
        lock = VaultLock(paths.lock)
        try:
            ensure_private_dir(paths.vault.parent)
            lock.acquire()
        except OSError as exc:
            raise write_failed(exc, paths.vault) from None
        staged_key, staged_vault = cls._staged(paths, "init-key"), cls._staged(paths, "init")
        placed: list[Path] = []
        try:
            if cls.creatable(path):  # checked again, now that no one else can be creating it
                paths.identity.unlink()
            remove_stale_temps(paths.vault)  # including the staged files of a stopped create
            identity_text, public = keys.generate_identity()
            if passphrase is not None:
                wrapped = keys.wrap_identity(identity_text, passphrase)
                write_new(staged_key, lambda out: out.write(wrapped), shown=paths.identity.name)
            meta: dict[str, Any] = {
                "format": VAULT_FORMAT,
                "version": VAULT_VERSION,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "recipients": [{"name": OWN_KEY_NAME, "key": public}],
                "owner_staff_id": owner.id if owner else None,
                "vault_id": secrets.token_hex(16),
                "generation": 1,
            }
            document: Document = {META_TABLE: {META_ID: meta}}
            for table in RECORD_BY_TABLE:
                document[table] = {}
            if owner is not None:
                document[Staff.TABLE][owner.id] = owner.to_dict(with_id=False)
            keyring = keys.Keyring(
                keys.parse_identity_text(identity_text, paths.identity),
                "passphrase" if passphrase is not None else "memory",
                own_secret=identity_text.strip().splitlines()[-1],
            )
            own = [keys.RecipientEntry(OWN_KEY_NAME, public)]
            sink = write_new(
                staged_vault,
                lambda out: keys.encrypt_stream(ChunkReader(document_chunks(document)), out, own),
                shown=paths.vault.name,
            )
            try:
                fsync_dir(paths.vault.parent)
                if passphrase is not None:
                    os.link(staged_key, paths.identity)
                    placed.append(paths.identity)
                os.link(staged_vault, paths.vault)
                placed.append(paths.vault)
                fsync_dir(paths.vault.parent)
            except FileExistsError as exc:
                raise VaultExists(
                    f"{exc.filename2 or exc.filename} appeared while the vault was being created; "
                    "choose another path with --vault."
                ) from None
            except OSError as exc:
                raise write_failed(exc, paths.vault) from None
        except BaseException:
            for leftover in (*placed, staged_key, staged_vault):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            lock.release()
            raise
        for staged in (staged_key, staged_vault):
            with contextlib.suppress(OSError):
                staged.unlink()
        vault = cls(
            paths,
            keyring,
            document,
            fingerprint=sink.hexdigest(),
            lock=lock,
            backups_keep=backups_keep,
        )
        lock.name_holder(vault.who())  # the case manager, for "open elsewhere"
        if vault._remembers:
            vault.seen.generation = 1
            vault.seen.save()
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
    ) -> Self:
        """Open a vault. ``writable`` takes the writer lock first (or fails at once).

        ``validate`` checks every record and reference and refuses a vault that
        breaks the rules; without it only the document's shape is checked, and
        records are checked as they are read.

        A copy older than the newest this computer has seen (see
        :mod:`casetui.vault.seen`) is refused for writing with :class:`OlderCopy`
        unless ``accept_older``: the person put it back on purpose.
        """
        paths = VaultPaths(path)
        if not paths.vault.exists():
            raise VaultNotFound(
                f"There is no vault at {paths.vault}; create one with 'casetui init', "
                "or point --vault at yours."
            )
        if paths.vault.is_dir():
            raise VaultNotFound(
                f"{paths.vault} is a folder; point --vault at the vault file in it."
            )
        lock = VaultLock(paths.lock) if writable else None
        if lock is not None:
            lock.acquire()
        try:
            keyring, document, fingerprint, stanzas = _read_vault(paths, unlock)
            vault = cls(
                paths,
                keyring,
                document,
                fingerprint=fingerprint,
                lock=lock,
                backups_keep=backups_keep,
            )
            vault.header_recipients = stanzas
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
                remove_stale_temps(paths.vault)
            return vault
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    # -- state --------------------------------------------------------------------

    @property
    def vault_id(self) -> str:
        """A random id made when the vault was created; the same in every copy of it."""
        return str(self.meta.get("vault_id", ""))

    @property
    def generation(self) -> int:
        """How many times this vault file has been saved (1 when it was created)."""
        return self._file_generation

    def older_copy(self) -> tuple[int, int] | None:
        """``(this copy, newest seen)`` when this file is older than one seen here before."""
        if self._remembers and self.seen.generation > self._file_generation:
            return self._file_generation, self.seen.generation
        return None

    def readmitted_keys(self) -> list[RemovedKey]:
        """Keys on the list that were removed from this vault on this computer."""
        with self.mutex:
            listed = [r["key"] for r in self.meta.get("recipients", [])]
        return [self.seen.removed[k] for k in listed if k in self.seen.removed]

    def older_copy_sentence(self) -> str | None:
        older = self.older_copy()
        if older is None:
            return None
        return (
            f"This copy of the vault is older than one casetui has seen on this computer "
            f"(it was saved {plural(older[0], 'time')}, the newer one {older[1]:,}): someone "
            "may have "
            "put back an old copy. Open it read-only to look, or, if you restored it on "
            "purpose, open it with --accept-older-copy."
        )

    def readmitted_sentence(self) -> str | None:
        back = self.readmitted_keys()
        if not back:
            return None
        names = " and ".join(f"'{printable(r.name[:80])}'" for r in back)
        when = back[0].removed_at[:10]
        return (
            f"The key {names} was removed from this vault ({when}) but is on its list again, "
            "perhaps because an older copy was put back; nothing is saved until you remove "
            f"it again ('casetui recipients remove') or confirm that it belongs back "
            "('casetui recipients readmit NAME')."
        )

    def rewritten_trail_sentence(self) -> str | None:
        """Why the audit trail is not the one this computer saved last, if it is not.

        The entry that was last when this computer saved must still be there, at
        the same place, with the same hash: a trail edited offline and its chain
        rebuilt (anyone with a key could) fails this. An older copy is reported
        as that instead.
        """
        anchor = self.seen.audit_head
        if anchor is None or self.older_copy() is not None:
            return None
        seq, digest = anchor
        rows = self._storage.document.get(AuditEntry.TABLE, {})
        found = [(rid, row) for rid, row in rows.items() if audit_trail.seq_of(row) == seq]
        if len(found) == 1 and audit_trail.link(*found[0]) == digest:
            return None
        return (
            f"The audit trail is not the one this computer saved last: its entry {seq} was "
            "changed or removed since, although its chain was made whole again; compare the "
            "vault with its backups, and tell whoever oversees your records."
        )

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
    def writable(self) -> bool:
        return self._lock is not None and self._lock.held

    @property
    def dirty(self) -> bool:
        return self._storage.generation != self._saved_generation

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
        """The person this session acts as, for the audit trail.

        The vault's own key (the passphrase) is its owner, the case manager; a
        team member's key is the name it was added under; any other key is
        described by how it was given.
        """
        mine = self.keyring.public_keys()
        for entry in self.meta.get("recipients", []):
            if entry.get("key") in mine and entry.get("name") != OWN_KEY_NAME:
                return str(entry.get("name"))[:120]
        own = {r["key"] for r in self.meta.get("recipients", []) if r.get("name") == OWN_KEY_NAME}
        if mine & own or self.keyring.source in ("passphrase", "memory"):
            owner = self._storage.document.get(Staff.TABLE, {}).get(self.owner_staff_id or "")
            name = owner.get("name") if isinstance(owner, dict) else None
            return str(name)[:120] if name else "the vault's owner"
        named = self._ssh_key_name()
        if named:
            return named[:120]
        return f"someone with the {self.keyring.source}"[:120]

    def _ssh_key_name(self) -> str | None:
        """The name of the SSH key on the list that this session's keys open.

        An SSH identity does not show its public key, so each SSH entry is probed
        (a millisecond each); the answer is kept until the list or the keys change.
        """
        entries = tuple(
            (str(r.get("name")), str(r.get("key")))
            for r in self.meta.get("recipients", [])
            if str(r.get("key", "")).startswith("ssh-")
        )
        cache_key = (entries, len(self.keyring.identities))
        if self._ssh_name_cache is None or self._ssh_name_cache[0] != cache_key:
            found = next(
                (
                    name
                    for name, key in entries
                    if name != OWN_KEY_NAME
                    and keys.opens(keys.RecipientEntry(name, key), self.keyring)
                ),
                None,
            )
            self._ssh_name_cache = (cache_key, found)
        return self._ssh_name_cache[1]

    def set_owner(self, staff_id: str) -> None:
        """Record which case manager this vault's own user is ("my caseload")."""
        if not self.writable:
            raise ReadOnlyVault("This vault is open read-only; changes cannot be saved.")
        with self.mutex:
            meta = dict(self.meta)
            meta["owner_staff_id"] = staff_id
            self._db.record_table(META_TABLE).replace_row(META_ID, meta)

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

    # -- saving -------------------------------------------------------------------

    def save(self, *, force: bool = False, pin: str | None = None) -> SaveResult | None:
        """Encrypt and write the document if it changed. Safe to call from a worker thread.

        On failure nothing on disk changes, the edits stay in memory, and a later
        call retries. Raises SaveFailed, VaultChanged or ReadOnlyVault.

        ``pin`` (``"import"``, say) keeps the file as it was before this save as a
        pinned backup, which the age policy never prunes. Otherwise a backup is
        taken before the first save of a session (and hourly), unless the save
        only adds audit entries.
        """
        if self._lock is None:
            raise ReadOnlyVault("This vault is open read-only; changes cannot be saved.")
        with self._save_mutex:
            with self.mutex:
                snapshot, generation = self._storage.snapshot()
                if generation == self._saved_generation and not force:
                    return None
                recipients = self.recipients
                back = self.readmitted_sentence()
                if back is not None:
                    raise RemovedKeyListed(back)
                new_generation = max(self._file_generation, self.seen.generation) + 1
                audit_only = not force and self._only_audit_changed(snapshot)
                snapshot[META_TABLE] = {META_ID: {**self.meta, "generation": new_generation}}
            self._verify_unchanged()
            backup = self._backup_if_due(pin) if pin is not None or not audit_only else None
            sink = atomic_write_stream(
                self.paths.vault,
                lambda out: keys.encrypt_stream(
                    ChunkReader(document_chunks(snapshot)), out, recipients
                ),
            )
            self._fingerprint = sink.hexdigest()
            self._saved_generation = generation
            with self.mutex:
                # Not through the table: the generation is the file's, not an edit.
                self._storage.document[META_TABLE] = {
                    META_ID: {**self.meta, "generation": new_generation}
                }
                self._saved_tables = {**snapshot, META_TABLE: self._storage.document[META_TABLE]}
            self._file_generation = new_generation
            if self._remembers:
                self.seen.generation = max(self.seen.generation, new_generation)
                self.seen.audit_head = audit_trail.stored_head(snapshot[META_TABLE][META_ID])
                self.seen.save()
            self.last_saved = datetime.now(UTC)
            return SaveResult(self.last_saved, sink.size, backup)

    def _verify_unchanged(self) -> None:
        if self._lock is None or not self._lock.still_ours():
            raise SaveFailed(
                f"The lock file {self.paths.lock} was removed while the vault was open, so "
                "casetui cannot be sure it is the only writer; close casetui and open it again."
            )
        try:
            on_disk = sha256_file(self.paths.vault)
        except FileNotFoundError:
            raise VaultChanged(
                f"The vault file {self.paths.vault} was moved or deleted while open; your changes "
                "are still here, but casetui will not save them over a missing file."
            ) from None
        except OSError as exc:
            raise SaveFailed(
                f"Could not read {self.paths.vault} to check it: {exc.strerror}."
            ) from None
        if on_disk != self._fingerprint:
            raise VaultChanged(
                f"The vault file {self.paths.vault} was changed by another program since it was "
                "opened; casetui will not overwrite that version, and your changes are still here."
            )

    def _only_audit_changed(self, snapshot: Document) -> bool:
        """Whether ``snapshot`` differs from the last save only in audit entries.

        The storage swaps in a new dict for a table on every write, so a table
        that is the same object as at the last save is unchanged. The meta row is
        compared without the audit trail's head, which each new entry moves.
        """
        saved = self._saved_tables
        if snapshot.keys() != saved.keys():
            return False
        for table, rows in snapshot.items():
            if table in (AuditEntry.TABLE, META_TABLE) or rows is saved[table]:
                continue
            return False

        def settled(document: Document) -> dict[str, Any]:
            meta = document.get(META_TABLE, {}).get(META_ID, {})
            return {k: v for k, v in meta.items() if k not in ("generation", audit_trail.HEAD_KEY)}

        return settled(snapshot) == settled(saved)

    def _backup_if_due(self, pin: str | None = None) -> Path | None:
        now = datetime.now(UTC)
        due = self._last_backup is None or now - self._last_backup >= BACKUP_INTERVAL
        if pin is None and not due:
            return None
        try:
            backup = self.backups.take(self.paths.vault, now, reason=pin)
        except SaveFailed as exc:
            raise SaveFailed(f"Could not keep a backup before saving: {exc.message}") from None
        except OSError as exc:  # a full disk, say, when making the backups folder
            reason = describe_os_error(exc, self.paths.vault)
            raise SaveFailed(f"Could not keep a backup before saving: {reason}.") from None
        self._last_backup = now
        return backup.path

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


def _read_vault(
    paths: VaultPaths, unlock: Unlocker
) -> tuple[keys.Keyring, Document, str, list[str]]:
    """Unlock, then decrypt and parse the vault file in one streaming pass.

    The file is checked to be an age file before the (slow) unlock. Returns the
    keyring, the document, the SHA-256 of the file's bytes and the types of the
    recipient stanzas in its header (see :func:`keys.header_stanzas`).
    """
    try:
        with open_regular(paths.vault) as fh:  # a named pipe must not hang the open
            head = fh.read(keys.HEADER_READ)
            keys.check_age_prefix(head[: len(keys.AGE_HEADER) + 64], paths.vault)
            stanzas = keys.header_stanzas(head)
            del head
            fh.seek(0)
            keyring = unlock(paths)
            reader = HashingReader(fh)
            # Passed straight through so no local name keeps the plaintext alive.
            document = load_document(keys.decrypt_stream(reader, keyring, paths.vault), paths.vault)
            while reader.read(1 << 20):  # hash anything after the age payload, too
                pass
    except PermissionError:
        raise VaultNotFound(f"casetui may not read {paths.vault}; check its permissions.") from None
    except IsADirectoryError:
        raise VaultNotFound(
            f"{paths.vault} is a folder; point --vault at the vault file."
        ) from None
    except NotAFile as exc:
        raise VaultNotFound(
            f"{paths.vault} is {exc.kind}, not a vault file; point --vault at the vault file."
        ) from None
    except VaultError:
        raise
    except OSError as exc:
        raise VaultDamaged(f"Could not read {paths.vault}: {exc.strerror}.") from None
    return keyring, document, reader.hexdigest(), stanzas


def load_document(plaintext: bytes, path: Path) -> Document:
    """Parse decrypted bytes into a document, checking its overall shape.

    Every string in it is cleaned of escape sequences and unsafe controls (see
    :func:`~casetui.core.text.sanitise_document`), so text from a hand-edited or
    older vault is as inert as text typed today, raw rows included. Cleaning
    happens in memory only and does not mark the vault as changed: opening never
    writes, a read-only look stays read-only, and no "could not save" question
    can come from an edit nobody made. The next save writes the whole document,
    so it writes the cleaned text. A quick scan of the bytes skips the walk over
    the document when nothing in it can need cleaning.
    """
    advice = "restore the newest backup (casetui check lists them)"
    try:
        text = plaintext.decode("utf-8")
    except UnicodeDecodeError:
        raise VaultShapeError(f"{path} decrypted, but does not hold text; {advice}.") from None
    needs_cleaning = json_may_need_cleaning(plaintext)
    del plaintext
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise VaultShapeError(
            f"{path} decrypted, but does not hold valid JSON; {advice}."
        ) from None
    if needs_cleaning and isinstance(document, dict | list):
        sanitise_document(document)
    check_shape(document, path)
    return document  # type: ignore[no-any-return]


def check_shape(document: object, path: Path) -> None:
    """Raise VaultShapeError unless ``document`` is a casetui vault document."""
    advice = "restore the newest backup (casetui check lists them)"

    def bad(what: str) -> VaultShapeError:
        return VaultShapeError(f"{path} decrypted, but {what}; {advice}.")

    if not isinstance(document, dict):
        raise bad("it is not a casetui vault document")
    meta_table = document.get(META_TABLE)
    meta = meta_table.get(META_ID) if isinstance(meta_table, dict) else None
    if not isinstance(meta, dict) or meta.get("format") != VAULT_FORMAT:
        raise bad("it is not a casetui vault document (its header is missing)")
    version = meta.get("version")
    if not isinstance(version, int):
        raise bad("its header has no format version")
    if version > VAULT_VERSION:
        raise VaultShapeError(
            f"{path} was written by a newer casetui (format {version}); update casetui to open it."
        )
    recipients = meta.get("recipients")
    if not isinstance(recipients, list) or not recipients:
        raise bad("its list of recipients is missing")
    for entry in recipients:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and isinstance(entry.get("key"), str)
        ):
            raise bad("its list of recipients is damaged")
        try:
            keys.parse_recipient(entry["key"])
        except KeyFileError:
            raise bad("its list of recipients holds a key that is not valid") from None
    for table, rows in document.items():
        if table == META_TABLE:
            continue
        if table not in RECORD_BY_TABLE:
            raise bad(f"it holds a table casetui does not know ({str(table)[:40]!r})")
        if not isinstance(rows, dict) or not all(isinstance(r, dict) for r in rows.values()):
            raise bad(f"its {table!r} table is not a set of records")
    for table in RECORD_BY_TABLE:
        document.setdefault(table, {})
    meta["version"] = VAULT_VERSION
    if not isinstance(meta.get("vault_id"), str):
        # Vaults made before ids: derived, so every copy gets the same one.
        seed = f"{meta.get('created', '')}|{recipients[0]['key']}".encode()
        meta["vault_id"] = hashlib.sha256(seed).hexdigest()[:32]


def records_of(document: Document) -> tuple[RecordSet, list[Problem]]:
    """Build and validate every record in a document. Returns records and problems."""
    records = RecordSet()
    problems: list[Problem] = []
    for table, cls in RECORD_BY_TABLE.items():
        for record_id, raw in document.get(table, {}).items():
            try:
                records.add(cls.from_dict(raw, record_id=record_id))
            except ValidationError as exc:
                problems.append(Problem(f"{table}/{printable(record_id[:64])}", str(exc)))
    return records, problems
