"""Team and recovery keys: who the vault is encrypted to, and changing that list.

The list lives in the vault's encrypted header (``meta["recipients"]``): the
vault's own key (``"this vault"``, kept in ``<vault>.identity.age`` behind the
passphrase) plus any colleagues' keys and recovery keys. Every change here is
saved at once with ``save(force=True)``, which encrypts the whole vault again to
the new list (a rekey). That needs the vault open for writing, so the writer lock
is held throughout. When a check fails, nothing is changed, on disk or in memory.

Removing a key stops it opening the vault from now on. It cannot reach copies
made before: the backups in ``<vault>.backups/``, exports and copies on other
disks stay encrypted to the keys of their day. :func:`delete_backups` removes the
backups, the only such copies casetui itself keeps.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import pyrage

from casetui.core.choices import AuditAction
from casetui.core.errors import KeyFileError, ReadOnlyVault, SaveFailed, VaultError
from casetui.core.lookalikes import hidden_character, looks_alike, mixed_scripts
from casetui.core.text import sanitise
from casetui.files import atomic_write
from casetui.vault import keys
from casetui.vault.backups import Backup
from casetui.vault.destinations import write_user_file
from casetui.vault.document import OWN_KEY_NAME
from casetui.vault.vault import SaveResult, Vault

MAX_NAME = 80
RECOVERY_NAME = "recovery key"
_SECRET_PREFIX = "AGE-SECRET-KEY-"  # noqa: S105 - the format prefix, not a key


class RecipientError(VaultError):
    """A name or key was refused; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Removal:
    """What :func:`remove_recipient` did."""

    removed: keys.RecipientEntry
    remaining: list[keys.RecipientEntry]
    #: Backups taken before the rekey, newest first. Those made while the removed
    #: key was on the list still open with it.
    older_backups: list[Backup]
    saved: SaveResult | None


@dataclass(frozen=True, slots=True)
class BackupCleanup:
    """What :func:`delete_backups` did."""

    deleted: int
    failed: list[Path]
    #: A fresh backup of the vault as it is now, or None (see ``fresh_error``).
    fresh: Backup | None
    fresh_error: str | None


@dataclass(frozen=True, slots=True)
class RecoveryKey:
    """A new recovery identity that the vault is now encrypted to."""

    name: str
    public: str
    #: The identity file's text, secret key included. Shown or stored once, never kept.
    identity_text: str
    written_to: Path | None


# -- reading the list -------------------------------------------------------------------


def shown(text: str, limit: int = MAX_NAME) -> str:
    """A name or a user's input made safe to print on one line."""
    clean = sanitise(text, multiline=False)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def key_opens(entry: keys.RecipientEntry, keyring: keys.Keyring) -> bool:
    """True when ``keyring`` can open a file encrypted to ``entry`` (see keys.opens)."""
    return keys.opens(entry, keyring)


def unlocked_by(vault: Vault) -> list[keys.RecipientEntry]:
    """The entries on the list that this session's keys can open."""
    return [entry for entry in vault.recipients if key_opens(entry, vault.keyring)]


def holds_own_key(vault: Vault) -> bool:
    """True when this session holds the secret of the vault's own key.

    That is the case after unlocking with the passphrase, or with the vault's own
    identity given as ``--identity``; then a new passphrase only needs the small
    key file wrapped again.
    """
    secret = vault.keyring.own_secret
    if secret is None:
        return False
    try:
        public = str(pyrage.x25519.Identity.from_str(secret).to_public())
    except pyrage.IdentityError:
        return False
    return any(r.name == OWN_KEY_NAME and r.key == public for r in vault.recipients)


