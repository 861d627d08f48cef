"""Rotated, encrypted backups of the vault file.

Before the first save of a session (and again after ``interval`` has passed) the
vault file as it is on disk is kept in ``<vault>.backups/``. Because a save
replaces the vault with a new file rather than rewriting it, the backup is a hard
link to the old file and costs no copying; where hard links are not allowed it is
copied. Backups are the same ciphertext as the vault was, so they are encrypted
to the recipients of that time, and any of them can be restored by copying it
over the vault file.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from casetui.vault.files import atomic_write, ensure_private_dir, fsync_dir

DEFAULT_KEEP = 10
_STAMP = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    taken: datetime
    size: int


class Backups:
    def __init__(self, vault_path: Path, keep: int = DEFAULT_KEEP) -> None:
        self.folder = vault_path.with_name(vault_path.name + ".backups")
        self.stem = vault_path.stem
        self.keep = max(1, keep)

    def newest_first(self) -> list[Backup]:
        """Backups, newest first."""
        found = []
        if not self.folder.is_dir():
            return []
        for path in self.folder.glob(f"{self.stem}-*.age"):
            stamp = path.name[len(self.stem) + 1 : -len(".age")]
            try:
                taken = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
            except ValueError:
                continue
            found.append(Backup(path, taken, path.stat().st_size))
        found.sort(key=lambda b: b.taken, reverse=True)
        return found

    def take(self, vault_path: Path, now: datetime | None = None) -> Backup:
        """Keep the current vault file as a backup, then prune old ones."""
        ensure_private_dir(self.folder)
        taken = now or datetime.now(UTC)
        target = self.folder / f"{self.stem}-{taken.strftime(_STAMP)}.age"
        try:
            os.link(vault_path, target)
        except OSError:
            atomic_write(target, vault_path.read_bytes(), overwrite=False)
        else:
            fsync_dir(self.folder)
        self.prune()
        return Backup(target, taken, target.stat().st_size)

    def prune(self) -> list[Path]:
        removed = []
        for old in self.newest_first()[self.keep :]:
            with contextlib.suppress(OSError):
                old.path.unlink()
                removed.append(old.path)
        return removed
