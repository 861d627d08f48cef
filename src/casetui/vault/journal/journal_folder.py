"""Reading a vault folder (format 4) into a merged state, and keeping up with it.

Each file is decrypted, checked and applied on its own. One that is cut short,
encrypted for other keys, not made with this vault's journal secret, renamed, or
stamped in the future is set aside with one sentence for ``casetui check``, and
the rest of the vault still opens.

Snapshots are chosen by their heads (small files saying which changes each
holds), so a snapshot that a newer one holds all of is never decrypted. See
:mod:`.folder_files` for the files themselves.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from casetui.core.errors import VaultDamaged, VaultShapeError, WrongKey
from casetui.vault import keys
from casetui.vault.journal import change_files as cf
from casetui.vault.journal.change_replay import ReplayContext, apply_changes
from casetui.vault.journal.folder_files import (
    CHANGES,
    GRACE_SECONDS,
    SNAPSHOTS,
    FileProblem,
    Listing,
    Opened,
    Reader,
    change_path,
    dominated,
    is_journal_folder,
    prune,
    remove_stale_temps,
    scan,
    snapshot_path,
    write_change,
    write_snapshot_docs,
)
from casetui.vault.journal.hlc import Clock, Stamp
from casetui.vault.journal.merge_state import Change, MergeState

__all__ = [
    "CHANGES",
    "GRACE_SECONDS",
    "LATER_TABLES",
    "SNAPSHOTS",
    "FileProblem",
    "Listing",
    "Loaded",
    "change_path",
    "dominated",
    "is_journal_folder",
    "load",
    "load_rest",
    "prune",
    "refresh",
    "remove_stale_temps",
    "scan",
    "snapshot_path",
    "write_change",
    "write_snapshot",
]

#: The tables that load after the caseload has been drawn.
LATER_TABLES = frozenset(cf.PART_OF_TABLE)
Key = tuple[str, int]


@dataclass(slots=True)
class Loaded:
    """A vault folder as read: the merged state, and what was set aside and why."""

    root: Path
    state: MergeState
    vault_id: str
    secrets: dict[str, str]
    listing: Listing
    problems: list[FileProblem]
    #: Changes applied on top of the snapshots, in order, while some tables wait
    #: for :func:`load_rest`.
    applied: list[Change]
    #: Every complete snapshot whose head was read: key -> the changes it holds.
    snapshots: dict[Key, dict[str, int]]
    #: When each device last wrote a file that was read (its newest change's stamp).
    last_heard: dict[str, Stamp]
    pending_tables: frozenset[str] = frozenset()
    #: Whether any file read held text with escape or control characters to clean.
    needs_cleaning: bool = False
    #: How many changes are applied on top of the snapshots read (for compaction).
    replayed: int = 0
    #: The snapshots whose records were read (the others hold nothing more).
    chosen: list[Key] = field(default_factory=list)


@contextlib.contextmanager
def _quiet_gc() -> Iterator[None]:
    """No cyclic garbage collection while millions of small objects are built (it only
    finds nothing, slowly); back on afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass(frozen=True, slots=True)
class _Head:
    key: Key
    vault_id: str
    vector: dict[str, int]
    secrets: dict[str, str]
    opened: Opened


def _read_head(
    reader: Reader, key: Key, parts: dict[str, Path], vault_id: str | None
) -> _Head | None:
    opened = reader.open(parts["head"], vault_id)
    if opened is None:
        return None
    try:
        header = cf.read_snapshot_header(opened.doc)
        secrets = cf.read_secrets(opened.doc)
        if (header.device, header.seq, header.part) != (*key, "head"):
            raise cf.NotAJournalFile("it was renamed (its name and its contents disagree)")
        if not opened.verified(secrets):
            raise cf.NotAJournalFile("its MAC does not match: it was altered")
    except cf.NotAJournalFile as exc:
        reader.note(parts["head"], "not-journal", f"was not applied: {exc}")
        return None
    opened.release()
    return _Head(key, str(opened.doc["vault"]), header.vector, secrets, opened)


def _forget_superseded(problems: list[FileProblem], read: Iterable[Key]) -> None:
    """Drop the problems of snapshots a later one of the same device holds all of.

    A device's snapshots only grow, so one it wrote later holds everything an
    earlier one did: an earlier one this computer cannot read (encrypted to the
    keys of before it was added, say) is no loss, and no problem.
    """
    newest: dict[str, int] = {}
    for device, seq in read:
        newest[device] = max(newest.get(device, 0), seq)
    keep = []
    for problem in problems:
        parts = problem.path.name.split(".")
        superseded = (
            problem.path.parent.name == SNAPSHOTS
            and len(parts) == 4
            and parts[1].isdigit()
            and int(parts[1]) < newest.get(parts[0], 0)
        )
        if not superseded:
            keep.append(problem)
    problems[:] = keep