# -- checks -------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    """The name as it will be stored, or RecipientError saying what is wrong with it."""
    if len(name.strip().splitlines()) > 1:
        raise RecipientError("The name must fit on one line; give it without line breaks.")
    clean = sanitise(name, multiline=False)
    if not clean:
        raise RecipientError(
            "The name is empty; give a name people will recognise, such as the person's name."
        )
    if len(clean) > MAX_NAME:
        raise RecipientError(
            f"The name is {len(clean)} characters long; keep it to {MAX_NAME} or fewer."
        )
    hidden = hidden_character(clean)
    if hidden is not None:
        raise RecipientError(
            f"The name holds a character that does not show ({hidden}), so it could pass for "
            "another name; type the name again without it."
        )
    mixed = mixed_scripts(clean)
    if mixed is not None:
        first, second = (s if s == "CJK" else s.title() for s in mixed)
        raise RecipientError(
            f"The name mixes {first} and {second} letters in one word, so it could pass for "
            "another name; type it again in one alphabet."
        )
    return clean


def canonical_key(key: str) -> str:
    """The public key in the form it is stored and compared in, or an error.

    Age keys are written in lower case; an SSH key keeps its type and key but
    not its comment (the name says whose it is, and the comment may hold text
    that is not safe to print).
    """
    text = key.strip()
    if len(text.splitlines()) > 1:
        raise RecipientError(
            "Give one public key, on one line; for an SSH key, put the whole line in quotes."
        )
    if text.upper().startswith(_SECRET_PREFIX):
        raise RecipientError(
            "That is a secret key, which must stay private; give its public key "
            "(age1...) instead, and keep the secret one where it was."
        )
    if text.startswith("-----BEGIN"):
        raise RecipientError(
            "That looks like a private key file, which must stay private; give the public "
            "key instead (the .pub file's line, or age1...)."
        )
    if text.startswith("AGE1"):  # the same key in capitals (as in a QR code)
        text = text.lower()
    try:
        parsed = keys.parse_recipient(text)
    except KeyFileError as exc:
        raise RecipientError(exc.message) from None
    if isinstance(parsed, pyrage.x25519.Recipient):
        return str(parsed)
    kind, body = text.split()[:2]
    return f"{kind} {body}"


def _same_name(a: str, b: str) -> bool:
    return sanitise(a, multiline=False).casefold() == sanitise(b, multiline=False).casefold()


def check_new_recipient(vault: Vault, key: str, name: str) -> keys.RecipientEntry:
    """The entry ``key`` and ``name`` would add, or RecipientError. Changes nothing."""
    clean = clean_name(name)
    for entry in vault.recipients:
        if _same_name(entry.name, clean):
            raise RecipientError(
                f"There is already a key named '{shown(entry.name)}'; choose another name."
            )
    for entry in vault.recipients:
        if looks_alike(sanitise(entry.name, multiline=False), clean):
            raise RecipientError(
                f"The name looks the same as '{shown(entry.name)}', a key already on the list; "
                "choose a name that is plainly different."
            )
    canonical = canonical_key(key)
    for entry in vault.recipients:
        try:
            existing = canonical_key(entry.key)
        except VaultError:
            existing = entry.key
        if existing == canonical:
            raise RecipientError(
                f"That key is already on the list, as '{shown(entry.name)}'; nothing was added."
            )
    return keys.RecipientEntry(clean, canonical)


def _require_writable(vault: Vault) -> None:
    if not vault.writable:
        raise ReadOnlyVault("This vault is open read-only; changes cannot be saved.")


def _rekey(
    vault: Vault, entries: list[keys.RecipientEntry], why: str, pin: str = "keys change"
) -> SaveResult | None:
    """Set the list and encrypt the vault to it now; on failure restore the old list.

    The audit trail records ``why`` in the same save (names of keys, never secrets).
    The file as it was is kept as a backup pinned with the reason ``pin``.
    """
    before = vault.recipients
    # A key that leaves the list also leaves the journal: a new journal secret, so
    # its holder cannot write changes the others accept.
    leaving = {r.key for r in before} - {r.key for r in entries}
    vault.set_recipients(entries)
    vault.repo.record_event(AuditAction.KEYS_CHANGED, detail=why)
    try:
        return vault.save(force=True, pin=pin, retire_secret=bool(leaving))
    except BaseException:
        vault.set_recipients(before)
        raise


# -- changes --------------------------------------------------------------------------


