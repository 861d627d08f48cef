"""Making a new vault: its key file and its first, empty vault folder, all or nothing.

Both are written and fsynced under hidden temp names first, then put in place,
key file first. A create that is stopped leaves no vault, and at most a key file
that :func:`creatable` recognises.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from casetui.core.errors import VaultExists
from casetui.core.record_tables import RECORD_BY_TABLE
from casetui.core.records import Staff
from casetui.files import (
    TEMP_SUFFIX,
    ensure_private_dir,
    fsync_dir,
    remove_stale_temps,
    write_failed,
    write_new,
)
from casetui.vault import keys
from casetui.vault.document import META_ID, META_TABLE, OWN_KEY_NAME, VAULT_FORMAT, VAULT_VERSION
from casetui.vault.journal.device_journal import Journal, new_device_id
from casetui.vault.lock import VaultLock
from casetui.vault.storage import Document
from casetui.vault.vault_paths import VaultPaths


@dataclass(frozen=True, slots=True)
class NewVault:
    """A vault just written: its files, its keys, its document, and the writer lock held."""

    paths: VaultPaths
    keyring: keys.Keyring
    document: Document
    device: str
    lock: VaultLock


def staged_path(paths: VaultPaths, what: str) -> Path:
    """Where :func:`write_new_vault` writes a file before linking it into place.

    A hidden temp name beside the vault, so that opening the vault (which
    removes stale temp files under the lock) clears any left behind.
    """
    return paths.vault.with_name(f".{paths.vault.name}.{what}{TEMP_SUFFIX}")


def creatable(path: Path) -> bool:
    """Raise VaultExists unless a new vault can be created at ``path``.

    Returns True when the key file there is what a create that was stopped
    (killed, or the power went) left behind: :func:`write_new_vault` links the key
    file into place just before the vault, so there is a moment when only the key
    file exists. Such a key file is still the same file as its staged copy,
    and there is no vault; creating again replaces it.
    """
    paths = VaultPaths(path)
    if (paths.vault.exists() or paths.vault.is_symlink()) and not empty_folder(paths.vault):
        raise VaultExists(
            f"{paths.vault} already exists; open that vault, or choose another path with --vault."
        )
    if not (paths.identity.exists() or paths.identity.is_symlink()):
        return False
    try:
        key, staged = paths.identity.lstat(), staged_path(paths, "init-key").lstat()
        unfinished = (key.st_dev, key.st_ino) == (staged.st_dev, staged.st_ino)
    except OSError:
        unfinished = False
    if not unfinished:
        raise VaultExists(
            f"The key file {paths.identity} already exists, but there is no vault beside it; "
            "if the vault was moved, put it back, or choose another path with --vault."
        )
    return True


def empty_folder(path: Path) -> bool:
    """A folder holding nothing but hidden entries, such as the ``.stfolder`` marker of a
    folder just shared with Syncthing: a vault may be made in it."""
    if path.is_symlink() or not path.is_dir():
        return False
    try:
        return all(entry.name.startswith(".") for entry in os.scandir(path))
    except OSError:
        return False


def write_new_vault(path: Path, passphrase: str | None, *, owner_name: str | None) -> NewVault:
    """Write a new vault and (with a passphrase) its key file; returns them, locked.

    With ``passphrase=None`` no identity file is written: the key lives only
    in this process.
    """
    paths = VaultPaths(path)
    creatable(path)
    owner = Staff.create(name=owner_name) if owner_name else None
    lock = VaultLock(paths.lock)
    try:
        ensure_private_dir(paths.vault.parent)
        lock.acquire()
    except OSError as exc:
        raise write_failed(exc, paths.vault) from None
    staged_key, staged_vault = staged_path(paths, "init-key"), staged_path(paths, "init")
    device = new_device_id()
    placed: list[Path] = []
    try:
        if creatable(path):  # checked again, now that no one else can be creating it
            paths.identity.unlink()
        remove_stale_temps(paths.vault)  # including the staged files of a stopped create
        shutil.rmtree(staged_vault, ignore_errors=True)
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
        try:
            Journal.create(
                staged_vault,
                document,
                keyring=keyring,
                recipients=own,
                vault_id=meta["vault_id"],
                device=device,
            )
        except OSError as exc:
            raise write_failed(exc, paths.vault) from None
        try:
            fsync_dir(paths.vault.parent)
            if passphrase is not None:
                os.link(staged_key, paths.identity)
                placed.append(paths.identity)
            if empty_folder(paths.vault):
                # Into the folder already there (shared first, then made a vault): the
                # snapshots folder last, which is what makes it a vault.
                for sub in ("changes", "snapshots"):
                    (staged_vault / sub).rename(paths.vault / sub)
                    placed.append(paths.vault / sub)
                staged_vault.rmdir()
                paths.vault.chmod(0o700)
                fsync_dir(paths.vault)
            else:
                if paths.vault.exists() or paths.vault.is_symlink():
                    raise FileExistsError(errno.EEXIST, "exists", str(paths.vault))
                staged_vault.rename(paths.vault)
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
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            with contextlib.suppress(OSError):
                leftover.unlink()
        lock.release()
        raise
    with contextlib.suppress(OSError):
        staged_key.unlink()
    return NewVault(paths, keyring, document, device, lock)