def _choose_vault(
    root: Path,
    heads: list[_Head],
    vault_id: str | None,
    trust: Callable[[str], Collection[str]],
    problems: list[FileProblem],
) -> tuple[str, set[str]]:
    """Which vault the folder holds, and the secrets trusted for it.

    Normally every snapshot names the same vault. A snapshot of another vault
    (copied in by mistake, or planted) never decides it: the vault this computer
    trusts wins, and with none trusted, a folder holding several is refused.
    """
    if vault_id is not None:
        return vault_id, set(trust(vault_id))
    ids = sorted({h.vault_id for h in heads})
    trusted = {v: set(trust(v)) for v in ids}
    known = [v for v in ids if trusted[v]]
    if len(known) == 1:
        return known[0], trusted[known[0]]
    if len(ids) == 1:
        return ids[0], trusted[ids[0]]
    if not ids:
        if any("newer casetui" in p.sentence for p in problems):
            raise VaultShapeError(
                f"The vault {root} was written by a newer casetui; update casetui to open it."
            )
        why = f": {problems[0].sentence.rstrip('.')}" if problems else " (it holds none)"
        raise VaultDamaged(
            f"casetui could not read any snapshot of the vault {root}{why}; restore the "
            "newest backup that opens ('casetui check' lists them)."
        )
    raise VaultDamaged(
        f"The folder {root} holds snapshots of {len(ids)} different vaults, so casetui "
        "cannot tell which is yours; move the ones that do not belong out of its "
        "snapshots folder, or restore a backup."
    )


def _accepted(reader: Reader, heads: list[_Head], vault_id: str, known: set[str]) -> list[_Head]:
    """The heads of this vault made with a trusted secret; the first trusted if none known."""
    out: list[_Head] = []
    trusted = set(known)
    # The snapshot holding the most changes first: its secret is the one trusted
    # when this computer trusted none before.
    for head in sorted(heads, key=lambda h: (-sum(h.vector.values()), h.key)):
        path = head.opened.path
        if head.vault_id != vault_id:
            reader.note(path, "not-journal", "was not applied: it is another vault's")
            continue
        if trusted and not (set(head.secrets) & trusted):
            reader.note(
                path,
                "unknown-writer",
                "was not made with this vault's journal secret, so it was not applied "
                "(someone who is not a member may have written it)",
            )
            continue
        trusted |= set(head.secrets)
        out.append(head)
    return out


def _to_read(heads: list[_Head], vector: dict[str, int]) -> list[_Head]:
    """The fewest snapshots that together hold every change the others hold."""
    chosen: list[_Head] = []
    held = dict(vector)
    for head in heads:  # most changes first
        if dominated(head.vector, held):
            continue
        chosen.append(head)
        for device, counter in head.vector.items():
            held[device] = max(held.get(device, 0), counter)
    return chosen


def _read_records(
    reader: Reader, head: _Head, parts: dict[str, Path], names: Collection[str]
) -> MergeState | None:
    """The records in the given parts of one snapshot, as a state of its own."""
    one = MergeState()
    one.vector = dict(head.vector)
    try:
        for part in names:
            opened = reader.open(parts[part], head.vault_id)
            if opened is None:
                raise cf.NotAJournalFile(f"its {part} part could not be read")
            header = cf.read_snapshot_header(opened.doc)
            if (header.device, header.seq, header.part, header.vector) != (
                *head.key,
                part,
                head.vector,
            ):
                raise cf.NotAJournalFile(f"its {part} part belongs to another snapshot")
            if not opened.verified(head.secrets):
                raise cf.NotAJournalFile(f"its {part} part's MAC does not match")
            cf.fill_snapshot(one, opened.doc)
            opened.release()  # cleans the values in place, after the shapes were checked
    except cf.NotAJournalFile as exc:
        reader.note(parts["head"], "not-journal", f"was not applied: {exc}")
        return None
    return one