def add_recipient(vault: Vault, key: str, name: str) -> keys.RecipientEntry:
    """Add a colleague's or a recovery public key and re-encrypt the vault to the new list."""
    _require_writable(vault)
    entry = check_new_recipient(vault, key, name)
    # A key removed before and now added again by name: a deliberate choice.
    was_removed = vault.seen.removed.pop(entry.key, None)
    try:
        _rekey(vault, [*vault.recipients, entry], f"added the key '{entry.name}'")
    except BaseException:
        if was_removed is not None:
            vault.seen.removed[entry.key] = was_removed
        raise
    if was_removed is not None:
        vault.seen.save()
    return entry


def find_recipient(vault: Vault, name: str) -> keys.RecipientEntry:
    """The entry named ``name`` (any case), or RecipientError listing the names there are."""
    for entry in vault.recipients:
        if _same_name(entry.name, name):
            return entry
    names = ", ".join(f"'{shown(r.name)}'" for r in vault.recipients)
    raise RecipientError(f"There is no key named '{shown(name)}'; the vault's keys are {names}.")


def remove_recipient(vault: Vault, name: str) -> Removal:
    """Take a key off the list and re-encrypt the vault without it.

    Refused for the vault's own key (``passwd`` replaces it), and when the keys
    left would not include one this session can open the vault with: a person
    removing their own key while unlocked with it would lock themselves out.
    """
    _require_writable(vault)
    entry = find_recipient(vault, name)
    if entry.name == OWN_KEY_NAME:
        raise RecipientError(
            f"'{OWN_KEY_NAME}' is the vault's own key, kept behind its passphrase, and cannot "
            "be removed; to replace it, set a new passphrase with 'casetui passwd'."
        )
    remaining = [r for r in vault.recipients if r != entry]
    if not any(key_opens(r, vault.keyring) for r in remaining):
        raise RecipientError(
            f"This session was unlocked with '{shown(entry.name)}', so removing it would leave "
            "you no key that opens the vault; unlock with another key, such as the "
            "passphrase, and remove it then."
        )
    saved = _rekey(vault, remaining, f"removed the key '{entry.name}'", pin="removal")
    # Remembered on this computer, so an older copy that still lists it is caught.
    vault.seen.note_removed(entry.name, entry.key)
    vault.seen.save()
    return Removal(entry, remaining, vault.backups.newest_first(), saved)


def readmit_recipient(vault: Vault, name: str) -> keys.RecipientEntry:
    """Confirm that a key removed earlier belongs on the list again, so saving can go on.

    Only for a key that is on the list and was removed on this computer; the
    confirmation is by the key's name, and it goes in the audit trail.
    """
    _require_writable(vault)
    back = {r.key: r for r in vault.readmitted_keys()}
    if not back:
        raise RecipientError("No removed key is on the vault's list; there is nothing to confirm.")
    entry = find_recipient(vault, name)
    if entry.key not in back:
        names = ", ".join(f"'{shown(r.name)}'" for r in back.values())
        raise RecipientError(
            f"'{shown(entry.name)}' was never removed here; the key that is back is {names}."
        )
    vault.seen.forget_removed(entry.key)
    vault.seen.save()
    vault.repo.record_event(
        AuditAction.KEYS_CHANGED, detail=f"confirmed that the removed key '{entry.name}' is back"
    )
    vault.save(force=True)
    return entry


def delete_backups(vault: Vault, backups: list[Backup]) -> BackupCleanup:
    """Delete the given backups, then keep one fresh backup of the vault as it is now.

    Used after a key is removed: the older backups are still encrypted to it. The
    fresh backup is the rekeyed vault, so there is still something to restore.
    """
    _require_writable(vault)
    folder = vault.backups.folder.resolve()
    deleted = 0
    failed: list[Path] = []
    for backup in backups:
        if backup.path.resolve().parent != folder:
            failed.append(backup.path)
            continue
        try:
            backup.path.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            failed.append(backup.path)
            continue
        deleted += 1
    fresh: Backup | None = None
    fresh_error: str | None = None
    try:
        fresh = vault.take_backup()
    except SaveFailed as exc:
        fresh_error = exc.message
    except OSError as exc:
        fresh_error = f"Could not keep a fresh backup: {exc.strerror or type(exc).__name__}."
    return BackupCleanup(deleted, failed, fresh, fresh_error)


