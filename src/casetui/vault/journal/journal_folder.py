"""The vault folder of format 4: listing, reading, writing and pruning its files.

::

    <vault>/changes/<device>.<n>.age             one save of one device (n = 1, 2, 3, ...)
    <vault>/snapshots/<device>.<seq>.<part>.age  a compaction: main, meetings, audit

Every name is unique to the device that writes it, and no file is ever written
twice: a change is linked into place only if its name is free. So a file-sync
tool never sees two devices edit one file, and the union of two copies of the
folder is the merged vault. A snapshot counts only once all three of its parts
are there (the main part is written last). Files a snapshot covers are removed
by the device that wrote it, after a grace period (at once for an erasure).

Each file is decrypted, checked and applied on its own. One that is cut short,
encrypted for other keys, not made with this vault's journal secret, renamed,
or stamped in the future is set aside with one sentence for ``casetui check``,
and the rest of the vault still opens.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from casetui.core.errors import VaultDamaged, WrongKey
from casetui.core.text import json_may_need_cleaning
from casetui.files import TooLarge, atomic_write, ensure_private_dir, fsync_dir, read_limited
from casetui.vault import keys
from casetui.vault.journal import change_files as cf
from casetui.vault.journal.hlc import Clock, Stamp
from casetui.vault.journal.merge_state import Change, MergeState

CHANGES = "changes"
SNAPSHOTS = "snapshots"
_CHANGE = re.compile(r"^([a-z0-9]{4,32})\.(\d{10})\.age$")
_SNAPSHOT = re.compile(r"^([a-z0-9]{4,32})\.(\d{10})\.(main|meetings|audit)\.age$")
#: No journal file is read past this size (an import of a whole agency is far less).
MAX_FILE = 2 << 30
#: The tables that load after the caseload has been drawn.
LATER_TABLES = frozenset(cf.PART_OF_TABLE)
#: Replaced files stay this long, so a device still syncing never finds neither.
GRACE_SECONDS = 3 * 24 * 3600


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
class Loaded:
    """A vault folder as read: the merged state, and what was set aside and why."""

    root: Path
    state: MergeState
    vault_id: str
    secrets: dict[str, str]
    listing: Listing
    problems: list[FileProblem]
    #: Changes applied on top of the snapshots, in order (their later tables wait
    #: for :func:`load_rest` when loading in two steps).
    applied: list[Change]
    #: The complete snapshots read: (device, seq) -> vector.
    snapshots: dict[tuple[str, int], dict[str, int]]
    #: When each device last wrote a file that was read (its newest change's stamp).
    last_heard: dict[str, Stamp]
    pending_tables: frozenset[str] = frozenset()
    #: Whether any file read held text with escape or control characters to clean.
    needs_cleaning: bool = False
    #: How many changes are applied on top of the snapshots read (for compaction).
    replayed: int = 0


class _Reader:
    def __init__(self, keyring: keys.Keyring, problems: list[FileProblem]) -> None:
        self.keyring = keyring
        self.problems = problems
        self.needs_cleaning = False

    def doc(self, path: Path, vault_id: str | None) -> dict[str, object] | None:
        """The checked JSON of one file, or None with a problem noted."""
        try:
            data = read_limited(path, MAX_FILE, pipes=False)
            plaintext = keys.decrypt(data, self.keyring, path, "journal file")
            doc = cf.parse(plaintext, vault_id)
            if json_may_need_cleaning(plaintext):
                self.needs_cleaning = True
            return doc
        except FileNotFoundError:
            return None  # removed by a compaction while we read
        except WrongKey:
            self.note(path, "other-keys", "is encrypted for other keys; this device cannot read it")
        except VaultDamaged:
            self.note(path, "damaged", "is damaged (cut short or altered)")
        except TooLarge:
            self.note(path, "damaged", "is far too large to be a journal file")
        except OSError as exc:
            self.note(path, "unreadable", f"cannot be read ({exc.strerror})")
        except cf.NotAJournalFile as exc:
            self.note(path, "not-journal", f"was not applied: {exc}")
        return None

    def note(self, path: Path, kind: str, what: str) -> None:
        self.problems.append(FileProblem(path, kind, f"{path.parent.name}/{path.name} {what}."))


def load(
    root: Path,
    keyring: keys.Keyring,
    *,
    clock: Clock,
    vault_id: str | None = None,
    trust: Callable[[str], Collection[str]] = lambda _vault_id: (),
    later: Collection[str] = (),
) -> Loaded:
    """Read a vault folder into a merged state.

    ``trust`` gives, for the vault's id, the ids of the journal secrets this
    computer has trusted before; a snapshot made with none of them is set aside
    (someone outside the vault made it). With none known, the secret of the
    newest snapshot read is trusted. ``later`` names tables (of
    :data:`LATER_TABLES`) to leave for :func:`load_rest`, so a caseload can be
    drawn first.
    """
    problems: list[FileProblem] = []
    reader = _Reader(keyring, problems)
    listing = scan(root)
    later_parts = {cf.PART_OF_TABLE[t] for t in later if t in cf.PART_OF_TABLE}
    complete = [key for key, parts in listing.snapshots.items() if set(parts) == set(cf.PARTS)]
    mains: list[tuple[tuple[str, int], dict[str, object]]] = []
    for key in sorted(complete):
        doc = reader.doc(listing.snapshots[key]["main"], vault_id)
        if doc is not None:
            mains.append((key, doc))
    if not mains and problems and all(p.kind == "other-keys" for p in problems):
        raise WrongKey(
            f"The {keyring.source} does not open the vault {root}; it is encrypted for other keys."
        )
    vault_id, known = _choose_vault(root, mains, vault_id, trust)
    # The snapshot holding the most changes first: its secret is the one trusted
    # when this computer trusted none before.
    mains.sort(key=lambda item: -sum(_vector_of(item[1]).values()))
    state = MergeState()
    secrets: dict[str, str] = {}
    read_snapshots: dict[tuple[str, int], dict[str, int]] = {}
    for key, main in mains:
        parts = listing.snapshots[key]
        if main["vault"] != vault_id:
            reader.note(parts["main"], "not-journal", "was not applied: it is another vault's")
            continue
        found = _read_snapshot(
            reader,
            key,
            parts,
            main,
            trusted={*known, *secrets},
            later_parts=later_parts,
        )
        if found is None:
            continue
        one, own = found
        secrets.update(own)
        state.join(one.state)
        read_snapshots[key] = dict(one.state.vector)
    applied, last_heard = _apply_changes(
        _Context(listing, state, reader, clock, vault_id, secrets), later
    )
    return Loaded(
        root,
        state,
        vault_id,
        secrets,
        listing,
        problems,
        applied if later else [],
        read_snapshots,
        last_heard,
        frozenset(later),
        reader.needs_cleaning,
        len(applied),
    )


@dataclass(frozen=True, slots=True)
class _Snapshot:
    state: MergeState
    vault_id: str


def _read_snapshot(
    reader: _Reader,
    key: tuple[str, int],
    parts: Mapping[str, Path],
    main: dict[str, object],
    *,
    trusted: Collection[str],
    later_parts: Collection[str],
) -> tuple[_Snapshot, dict[str, str]] | None:
    """One complete snapshot as a state of its own, and its secrets; None if set aside."""
    try:
        header = cf.read_snapshot_header(main)
        own = cf.read_secrets(main)
        _require_name(header.device, header.seq, key, "main")
        if not cf.verified(main, own):
            raise cf.NotAJournalFile("its MAC does not match: it was altered")
        if trusted and not (set(own) & set(trusted)):
            reader.note(
                parts["main"],
                "unknown-writer",
                "was not made with this vault's journal secret, so it was not applied "
                "(someone who is not a member may have written it)",
            )
            return None
        one = MergeState()
        one.vector = dict(header.vector)
        cf.fill_snapshot(one, main)
        for part in cf.PARTS:
            if part == "main" or part in later_parts:
                continue
            doc = reader.doc(parts[part], str(main["vault"]))
            if doc is None:
                raise cf.NotAJournalFile(f"its {part} part could not be read")
            _check_part(doc, header, part, own)
            cf.fill_snapshot(one, doc)
    except cf.NotAJournalFile as exc:
        reader.note(parts["main"], "not-journal", f"was not applied: {exc}")
        return None
    return _Snapshot(one, str(main["vault"])), own


def refresh(loaded: Loaded, keyring: keys.Keyring, clock: Clock) -> set[tuple[str, str]]:
    """Read what other devices added since ``loaded`` was read; returns the records touched.

    New snapshots that hold changes not yet applied are merged in; new change
    files are applied in order. Files set aside are looked at again (one may
    have been waiting for an earlier change), so the problems are current.
    """
    listing = scan(loaded.root)
    problems: list[FileProblem] = []
    reader = _Reader(keyring, problems)
    touched: set[tuple[str, str]] = set()
    for key, parts in sorted(listing.snapshots.items()):
        if key in loaded.snapshots or set(parts) != set(cf.PARTS):
            continue
        main = reader.doc(parts["main"], loaded.vault_id)
        if main is None:
            continue
        found = _read_snapshot(
            reader,
            key,
            parts,
            main,
            trusted=set(loaded.secrets),
            later_parts={cf.PART_OF_TABLE[t] for t in loaded.pending_tables},
        )
        if found is None:
            continue
        one, own = found
        loaded.secrets.update(own)
        loaded.snapshots[key] = dict(one.state.vector)
        if not dominated(one.state.vector, loaded.state.vector):
            touched |= loaded.state.join(one.state)
    applied, heard = _apply_changes(
        _Context(listing, loaded.state, reader, clock, loaded.vault_id, loaded.secrets),
        loaded.pending_tables,
    )
    for change in applied:
        touched.update((t, r) for t, r, _e in change.gone)
        touched.update((rc.table, rc.record_id) for rc in change.records)
    if loaded.pending_tables:
        loaded.applied.extend(applied)  # their later tables are applied by load_rest
    loaded.replayed += len(applied)
    loaded.needs_cleaning = loaded.needs_cleaning or reader.needs_cleaning
    for device, stamp in heard.items():
        loaded.last_heard[device] = max(loaded.last_heard.get(device, stamp), stamp)
    loaded.listing = listing
    loaded.problems = problems
    return touched


_TEMP = re.compile(r"^\.([a-z0-9]{4,32})\.\d{10}\.(?:[a-z]+\.)?age\.[0-9a-f]+\.tmp$")
#: Another device's temp file (synced over mid-write) is left this long.
_TEMP_GRACE = 3600.0


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


def _vector_of(doc: Mapping[str, object]) -> dict[str, int]:
    try:
        return cf.read_snapshot_header(doc).vector
    except cf.NotAJournalFile:
        return {}


def _choose_vault(
    root: Path,
    mains: list[tuple[tuple[str, int], dict[str, object]]],
    vault_id: str | None,
    trust: Callable[[str], Collection[str]],
) -> tuple[str, set[str]]:
    """Which vault the folder holds, and the secrets trusted for it.

    Normally every snapshot names the same vault. A snapshot of another vault
    (copied in by mistake, or planted) never decides it: the vault this computer
    trusts wins, and with no trusted one, a folder holding several is refused.
    """
    if vault_id is not None:
        return vault_id, set(trust(vault_id))
    ids = sorted({str(doc["vault"]) for _key, doc in mains})
    trusted = {v: set(trust(v)) for v in ids}
    known = [v for v in ids if trusted[v]]
    if len(known) == 1:
        return known[0], trusted[known[0]]
    if len(ids) == 1:
        return ids[0], trusted[ids[0]]
    if not ids:
        raise VaultDamaged(
            f"casetui could not read any snapshot in {root} with these keys; "
            "run 'casetui check' to see why."
        )
    raise VaultDamaged(
        f"The folder {root} holds snapshots of {len(ids)} different vaults, so casetui "
        "cannot tell which is yours; move the ones that do not belong out of its "
        "snapshots folder, or restore a backup."
    )


def _require_name(device: str, seq: int, key: tuple[str, int], part: str) -> None:
    if (device, seq) != key:
        raise cf.NotAJournalFile("it was renamed (its name and its contents disagree)")


def _check_part(
    doc: dict[str, object], main: cf.SnapshotHeader, part: str, secrets: dict[str, str]
) -> None:
    header = cf.read_snapshot_header(doc)
    if (header.device, header.seq, header.part, header.vector) != (
        main.device,
        main.seq,
        part,
        main.vector,
    ):
        raise cf.NotAJournalFile(f"its {part} part belongs to another snapshot")
    if not cf.verified(doc, secrets):
        raise cf.NotAJournalFile(f"its {part} part's MAC does not match")


@dataclass(frozen=True, slots=True)
class _Context:
    listing: Listing
    state: MergeState
    reader: _Reader
    clock: Clock
    vault_id: str
    secrets: dict[str, str]


def _apply_changes(ctx: _Context, later: Collection[str]) -> tuple[list[Change], dict[str, Stamp]]:
    listing, state, reader, clock = ctx.listing, ctx.state, ctx.reader, ctx.clock
    vault_id, secrets = ctx.vault_id, ctx.secrets
    waiting: dict[str, dict[int, tuple[Change, Path]]] = {}
    last_heard: dict[str, Stamp] = {}
    for (device, counter), path in sorted(listing.changes.items()):
        if counter <= state.vector.get(device, 0):
            continue  # in a snapshot already
        doc = reader.doc(path, vault_id)
        if doc is None:
            continue
        try:
            change = cf.read_change(doc)
            if (change.device, change.counter) != (device, counter):
                raise cf.NotAJournalFile(
                    "its name and its contents disagree (a copy of another change, put back "
                    "under a new name)"
                )
            if not cf.verified(doc, secrets):
                reader.note(
                    path,
                    "unknown-writer",
                    "was not made with this vault's journal secret, so it was not applied "
                    "(someone who is not a member may have written it)",
                )
                continue
        except cf.NotAJournalFile as exc:
            reader.note(path, "not-journal", f"was not applied: {exc}")
            continue
        stamp = Stamp.parse(change.stamp)
        if clock.ahead(stamp):
            when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(stamp.wall / 1000))
            reader.note(
                path,
                "future",
                f"is dated {when}, later than this computer's clock, so it is held back; "
                "check the clock on the device that wrote it, and on this one",
            )
            continue
        waiting.setdefault(device, {})[counter] = (change, path)
    applied: list[Change] = []
    tables = None if not later else _Except(frozenset(later))
    progress = True
    while progress:
        progress = False
        for device in sorted(waiting):
            queue = waiting[device]
            while queue:
                nxt = state.vector.get(device, 0) + 1
                item = queue.get(nxt)
                if item is None or state.status(item[0]) != "ready":
                    break
                change = item[0]
                state.apply(change, tables)
                stamp = Stamp.parse(change.stamp)
                clock.observe(stamp)
                last_heard[device] = max(last_heard.get(device, stamp), stamp)
                applied.append(change)
                del queue[nxt]
                progress = True
    for device, queue in waiting.items():
        for counter, (_change, path) in sorted(queue.items()):
            reader.note(
                path,
                "waiting",
                f"(change {counter} of device {device}) waits for earlier changes that are "
                "not in the folder yet, and is applied once they arrive",
            )
    return applied, last_heard


@dataclass(frozen=True, slots=True)
class _Except:
    """Every table but these."""

    left_out: frozenset[str]

    def __contains__(self, table: object) -> bool:
        return table not in self.left_out


def load_rest(loaded: Loaded, keyring: keys.Keyring) -> set[tuple[str, str]]:
    """Read the tables :func:`load` left out, and apply the changes' records for them."""
    if not loaded.pending_tables:
        return set()
    reader = _Reader(keyring, loaded.problems)
    parts = {cf.PART_OF_TABLE[t] for t in loaded.pending_tables}
    rest = MergeState()
    for key in loaded.snapshots:
        files = loaded.listing.snapshots[key]
        one = MergeState()
        header: cf.SnapshotHeader | None = None
        try:
            for part in sorted(parts):
                doc = reader.doc(files[part], loaded.vault_id)
                if doc is None:
                    raise cf.NotAJournalFile(f"its {part} part could not be read")
                header = cf.read_snapshot_header(doc)
                one.vector = dict(header.vector)
                _check_part(doc, header, part, loaded.secrets)
                if (header.device, header.seq) != key:
                    raise cf.NotAJournalFile("it was renamed")
                cf.fill_snapshot(one, doc)
        except cf.NotAJournalFile as exc:
            reader.note(files["main"], "not-journal", f"was only partly applied: {exc}")
            continue
        rest.join(one)
    touched: set[tuple[str, str]] = set()
    for table in loaded.pending_tables:
        loaded.state.tables[table] = rest.tables.get(table, {})
        touched.update((table, rid) for rid in loaded.state.tables[table])
    for change in loaded.applied:
        touched |= loaded.state.apply_rest(change, loaded.pending_tables)
    loaded.pending_tables = frozenset()
    loaded.applied = []
    return touched