def _merge_into(state: MergeState, one: MergeState) -> MergeState:
    """``one`` joined into ``state``; the first snapshot is simply taken over."""
    if not state.tables and not state.vector:
        return one
    state.join(one)
    return state


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
    snapshot holding the most is trusted. ``later`` names tables (of
    :data:`LATER_TABLES`) to leave for :func:`load_rest`, so a caseload can be
    drawn first.
    """
    problems: list[FileProblem] = []
    reader = Reader(keyring, problems)
    listing = scan(root)
    later_parts = {cf.PART_OF_TABLE[t] for t in later if t in cf.PART_OF_TABLE}
    with _quiet_gc():
        found = [
            _read_head(reader, key, listing.snapshots[key], vault_id) for key in listing.complete()
        ]
        heads = [h for h in found if h is not None]
        _forget_superseded(problems, [h.key for h in heads])
        if not heads and problems and all(p.kind == "other-keys" for p in problems):
            raise WrongKey(
                f"The {keyring.source} does not open the vault {root}; it is encrypted for "
                "other keys."
            )
        vault_id, known = _choose_vault(root, heads, vault_id, trust, problems)
        accepted = _accepted(reader, heads, vault_id, known)
        state = MergeState()
        secrets: dict[str, str] = {}
        chosen: list[Key] = []
        failed: set[Key] = set()
        names = [p for p in cf.RECORD_PARTS if p not in later_parts]
        while True:
            usable = [h for h in accepted if h.key not in failed]
            pick = _to_read(usable, state.vector)
            if not pick:
                break
            head = pick[0]
            one = _read_records(reader, head, listing.snapshots[head.key], names)
            if one is None:
                failed.add(head.key)  # an older snapshot, with the changes, may serve
                continue
            state = _merge_into(state, one)
            chosen.append(head.key)
        for head in accepted:
            secrets.update(head.secrets)
            cf.read_heard(state, head.opened.doc)
        for stamp, _by in state.heard.values():
            with contextlib.suppress(ValueError):  # saves after these sort after them
                seen = Stamp.parse(stamp)
                if not clock.ahead(seen):
                    clock.observe(seen)
        applied, last_heard = apply_changes(
            ReplayContext(listing, state, reader, clock, vault_id, secrets), later
        )
    return Loaded(
        root,
        state,
        vault_id,
        secrets,
        listing,
        problems,
        applied if later else [],
        {h.key: h.vector for h in accepted},
        last_heard,
        frozenset(later),
        reader.needs_cleaning,
        len(applied),
        chosen,
    )


def refresh(loaded: Loaded, keyring: keys.Keyring, clock: Clock) -> set[tuple[str, str]]:
    """Read what other devices added since ``loaded`` was read; returns the records touched.

    New snapshots that hold changes not yet applied are merged in; new change
    files are applied in order. Files set aside are looked at again (one may have
    been cut short while it synced, or waited for an earlier change), so the
    problems are current.
    """
    listing = scan(loaded.root)
    problems: list[FileProblem] = []
    reader = Reader(keyring, problems)
    touched: set[tuple[str, str]] = set()
    later_parts = {cf.PART_OF_TABLE[t] for t in loaded.pending_tables}
    with _quiet_gc():
        for key in listing.complete():
            if key in loaded.snapshots:
                continue
            head = _read_head(reader, key, listing.snapshots[key], loaded.vault_id)
            if head is None or not _accepted(reader, [head], loaded.vault_id, set(loaded.secrets)):
                continue
            loaded.secrets.update(head.secrets)
            cf.read_heard(loaded.state, head.opened.doc)
            if not dominated(head.vector, loaded.state.vector):
                names = [p for p in cf.RECORD_PARTS if p not in later_parts]
                one = _read_records(reader, head, listing.snapshots[key], names)
                if one is None:
                    continue  # looked at again at the next refresh (still arriving, say)
                touched |= loaded.state.join(one)
                loaded.chosen.append(key)
            loaded.snapshots[key] = head.vector
        _forget_superseded(problems, loaded.snapshots)
        applied, heard = apply_changes(
            ReplayContext(listing, loaded.state, reader, clock, loaded.vault_id, loaded.secrets),
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


def load_rest(loaded: Loaded, keyring: keys.Keyring) -> set[tuple[str, str]]:
    """Read the tables :func:`load` left out, and apply the changes' records for them."""
    if not loaded.pending_tables:
        return set()
    reader = Reader(keyring, loaded.problems)
    names = sorted({cf.PART_OF_TABLE[t] for t in loaded.pending_tables})
    rest = MergeState()
    with _quiet_gc():
        for key in loaded.chosen:
            parts = loaded.listing.snapshots.get(key) or scan(loaded.root).snapshots.get(key, {})
            head = _read_head(reader, key, parts, loaded.vault_id) if "head" in parts else None
            one = _read_records(reader, head, parts, names) if head is not None else None
            if one is not None:
                rest = _merge_into(rest, one)
        touched: set[tuple[str, str]] = set()
        for table in loaded.pending_tables:
            loaded.state.tables[table] = rest.tables.get(table, {})
            touched.update((table, rid) for rid in loaded.state.tables[table])
        for change in loaded.applied:
            touched |= loaded.state.apply_rest(change, loaded.pending_tables)
    loaded.pending_tables = frozenset()
    loaded.applied = []
    return touched


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
    """Write a snapshot of ``state`` as new files (see ``folder_files.write_snapshot_docs``)."""
    docs = cf.snapshot_docs(state, device=device, seq=seq, vault_id=vault_id, secrets=secrets)
    return write_snapshot_docs(
        root, docs, device=device, seq=seq, secrets=secrets, recipients=recipients
    )