def next_recovery_name(vault: Vault) -> str:
    """``recovery key``, or ``recovery key 2``, 3, ... if that name is taken."""
    taken = {sanitise(r.name, multiline=False).casefold() for r in vault.recipients}
    name = RECOVERY_NAME
    number = 2
    while name.casefold() in taken:
        name = f"{RECOVERY_NAME} {number}"
        number += 1
    return name


def make_recovery_key(vault: Vault, out: Path | None = None) -> RecoveryKey:
    """Make a new identity, add it to the list as a recovery key, and rekey.

    The identity's text is returned for the caller to show once. With ``out`` it
    is written there instead (0600, never over an existing file) before the vault
    is rekeyed, and removed again if the rekey fails, so the vault is never
    encrypted to a key whose secret was lost.
    """
    _require_writable(vault)
    name = next_recovery_name(vault)
    text, public = keys.generate_identity()
    text = f"# casetui recovery key ('{name}') for {shown(vault.paths.vault.name)}\n{text}"
    entry = check_new_recipient(vault, public, name)
    if out is not None:
        atomic_write(out, text.encode(), overwrite=False)
    try:
        _rekey(vault, [*vault.recipients, entry], f"added the recovery key '{name}'")
    except BaseException:
        if out is not None:
            with contextlib.suppress(OSError):
                out.unlink()
        raise
    return RecoveryKey(name, public, text, out)


def reset_own_key(vault: Vault, new_passphrase: str) -> str:
    """Give the vault a new own key behind ``new_passphrase``. Returns its public key.

    For a session unlocked with another key, such as a recovery key, when the
    passphrase is forgotten: the old own key cannot be unwrapped, so it is
    replaced. Returns the new public key.
    """
    _require_writable(vault)
    text, public = keys.generate_identity()
    # The slow scrypt step comes before any change, so that the window between the
    # two writes below is as short as it can be.
    wrapped = keys.wrap_identity(text, new_passphrase)
    entries = [
        keys.RecipientEntry(OWN_KEY_NAME, public) if r.name == OWN_KEY_NAME else r
        for r in vault.recipients
    ]
    if not any(r.name == OWN_KEY_NAME for r in entries):
        entries.insert(0, keys.RecipientEntry(OWN_KEY_NAME, public))
    # Order matters for a crash. First the vault is re-encrypted to the new own key
    # (and still to every other key, including the one this session unlocked with);
    # only then is the new key file written. If casetui dies in between, the vault
    # opens with the key used now (the recovery key, say) but not yet with the new
    # passphrase, and running passwd again finishes the job. The other order could
    # leave a key file whose passphrase unwraps a key the vault was never encrypted to.
    _rekey(vault, entries, "replaced the vault's own key and passphrase", pin="passwd")
    try:
        atomic_write(vault.paths.identity, wrapped)
    except SaveFailed as exc:
        raise SaveFailed(
            "The vault now has a new key, but writing its key file failed "
            f"({exc.message.rstrip('.')}); the key you unlocked with still opens the vault, "
            "so run passwd with that key again."
        ) from None
    secret = text.strip().splitlines()[-1]
    vault.keyring.identities.append(pyrage.x25519.Identity.from_str(secret))
    vault.keyring.own_secret = secret
    return public


def write_personal_key(out: Path, passphrase: str, *, overwrite: bool = False) -> str:
    """Write a new identity for one person, wrapped with their passphrase (0600).

    Returns the public key, which the vault's keeper adds with ``recipients add``.
    """
    text, public = keys.generate_identity()
    wrapped = keys.wrap_identity(text, passphrase)
    write_user_file(out, wrapped, overwrite=overwrite, what="your key")  # never through a link
    return public
