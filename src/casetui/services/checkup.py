"""``casetui check``: open, decrypt and verify everything, and write nothing.

Like ``restic check``: the vault is opened read-only (no lock, no temp-file
clean-up, no backup), every record is validated, references are followed,
file permissions are looked at, and every backup is decrypted to prove it can
be restored.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from casetui.core.errors import VaultError, WrongKey
from casetui.core.record_tables import RECORD_BY_TABLE
from casetui.core.text import plural, printable
from casetui.files import NotAFile, is_private, open_regular
from casetui.vault import keys, passphrase_file
from casetui.vault.audit import check_chain
from casetui.vault.backups import Backup
from casetui.vault.document import META_ID, META_TABLE, PREVIOUS_KEY_NAME, load_document
from casetui.vault.journal.hlc import Stamp
from casetui.vault.unlocking import Unlocker
from casetui.vault.vault import Vault


@dataclass(frozen=True, slots=True)
class BackupCheck:
    backup: Backup
    opens: bool
    note: str
    #: False when other users of the computer may read it.
    private: bool = True
    #: Set when its header names keys its own list does not (see :func:`unlisted_keys`).
    unlisted: str | None = None


@dataclass(slots=True)
class CheckReport:
    path: Path
    unlocked_with: str
    counts: dict[str, int]
    recipients: list[keys.RecipientEntry]
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    backups: list[BackupCheck] = field(default_factory=list)
    #: log2 of scrypt's N in the passphrase-wrapped key file, when there is one.
    key_work_factor: int | None = None
    #: How many times the vault file has been saved.
    generation: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_vault(path: Path, unlock: Unlocker) -> CheckReport:
    """Verify the vault at ``path``. Raises VaultError if it cannot be opened at all."""
    vault = Vault.open(path, unlock, writable=False)
    try:
        report = CheckReport(
            path=path,
            unlocked_with=vault.keyring.source,
            counts={t.name: len(t) for t in vault.repo.tables()},
            recipients=vault.recipients,
            problems=[str(p) for p in vault.problems()],
            generation=vault.generation,
        )
        _check_history(vault, report)
        _check_key_file(vault, report)
        _check_folder(vault, report)
        trail = check_chain(
            vault.repo.audit.raw(), vault.meta, unchained_allowed=vault.journal is None
        )
        report.problems.extend(trail.problems)
        report.warnings.extend(trail.notes)
        rewritten = vault.rewritten_trail_sentence()
        if rewritten is not None and not trail.problems:  # a break is reported already
            report.problems.append(rewritten)
        hidden = unlisted_keys(vault)
        if hidden is not None:
            report.problems.append(hidden)
        for file in (vault.paths.vault, vault.paths.identity):
            if not file.exists():
                if file == vault.paths.identity:
                    report.warnings.append(
                        f"The key file {file.name} is missing, so the passphrase cannot open "
                        "this vault; restore it from your backup copy."
                    )
            elif not is_private(file):
                mode = "700" if file.is_dir() else "600"
                report.problems.append(
                    f"{file} can be read by other users of this computer; "
                    f"run: chmod {mode} '{file}'"
                )
        if not is_private(vault.paths.vault.parent):
            report.warnings.append(
                f"The folder {vault.paths.vault.parent} is open to other users; "
                "chmod 700 it unless it is shared on purpose."
            )
        strays = vault.backups.strays()
        for backup in vault.backups.newest_first():
            try:
                checked = _check_backup(vault, backup)
            except FileNotFoundError:  # pruned by a save since the folder was listed
                continue
            except NotAFile:  # replaced by a link or the like since then
                strays.append(backup.path)
                continue
            report.backups.append(checked)
            if not checked.private:
                report.problems.append(f"The backup {backup.path.name} can be read by other users.")
            if checked.unlisted is not None:
                report.problems.append(checked.unlisted)
        for stray in dict.fromkeys(strays):
            report.warnings.append(
                f"{stray.name} in {stray.parent.name} is not a backup file (a link or a folder, "
                "say), so casetui leaves it alone; remove it unless you put it there."
            )
        damaged = [b for b in report.backups if not b.opens and b.note == "damaged"]
        for b in damaged:
            report.problems.append(
                f"The backup {b.backup.path.name} is damaged and cannot be restored."
            )
        return report
    finally:
        vault.close()


#: A device that has saved nothing for this long is mentioned by ``casetui check``.
QUIET_DEVICE_DAYS = 30


def _check_folder(vault: Vault, report: CheckReport, now: datetime | None = None) -> None:
    """The vault folder's files set aside, fields waiting for a choice, devices gone quiet."""
    for problem in vault.file_problems():
        (report.warnings if problem.kind == "waiting" else report.problems).append(problem.sentence)
    waiting: dict[str, int] = {}
    for conflict in vault.conflicts():
        cls = RECORD_BY_TABLE.get(conflict.table)
        noun = cls.NOUN if cls is not None else "record"
        label = f"a {noun}'s {conflict.field.replace('_', ' ')}"
        waiting[label] = waiting.get(label, 0) + 1
    if waiting:
        total = sum(waiting.values())
        listed = "; ".join(f"{label} ({n})" if n > 1 else label for label, n in waiting.items())
        report.warnings.append(
            f"{plural(total, 'field')} changed on two devices at once keep both versions "
            f'until someone chooses one in casetui ("2 versions"): {listed}.'
        )
    journal = vault.journal
    if journal is None:
        return
    for file in sorted(journal.root.glob("*/*.age")):
        try:
            with open_regular(file) as fh:
                stanzas = keys.header_stanzas(fh.read(keys.HEADER_READ))
        except OSError:
            continue
        unlisted = _unlisted_sentence(stanzas, vault.recipients, f"The vault file {file.name}")
        if unlisted is not None:
            report.problems.append(unlisted)
    moment = now or datetime.now(UTC)
    for device, (stamp, by) in sorted(journal.state.heard.items()):
        try:
            wall = Stamp.parse(stamp).wall
        except ValueError:
            continue
        last = datetime.fromtimestamp(wall / 1000, UTC)
        days = (moment - last).days
        if days >= QUIET_DEVICE_DAYS:
            who = f"'{printable(by[:80])}' on device {device}" if by else f"device {device}"
            report.warnings.append(
                f"Nothing has been saved by {who} since {last:%Y-%m-%d} ({days} days); if that "
                "laptop is gone, remove its key ('casetui recipients remove NAME')."
            )


