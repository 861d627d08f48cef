"""The files of a vault folder (format 4): their names, reading one, writing, and pruning.

::

    <vault>/changes/<device>.<n>.age                  one save of one device (n = 1, 2, ...)
    <vault>/snapshots/<device>.<seq>.<part>.age       a compaction: head, main, meetings, audit

Every name is unique to the device that writes it, and no file is ever written
twice: a file is linked into place only if its name is free. So a file-sync
tool never sees two devices edit one file, and the union of two copies of the
folder is the merged vault. A snapshot counts only once all its parts are there
(the head is written last). Files a snapshot covers are removed by the device
that wrote it, after a grace period, or at once for an erasure.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from casetui.core.errors import VaultDamaged, WrongKey
from casetui.core.text import json_may_need_cleaning, sanitise_document
from casetui.files import atomic_write, ensure_private_dir, fsync_dir, open_regular
from casetui.vault import keys
from casetui.vault.journal import change_files as cf
from casetui.vault.journal.merge_state import Change

CHANGES = "changes"
SNAPSHOTS = "snapshots"
_CHANGE = re.compile(r"^([a-z0-9]{4,32})\.(\d{10})\.age$")
_SNAPSHOT = re.compile(r"^([a-z0-9]{4,32})\.(\d{10})\.(head|main|meetings|audit)\.age$")
_TEMP = re.compile(r"^\.([a-z0-9]{4,32})\.\d{10}\.(?:[a-z]+\.)?age\.[0-9a-f]+\.tmp$")
#: No journal file is read past this size (an import of a whole agency is far less).
MAX_FILE = 2 << 30
#: Replaced files stay this long, so a device still syncing never finds neither.
GRACE_SECONDS = 3 * 24 * 3600
#: Another device's temp file (synced over mid-write) is left this long.
_TEMP_GRACE = 3600.0


def is_journal_folder(path: Path) -> bool:
    return path.is_dir() and (path / SNAPSHOTS).is_dir()


def change_path(root: Path, device: str, counter: int) -> Path:
    return root / CHANGES / f"{device}.{counter:010d}.age"


def snapshot_path(root: Path, device: str, seq: int, part: str) -> Path:
    return root / SNAPSHOTS / f"{device}.{seq:010d}.{part}.age"


@dataclass(slots=True)
class Listing:
    changes: dict[tuple[str, int], Path] = field(default_factory=dict)
    snapshots: dict[tuple[str, int], dict[str, Path]] = field(default_factory=dict)
    #: Entries that are not journal files (a sync tool's conflict copy, say).
    strays: list[Path] = field(default_factory=list)

    def complete(self) -> list[tuple[str, int]]:
        """The snapshots with every part present."""
        return sorted(k for k, parts in self.snapshots.items() if set(parts) == set(cf.PARTS))


def scan(root: Path) -> Listing:
    listing = Listing()
    for sub, pattern in ((CHANGES, _CHANGE), (SNAPSHOTS, _SNAPSHOT)):
        try:
            entries = list(os.scandir(root / sub))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue  # a temp file of a write under way (ours or a sync tool's)
            match = pattern.match(entry.name)
            if match is None or not entry.is_file(follow_symlinks=False):
                listing.strays.append(Path(entry.path))
            elif sub == CHANGES:
                listing.changes[(match[1], int(match[2]))] = Path(entry.path)
            else:
                parts = listing.snapshots.setdefault((match[1], int(match[2])), {})
                parts[match[3]] = Path(entry.path)
    return listing


@dataclass(frozen=True, slots=True)
class FileProblem:
    path: Path
    kind: str
    sentence: str


@dataclass(slots=True)
class Opened:
    """One file decrypted and parsed; ``verified`` checks its MAC, then ``release`` it."""

    path: Path
    doc: dict[str, object]
    plaintext: bytes | None
    needs_cleaning: bool = False
    #: Whether the MAC matched, when it was checked before parsing (``Reader.open``
    #: given the secrets): the bytes are then let go before the JSON is parsed.
    mac_ok: bool | None = None

    def verified(self, secrets: Mapping[str, str]) -> bool:
        if self.mac_ok is not None:
            return self.mac_ok
        return self.plaintext is not None and cf.verified(self.plaintext, self.doc, secrets)

    def release(self) -> None:
        """Drop the bytes, and clean the text of escapes and unsafe controls (after the
        MAC, which covers the bytes as written), so what is applied is always clean."""
        self.plaintext = None
        if self.needs_cleaning:
            sanitise_document(self.doc)
            self.needs_cleaning = False


class Reader:
    """Reads journal files, noting each one set aside with one sentence."""

    def __init__(self, keyring: keys.Keyring, problems: list[FileProblem]) -> None:
        self.keyring = keyring
        self.problems = problems
        self.needs_cleaning = False

    def open(
        self, path: Path, vault_id: str | None, secrets: Mapping[str, str] | None = None
    ) -> Opened | None:
        """Decrypt (streaming from the file) and parse one file, or None with a problem noted.

        Given the ``secrets`` it must be made with (a snapshot's records), the MAC is
        checked first and the bytes let go before parsing: a large part then never
        has its bytes, its text and its records in memory at once.
        """
        try:
            with open_regular(path) as fh:  # never follows a link or hangs on a pipe
                info = os.fstat(fh.fileno())
                if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE:
                    self.note(path, "damaged", "is not a journal file (too large, or not a file)")
                    return None
                plaintext: bytes | None = keys.decrypt_stream(
                    fh, self.keyring, path, "journal file"
                )
            assert plaintext is not None  # noqa: S101 - for the type checker
            dirty = json_may_need_cleaning(plaintext)
            self.needs_cleaning = self.needs_cleaning or dirty
            if secrets is None:
                return Opened(path, cf.parse(plaintext, vault_id), plaintext, dirty)
            key = cf.signed_with(plaintext)
            mac_ok = cf.verified(plaintext, {"key": key}, secrets)
            text = cf.text_of(plaintext)
            plaintext = None
            doc = cf.parse(text, vault_id)
            del text
            # (The id read from the bytes is the one the JSON holds, or it was altered.)
            return Opened(path, doc, None, dirty, mac_ok and doc.get("key") == key)
        except FileNotFoundError:
            return None  # removed by a compaction while we read
        except WrongKey:
            self.note(path, "other-keys", "is encrypted for other keys; this device cannot read it")
        except VaultDamaged:
            self.note(path, "damaged", "is damaged (cut short or altered)")
        except OSError as exc:
            self.note(path, "unreadable", f"cannot be read ({exc.strerror})")
        except cf.NotAJournalFile as exc:
            self.note(path, "not-journal", f"was not applied: {exc}")
        return None

    def note(self, path: Path, kind: str, what: str) -> None:
        self.problems.append(FileProblem(path, kind, f"{path.parent.name}/{path.name} {what}."))


# -- writing ------------------------------------------------------------------------------


def write_change(
    root: Path,
    change: Change,
    *,
    vault_id: str,
    secret: str,
    recipients: Iterable[keys.RecipientEntry],
) -> Path:
    """Write one change as a new file; never over an existing one (SaveFailed if taken)."""
    path = change_path(root, change.device, change.counter)
    ensure_private_dir(path.parent)
    plaintext = cf.seal(cf.change_doc(change, vault_id), secret)
    atomic_write(path, keys.encrypt(plaintext, list(recipients)), overwrite=False)
    return path


def write_snapshot_docs(
    root: Path,
    docs: Mapping[str, dict[str, object]],
    *,
    device: str,
    seq: int,
    secret: str,
    recipients: Iterable[keys.RecipientEntry],
) -> list[Path]:
    """Write a snapshot's parts as new files, the head last (it completes the snapshot),
    each signed with the journal secret ``secret``."""
    entries = list(recipients)
    ensure_private_dir(root / SNAPSHOTS)
    written = []
    for part in ("meetings", "audit", "main", "head"):
        path = snapshot_path(root, device, seq, part)
        atomic_write(
            path, keys.encrypt(cf.seal(dict(docs[part]), secret), entries), overwrite=False
        )
        written.append(path)
    return written


def dominated(vector: Mapping[str, int], by: Mapping[str, int]) -> bool:
    return all(by.get(device, 0) >= counter for device, counter in vector.items())


def prune(
    root: Path,
    keep: tuple[str, int],
    vector: Mapping[str, int],
    others: Mapping[tuple[str, int], Mapping[str, int]],
    *,
    grace: float = GRACE_SECONDS,
    now: float | None = None,
) -> list[Path]:
    """Remove the files that the complete snapshot ``keep`` (holding ``vector``) covers.

    Change files it holds, and the snapshots in ``others`` (by key, with their
    vectors) whose every change it holds, once they are older than ``grace``
    seconds. This device's own unfinished snapshots (a compaction that was
    stopped) go too; another device's may still be arriving, so they stay.
    Returns what was removed.
    """
    now = time.time() if now is None else now
    listing = scan(root)
    doomed: list[Path] = []
    for (device, counter), path in listing.changes.items():
        if counter <= vector.get(device, 0):
            doomed.append(path)
    for key, parts in listing.snapshots.items():
        if key == keep:
            continue
        complete = set(parts) == set(cf.PARTS)
        covered = key in others and dominated(others[key], vector)
        unfinished = not complete and key[0] == keep[0] and key[1] < keep[1]
        if covered or unfinished:
            doomed.extend(parts.values())
    removed = []
    for path in doomed:
        with contextlib.suppress(OSError):
            if grace and now - path.stat().st_mtime < grace:
                continue
            path.unlink()
            removed.append(path)
    removed += remove_stale_temps(root, keep[0], now)
    if removed:
        for sub in (CHANGES, SNAPSHOTS):
            with contextlib.suppress(OSError):
                fsync_dir(root / sub)
    return removed


def remove_stale_temps(root: Path, device: str, now: float | None = None) -> list[Path]:
    """Remove the temp files writes that were stopped left behind (they hold whole changes).

    This device's own go at once (call it only while no write of its own is under
    way); another device's, synced over in the middle of its write, after an hour.
    """
    now = time.time() if now is None else now
    removed = []
    for sub in (CHANGES, SNAPSHOTS):
        with contextlib.suppress(OSError):
            for entry in os.scandir(root / sub):
                match = _TEMP.match(entry.name)
                if match is None or not entry.is_file(follow_symlinks=False):
                    continue
                with contextlib.suppress(OSError):
                    if match[1] != device and now - entry.stat().st_mtime < _TEMP_GRACE:
                        continue
                    Path(entry.path).unlink()
                    removed.append(Path(entry.path))
    return removed
