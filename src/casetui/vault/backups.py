"""Rotated, encrypted backups of the vault file.

Before the first save of a session (and again after ``interval`` has passed) the
vault file as it is on disk is kept in ``<vault>.backups/``. Because a save
replaces the vault with a new file rather than rewriting it, the backup is a hard
link to the old file and costs no copying; where hard links are not allowed it is
copied. Backups are the same ciphertext as the vault was, so they are encrypted
to the recipients of that time, and any of them can be restored by copying it
over the vault file.

Only regular files named like a backup count. Anything else in the folder (a
link, a folder, a device) is never followed, opened or deleted, so a stray
entry there cannot block a save; ``casetui check`` mentions it. Another process
may prune backups at any moment, so an entry that vanishes is skipped.
"""

from __future__ import annotations

import contextlib
import os
import stat
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
        """Backups, newest first: the regular files named like one."""
        return self._scan()[0]

    def strays(self) -> list[Path]:
        """Entries in the folder that are not regular files (links, folders, ...)."""
        return self._scan()[1]

    def _scan(self) -> tuple[list[Backup], list[Path]]:
        found: list[Backup] = []
        strays: list[Path] = []
        try:
            entries = list(os.scandir(self.folder))
        except OSError:  # no folder yet, or one casetui may not read
            return [], []
        prefix = f"{self.stem}-"
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:  # pruned by a writer since the folder was listed, say
                continue
            if not stat.S_ISREG(info.st_mode):
                strays.append(Path(entry.path))
                continue
            if not (entry.name.startswith(prefix) and entry.name.endswith(".age")):
                continue
            stamp = entry.name[len(prefix) : -len(".age")]
            try:
                taken = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
            except ValueError:
                continue
            found.append(Backup(Path(entry.path), taken, info.st_size))
        found.sort(key=lambda b: b.taken, reverse=True)
        strays.sort()
        return found, strays

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
        size = target.lstat().st_size  # before pruning, which may remove it if the clock went back
        self.prune()
        return Backup(target, taken, size)

    def prune(self) -> list[Path]:
        removed = []
        for old in self.newest_first()[self.keep :]:
            with contextlib.suppress(OSError):
                old.path.unlink()
                removed.append(old.path)
        return removed
