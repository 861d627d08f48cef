"""``casetui check``: open, decrypt and verify everything, and write nothing.

Like ``restic check``: the vault is opened read-only (no lock, no temp-file
clean-up, no backup), every record is validated, references are followed,
file permissions are looked at, and every backup is decrypted to prove it can
be restored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from casetui.vault import keys
from casetui.vault.backups import Backup
from casetui.vault.errors import VaultError, WrongKey
from casetui.vault.files import is_private
from casetui.vault.vault import Unlocker, Vault, load_document


@dataclass(frozen=True, slots=True)
class BackupCheck:
    backup: Backup
    opens: bool
    note: str


@dataclass(slots=True)
class CheckReport:
    path: Path
    unlocked_with: str
    counts: dict[str, int]
    recipients: list[keys.RecipientEntry]
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    backups: list[BackupCheck] = field(default_factory=list)

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
        )
        for file in (vault.paths.vault, vault.paths.identity):
            if not file.exists():
                if file == vault.paths.identity:
                    report.warnings.append(
                        f"The key file {file.name} is missing, so the passphrase cannot open "
                        "this vault; restore it from your backup copy."
                    )
            elif not is_private(file):
                report.problems.append(
                    f"{file} can be read by other users of this computer; run: chmod 600 '{file}'"
                )
        if not is_private(vault.paths.vault.parent):
            report.warnings.append(
                f"The folder {vault.paths.vault.parent} is open to other users; "
                "chmod 700 it unless it is shared on purpose."
            )
        for backup in vault.backups.newest_first():
            report.backups.append(_check_backup(vault, backup))
            if not is_private(backup.path):
                report.problems.append(f"The backup {backup.path.name} can be read by other users.")
        damaged = [b for b in report.backups if not b.opens and b.note == "damaged"]
        for b in damaged:
            report.problems.append(
                f"The backup {b.backup.path.name} is damaged and cannot be restored."
            )
        return report
    finally:
        vault.close()


def _check_backup(vault: Vault, backup: Backup) -> BackupCheck:
    try:
        data = backup.path.read_bytes()
        load_document(keys.decrypt(data, vault.keyring, backup.path, what="backup"), backup.path)
    except WrongKey:
        return BackupCheck(backup, False, "encrypted for other keys")
    except (VaultError, OSError):
        return BackupCheck(backup, False, "damaged")
    return BackupCheck(backup, True, "opens")
