"""``casetui rotate-key``: a new key for the vault, when a key file or passphrase leaked.

``passwd`` only wraps the same key under a new passphrase, so an old copy of the
key file still opens the vault with the old passphrase. Rotating makes a new
x25519 key, encrypts the vault to it (and to the team and recovery keys still on
the list), writes a new key file behind a new passphrase, and re-encrypts or
deletes the backups. After it, the old key file opens nothing casetui kept.

The steps are ordered so that a crash at any point leaves a vault that opens,
with the old passphrase or the new one, and backups that open with it too:

1. the vault is encrypted to the new key *and* the old one (listed as
   :data:`PREVIOUS_KEY_NAME`), so the old key file still opens it;
2. each backup is re-encrypted to both keys, or deleted, while the old
   passphrase still unlocks;
3. the new key file replaces the old one (atomically): from here the new
   passphrase opens the vault and every backup;
4. the vault is encrypted without the old key;
5. each backup is re-encrypted without the old key.

A rotation cut short before step 4 leaves the old key on the list; ``check``
says so, and running ``rotate-key`` again finishes the job.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyrage

from casetui.core.choices import AuditAction
from casetui.core.errors import ReadOnlyVault, SaveFailed, VaultError
from casetui.files import atomic_write
from casetui.vault import keys
from casetui.vault.document import OWN_KEY_NAME, PREVIOUS_KEY_NAME
from casetui.vault.vault import Vault

BackupChoice = Literal["reencrypt", "delete"]


@dataclass(slots=True)
class Rotation:
    """What :func:`rotate_key` did."""

    public: str
    reencrypted: int = 0
    deleted: int = 0
    #: Backups this session could not open (so not re-encrypt), or could not replace.
    left: list[Path] = field(default_factory=list)


def rotate_key(vault: Vault, new_passphrase: str, *, backups: BackupChoice) -> Rotation:
    """Replace the vault's own key; see the module's description for the order of steps."""
    if not vault.writable:
        raise ReadOnlyVault("This vault is open read-only; its key cannot be changed.")
    text, public = keys.generate_identity()
    wrapped = keys.wrap_identity(text, new_passphrase)  # the slow step, before any change
    secret = text.strip().splitlines()[-1]
    new_entry = keys.RecipientEntry(OWN_KEY_NAME, public)
    own_names = (OWN_KEY_NAME, PREVIOUS_KEY_NAME)
    previous = [
        keys.RecipientEntry(PREVIOUS_KEY_NAME, r.key)
        for r in vault.recipients
        if r.name in own_names
    ]
    others = [r for r in vault.recipients if r.name not in own_names]
    before = vault.recipients
    interim = [new_entry, *previous, *others]
    final = [new_entry, *others]

    # 1. To the new key and the old: either key file opens it.
    vault.set_recipients(interim)
    vault.repo.record_event(AuditAction.KEYS_CHANGED, detail="began replacing the vault's key")
    try:
        vault.save(force=True)
    except BaseException:
        vault.set_recipients(before)
        raise
    vault.keyring.identities.append(pyrage.x25519.Identity.from_str(secret))

    # 2. The backups, while the old passphrase still unlocks: each either goes, or
    # opens with the new key too, so a run cut short after step 3 can finish them.
    rotation = Rotation(public)
    _backups(vault, rotation, backups, interim)

    # 3. The new key file.
    try:
        atomic_write(vault.paths.identity, wrapped)
    except SaveFailed as exc:
        raise SaveFailed(
            f"The new key file could not be written ({exc.message.rstrip('.')}); the old "
            "passphrase still opens the vault, so run rotate-key again."
        ) from None
    vault.keyring.own_secret = secret

    # 4. Without the old key.
    vault.set_recipients(final)
    vault.repo.record_event(
        AuditAction.KEYS_CHANGED,
        detail=f"replaced the vault's key; backups {'deleted' if backups == 'delete' else 'kept'}",
    )
    vault.save(force=True, retire_secret=True)
    for old in previous:  # an older copy that still lists it is caught on this computer
        vault.seen.note_removed(PREVIOUS_KEY_NAME, old.key)
    vault.seen.save()

    # 5. The backups again, now without the old key.
    if backups == "reencrypt":
        rotation = Rotation(public)
        _backups(vault, rotation, backups, final)
    else:
        with contextlib.suppress(OSError, SaveFailed):
            vault.take_backup()  # one fresh copy, under the new key only
    return rotation


def _backups(
    vault: Vault, rotation: Rotation, choice: BackupChoice, recipients: list[keys.RecipientEntry]
) -> None:
    for backup in vault.backups.newest_first():
        if choice == "delete":
            try:
                backup.path.unlink()
            except FileNotFoundError:
                continue
            except OSError:
                rotation.left.append(backup.path)
                continue
            rotation.deleted += 1
        elif _reencrypt(vault, backup.path, recipients):
            rotation.reencrypted += 1
        else:
            rotation.left.append(backup.path)


def _reencrypt(vault: Vault, path: Path, recipients: list[keys.RecipientEntry]) -> bool:
    """Encrypt one backup to ``recipients`` in place; False if it could not be opened."""
    try:
        sealed = keys.encrypt(
            keys.decrypt(path.read_bytes(), vault.keyring, path, what="backup"), recipients
        )
    except (VaultError, OSError):  # another key's, or damaged: left for check to report
        return False
    try:
        atomic_write(path, sealed)
    except SaveFailed:
        return False
    return True