def _check_history(vault: Vault, report: CheckReport) -> None:
    """An older copy put back, a removed key on the list again, a rotation cut short."""
    for sentence in (vault.older_copy_sentence(), vault.readmitted_sentence()):
        if sentence is not None:
            report.problems.append(sentence)
    if any(r.name == PREVIOUS_KEY_NAME for r in vault.recipients):
        report.problems.append(
            f"A change of the vault's key did not finish ('{PREVIOUS_KEY_NAME}' is still on "
            "its list, so the old key file still opens it); run 'casetui rotate-key' again."
        )


def _check_key_file(vault: Vault, report: CheckReport) -> None:
    """The key file's scrypt cost: bounded, so any of the agency's machines can open it."""
    try:
        with open_regular(vault.paths.identity) as fh:  # never hangs on a named pipe
            head = fh.read(4096)
    except OSError:
        return
    factor = report.key_work_factor = passphrase_file.work_factor(head)
    if factor is not None and factor > passphrase_file.MAX_SOUND_WORK_FACTOR:
        report.warnings.append(
            f"The key file asks for 2^{factor} scrypt work, which needs "
            f"{passphrase_file.memory_mib(factor):,} MiB of memory to unlock and may not open "
            "on a small laptop; run 'casetui passwd' to rewrite it at casetui's setting."
        )


def unlisted_keys(vault: Vault) -> str | None:
    """A warning when the vault file, as opened, is encrypted to keys its list does not name.

    Someone with the file and a key could re-encrypt it to one more key of their
    own and leave the list inside alone; casetui would save over it in time, but
    until then that key opens the vault, and every backup taken of it. Once this
    session has saved, the file is its own, encrypted to the list, so there is
    nothing to say.
    """
    if vault.header_recipients is None or vault.last_saved is not None:
        return None
    return _unlisted_sentence(vault.header_recipients, vault.recipients, "The vault file")


def _unlisted_sentence(
    stanzas: Sequence[str], recipients: Sequence[keys.RecipientEntry], what: str
) -> str | None:
    extra = keys.unlisted_stanzas(stanzas, recipients)
    if not extra:
        return None
    found = sum(1 for kind in stanzas if not keys.is_grease(kind))
    if found > len(recipients):
        wrong = f"{what} is encrypted to {found} keys but its list names {len(recipients)}"
    else:
        kinds = ", ".join(sorted(extra))
        wrong = f"{what} is encrypted to a kind of key its list does not name ({kinds})"
    return (
        f"{wrong}, so someone may have added a key without casetui; find out who changed "
        "the file, and save any change in casetui to encrypt it to the listed keys only."
    )


def _check_backup(vault: Vault, backup: Backup) -> BackupCheck:
    """Decrypt one backup. Raises FileNotFoundError if it is gone, NotAFile if not a file."""
    try:
        data, mode = _read_backup(backup.path)
    except (FileNotFoundError, NotAFile):
        raise
    except OSError:
        return BackupCheck(backup, False, "damaged")
    private = (mode & 0o077) == 0
    try:
        document = load_document(
            keys.decrypt(data, vault.keyring, backup.path, what="backup"), backup.path
        )
    except WrongKey:
        return BackupCheck(backup, False, "encrypted for other keys", private)
    except VaultError:
        return BackupCheck(backup, False, "damaged", private)
    listed = [
        keys.RecipientEntry(r["name"], r["key"])
        for r in document[META_TABLE][META_ID]["recipients"]
    ]
    stanzas = keys.header_stanzas(data[: keys.HEADER_READ])
    unlisted = _unlisted_sentence(stanzas, listed, f"The backup {backup.path.name}")
    return BackupCheck(backup, True, "opens", private, unlisted)


def _read_backup(path: Path) -> tuple[bytes, int]:
    """A backup's bytes and mode, read without following a link."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotAFile(errno.ELOOP, "a link", str(path)) from None
        raise
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fh.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise NotAFile(errno.EINVAL, "not a file", str(path))
        return fh.read(), mode
