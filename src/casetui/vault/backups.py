"""Rotated, encrypted backups of the vault file.

Before the first save of a session (and again after ``interval`` has passed) the
vault file as it is on disk is kept in ``<vault>.backups/``. Because a save
replaces the vault with a new file rather than rewriting it, the backup is a hard
link to the old file and costs no copying; where hard links are not allowed it is
copied. Backups are the same ciphertext as the vault was, so they are encrypted
to the recipients of that time, and any of them can be restored by copying it
over the vault file.

Copies are kept by age (see :func:`to_keep`): the newest ``keep``, the first of
each of the last 14 days (the state that morning), and the first of each of the
last 8 weeks. A copy
taken on purpose before a big change (an import, a new passphrase, a change of
keys, a restore) is *pinned*: its name says why, as in
``vault-<stamp>-before-import.age``, and the age policy never removes it.

Only regular files named like a backup count. Anything else in the folder (a
link, a folder, a device) is never followed, opened or deleted, so a stray
entry there cannot block a save; ``casetui check`` mentions it. Another process
may prune backups at any moment, so an entry that vanishes is skipped.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from casetui.files import Sink, atomic_write, atomic_write_stream, ensure_private_dir, fsync_dir

DEFAULT_KEEP = 10
#: One copy a day is kept for this many days, and one a week for this many weeks.
DAILY_DAYS = 14
WEEKLY_WEEKS = 8
_STAMP = "%Y%m%dT%H%M%S%fZ"
_STAMP_LENGTH = len("20260101T000000000000Z")
_PINNED = "-before-"
_REASON = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def reason_slug(reason: str) -> str:
    """``"before restore"`` or ``"import"`` as a file-name part: ``restore``, ``import``."""
    words = re.findall(r"[a-z0-9]+", reason.casefold())
    if words and words[0] == "before":
        words = words[1:]
    return "-".join(words)[:40].strip("-") or "change"


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    taken: datetime
    size: int
    #: Why it was pinned (``"import"``, ``"restore"``), or None for an ordinary copy.
    reason: str | None = None

    @property
    def pinned(self) -> bool:
        return self.reason is not None


def to_keep(backups: list[Backup], now: datetime, keep: int = DEFAULT_KEEP) -> set[Path]:
    """The backups the age policy keeps: pinned ones, the newest ``keep``, and the
    first (oldest) of each of the last ``DAILY_DAYS`` days (UTC) and of each of the
    last ``WEEKLY_WEEKS`` ISO weeks, counting back from ``now``.

    The first of a day is the vault as it was before that day's first change, and
    it stays the day's copy however many sessions follow.
    """
    ordinary = sorted((b for b in backups if not b.pinned), key=lambda b: b.taken, reverse=True)
    kept = {b.path for b in backups if b.pinned}
    kept.update(b.path for b in ordinary[: max(1, keep)])
    today = now.astimezone(UTC).date()
    this_week = today - timedelta(days=today.weekday())
    days: set[date] = set()
    weeks: set[date] = set()
    for b in reversed(ordinary):  # oldest first, so each day's and week's first comes first
        day = b.taken.astimezone(UTC).date()
        week = day - timedelta(days=day.weekday())
        if 0 <= (today - day).days < DAILY_DAYS and day not in days:
            days.add(day)
            kept.add(b.path)
        if 0 <= (this_week - week).days < 7 * WEEKLY_WEEKS and week not in weeks:
            weeks.add(week)
            kept.add(b.path)
    return kept


class Backups:
    def __init__(self, vault_path: Path, keep: int = DEFAULT_KEEP) -> None:
        self.folder = vault_path.with_name(vault_path.name + ".backups")
        self.stem = vault_path.stem
        self.keep = max(1, keep)

    def find(self, name: str) -> Backup | None:
        """A backup by its file name, or by its number (1 is the newest) in :meth:`newest_first`."""
        found = self.newest_first()
        if name.isdigit():
            number = int(name)
            return found[number - 1] if 1 <= number <= len(found) else None
        return next((b for b in found if b.path.name == name), None)

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
            rest = entry.name[len(prefix) : -len(".age")]
            stamp, tail = rest[:_STAMP_LENGTH], rest[_STAMP_LENGTH:]
            reason: str | None = None
            if tail:
                reason = tail.removeprefix(_PINNED)
                if not tail.startswith(_PINNED) or not _REASON.match(reason):
                    continue
            try:
                taken = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
            except ValueError:
                continue
            found.append(Backup(Path(entry.path), taken, info.st_size, reason))
        found.sort(key=lambda b: b.taken, reverse=True)
        strays.sort()
        return found, strays

    def take(
        self, vault_path: Path, now: datetime | None = None, *, reason: str | None = None
    ) -> Backup:
        """Keep the current vault file as a backup, then prune old ones.

        With ``reason`` (``"import"``, ``"before restore"``) the copy is pinned: the
        age policy never prunes it.
        """
        ensure_private_dir(self.folder)
        taken = now or datetime.now(UTC)
        slug = reason_slug(reason) if reason is not None else None
        tail = f"{_PINNED}{slug}" if slug is not None else ""
        target = self.folder / f"{self.stem}-{taken.strftime(_STAMP)}{tail}.age"
        try:
            os.link(vault_path, target)
        except OSError:
            atomic_write(target, vault_path.read_bytes(), overwrite=False)
        else:
            fsync_dir(self.folder)
        size = target.lstat().st_size  # before pruning, which may remove it if the clock went back
        self.prune(taken)
        return Backup(target, taken, size, slug)

    def keep_written(
        self,
        fill: Callable[[Sink], int | None],
        now: datetime | None = None,
        *,
        reason: str | None = None,
    ) -> Backup:
        """Write a new backup with ``fill`` (a vault folder's records, encrypted), then prune."""
        ensure_private_dir(self.folder)
        taken = now or datetime.now(UTC)
        slug = reason_slug(reason) if reason is not None else None
        tail = f"{_PINNED}{slug}" if slug is not None else ""
        target = self.folder / f"{self.stem}-{taken.strftime(_STAMP)}{tail}.age"
        sink = atomic_write_stream(target, fill, overwrite=False)
        self.prune(taken)
        return Backup(target, taken, sink.size, slug)

    def prune(self, now: datetime | None = None) -> list[Path]:
        """Remove the backups the age policy (:func:`to_keep`) no longer keeps."""
        found = self.newest_first()
        kept = to_keep(found, now or datetime.now(UTC), self.keep)
        removed = []
        for old in found:
            if old.path in kept:
                continue
            with contextlib.suppress(OSError):
                old.path.unlink()
                removed.append(old.path)
        return removed