# -- writing ------------------------------------------------------------------------------


def write_change(
    root: Path,
    change: Change,
    *,
    vault_id: str,
    by: str,
    secret: str,
    recipients: Iterable[keys.RecipientEntry],
) -> Path:
    """Write one change as a new file; never over an existing one (SaveFailed if taken)."""
    path = change_path(root, change.device, change.counter)
    ensure_private_dir(path.parent)
    plaintext = cf.seal(cf.change_doc(change, vault_id, by), secret)
    atomic_write(path, keys.encrypt(plaintext, list(recipients)), overwrite=False)
    return path


def write_snapshot(
    root: Path,
    state: MergeState,
    *,
    device: str,
    seq: int,
    vault_id: str,
    secrets: dict[str, str],
    recipients: Iterable[keys.RecipientEntry],
) -> list[Path]:
    """Write a snapshot of ``state`` as new files, the main part last."""
    entries = list(recipients)
    docs = cf.snapshot_docs(state, device=device, seq=seq, vault_id=vault_id, secrets=secrets)
    secret = secrets[min(secrets)]
    ensure_private_dir(root / SNAPSHOTS)
    written = []
    for part in ("meetings", "audit", "main"):
        path = snapshot_path(root, device, seq, part)
        atomic_write(path, keys.encrypt(cf.seal(docs[part], secret), entries), overwrite=False)
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

    Change files it holds, and the snapshots in ``others`` (those read, by key,
    with their vectors) whose every change it holds, once they are older than
    ``grace`` seconds. This device's own unfinished snapshots (a compaction that
    was stopped) go too; another device's may still be arriving, so they stay.
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
