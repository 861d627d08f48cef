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

from casetui.core.errors import WrongKey
from casetui.vault import keys
from casetui.vault.journal import change_files as cf
from casetui.vault.journal import journal_secrets as js
from casetui.vault.journal.change_replay import ReplayContext, apply_changes
from casetui.vault.journal.folder_files import (
    CHANGES,
    GRACE_SECONDS,
    SNAPSHOTS,
    FileProblem,
    Listing,
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
from casetui.vault.journal.snapshot_heads import (
    Head,
    accepted,
    choose_vault,
    forget_superseded,
    not_retired,
    read_head,
    to_read,
)

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
    #: Journal secrets retired when a key left the list: id -> cutoff vector.
    retired: js.Retired = field(default_factory=dict)
    #: The secret id each change applied on top of the snapshots was signed with.
    signed: dict[Key, str] = field(default_factory=dict)


#: Objects built by one load beyond which they are kept from the collector (_quiet_gc).
FREEZE_AFTER = 200_000


@contextlib.contextmanager
def _quiet_gc() -> Iterator[None]:
    """No cyclic garbage collection while millions of small objects are built (it only
    finds nothing, slowly); back on afterwards.

    What was built is then moved out of the collector's sight (``gc.freeze``): the
    records live as long as the vault is open, and hold no cycles to find, so every
    full collection afterwards (one at once, then one now and then while the app
    runs) would spend a third of a second at 2,000 clients walking them for nothing.
    Refcounting still frees them. The price: an object alive now that later becomes
    part of an unreachable cycle stays in memory. So this is done only after a large
    load; after a small one, the collector has little to walk.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if gc.get_count()[0] >= FREEZE_AFTER:
                gc.freeze()
            gc.enable()


def _read_records(
    reader: Reader, head: Head, parts: dict[str, Path], names: Collection[str]
) -> MergeState | None:
    """The records in the given parts of one snapshot, as a state of its own."""
    one = MergeState()
    one.vector = dict(head.vector)
    try:
        for part in names:
            opened = reader.open(parts[part], head.vault_id, head.secrets)
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
    own: Callable[[str], tuple[str | None, int]] = lambda _vault_id: (None, 0),
) -> Loaded:
    """Read a vault folder into a merged state.

    ``trust`` gives, for the vault's id, the ids of the journal secrets this
    computer has trusted before; a snapshot made with none of them is set aside
    (someone outside the vault made it). With none known, the secret of the
    snapshot holding the most is trusted. ``later`` names tables (of
    :data:`LATER_TABLES`) to leave for :func:`load_rest`, so a caseload can be
    drawn first. ``own`` gives, for the vault's id, this computer's device name
    and how many changes it wrote: it vouches for those itself, even when signed
    with a journal secret since retired (see :mod:`.journal_secrets`).
    """
    problems: list[FileProblem] = []
    reader = Reader(keyring, problems)
    listing = scan(root)
    later_parts = {cf.PART_OF_TABLE[t] for t in later if t in cf.PART_OF_TABLE}
    with _quiet_gc():
        found = [
            read_head(reader, key, listing.snapshots[key], vault_id) for key in listing.complete()
        ]
        heads = [h for h in found if h is not None]
        forget_superseded(problems, [h.key for h in heads])
        if not heads and problems and all(p.kind == "other-keys" for p in problems):
            raise WrongKey(
                f"The {keyring.source} does not open the vault {root}; it is encrypted for "
                "other keys."
            )
        vault_id, known = choose_vault(root, heads, vault_id, trust, problems)
        retired: js.Retired = {}
        taken = not_retired(reader, accepted(reader, heads, vault_id, known, retired), retired)
        state = MergeState()
        secrets: dict[str, str] = {}
        chosen: list[Key] = []
        failed: set[Key] = set()
        names = [p for p in cf.RECORD_PARTS if p not in later_parts]
        while True:
            usable = [h for h in taken if h.key not in failed]
            pick = to_read(usable, state.vector)
            if not pick:
                break
            head = pick[0]
            one = _read_records(reader, head, listing.snapshots[head.key], names)
            if one is None:
                failed.add(head.key)  # an older snapshot, with the changes, may serve
                continue
            state = _merge_into(state, one)
            chosen.append(head.key)
        for head in taken:
            secrets.update(head.secrets)
            cf.read_heard(state, head.opened.doc)
        for stamp, _by in state.heard.values():
            with contextlib.suppress(ValueError):  # saves after these sort after them
                seen = Stamp.parse(stamp)
                if not clock.ahead(seen):
                    clock.observe(seen)
        signed: dict[Key, str] = {}
        device, written = own(vault_id)
        applied, last_heard = apply_changes(
            ReplayContext(
                listing,
                state,
                reader,
                clock,
                vault_id,
                secrets,
                retired,
                signed,
                {device: written} if device else {},
            ),
            later,
        )
    return Loaded(
        root,
        state,
        vault_id,
        secrets,
        listing,
        problems,
        applied if later else [],
        {h.key: h.vector for h in taken},
        last_heard,
        frozenset(later),
        reader.needs_cleaning,
        len(applied),
        chosen,
        retired,
        signed,
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
            head = read_head(reader, key, listing.snapshots[key], loaded.vault_id)
            if head is None:
                continue
            kept = accepted(reader, [head], loaded.vault_id, set(loaded.secrets), loaded.retired)
            if not not_retired(reader, kept, loaded.retired):
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
        forget_superseded(problems, loaded.snapshots)
        applied, heard = apply_changes(
            ReplayContext(
                listing,
                loaded.state,
                reader,
                clock,
                loaded.vault_id,
                loaded.secrets,
                loaded.retired,
                loaded.signed,
            ),
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
            head = read_head(reader, key, parts, loaded.vault_id) if "head" in parts else None
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
    retired: js.Retired | None = None,
) -> list[Path]:
    """Write a snapshot of ``state`` as new files (see ``folder_files.write_snapshot_docs``)."""
    docs = cf.snapshot_docs(
        state, device=device, seq=seq, vault_id=vault_id, secrets=secrets, retired=retired
    )
    secret = secrets[js.signing_id(secrets, retired or {})]
    return write_snapshot_docs(
        root, docs, device=device, seq=seq, secret=secret, recipients=recipients
    )
