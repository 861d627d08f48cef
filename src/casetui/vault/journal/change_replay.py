"""Applying change files on top of the snapshots read, each in causal order.

A change is applied only after every change its device had seen when it made
it, so no field edit is lost whatever order the sync tool delivered the files
in; one that must wait is noted, and applied once the earlier ones arrive.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from casetui.vault.journal import change_files as cf
from casetui.vault.journal.folder_files import Listing, Reader
from casetui.vault.journal.hlc import Clock, Stamp
from casetui.vault.journal.merge_state import Change, MergeState

Key = tuple[str, int]


@dataclass(frozen=True, slots=True)
class ReplayContext:
    listing: Listing
    state: MergeState
    reader: Reader
    clock: Clock
    vault_id: str
    secrets: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Except:
    """Every table but these."""

    left_out: frozenset[str]

    def __contains__(self, table: object) -> bool:
        return table not in self.left_out


def _read_change(ctx: ReplayContext, key: Key, path: Path) -> Change | None:
    reader = ctx.reader
    opened = reader.open(path, ctx.vault_id)
    if opened is None:
        return None
    if not opened.verified(ctx.secrets):
        # Checked before anything else is read from it: a change the MAC does not
        # vouch for is not looked into.
        if (opened.doc.get("device"), opened.doc.get("n")) == key:
            reader.note(
                path,
                "unknown-writer",
                "was not made with this vault's journal secret, so it was not applied "
                "(someone who is not a member may have written it)",
            )
        else:
            reader.note(
                path,
                "not-journal",
                "was not applied: its name and its contents disagree (a copy of another "
                "change, put back under a new name)",
            )
        return None
    try:  # checked as written (ids and names by their patterns), then cleaned
        change = cf.read_change(opened.doc)
        if (change.device, change.counter) != key:
            raise cf.NotAJournalFile(
                "its name and its contents disagree (a copy of another change, put back "
                "under a new name)"
            )
    except cf.NotAJournalFile as exc:
        reader.note(path, "not-journal", f"was not applied: {exc}")
        return None
    opened.release()  # cleans the values in place: the change holds the same objects
    stamp = Stamp.parse(change.stamp)
    if ctx.clock.ahead(stamp):
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(stamp.wall / 1000))
        reader.note(
            path,
            "future",
            f"is dated {when}, later than this computer's clock, so it is held back; "
            "check the clock on the device that wrote it, and on this one",
        )
        return None
    return change


def apply_changes(
    ctx: ReplayContext, later: Collection[str]
) -> tuple[list[Change], dict[str, Stamp]]:
    """Apply every change not yet applied, in causal order; note the ones that must wait."""
    state = ctx.state
    waiting: dict[str, dict[int, tuple[Change, Path]]] = {}
    for key, path in sorted(ctx.listing.changes.items()):
        if key[1] <= state.vector.get(key[0], 0):
            continue  # in a snapshot already
        change = _read_change(ctx, key, path)
        if change is not None:
            waiting.setdefault(key[0], {})[key[1]] = (change, path)
    applied: list[Change] = []
    last_heard: dict[str, Stamp] = {}
    tables = None if not later else _Except(frozenset(later))
    progress = True
    while progress:
        progress = False
        for device in sorted(waiting):
            queue = waiting[device]
            while queue:
                item = queue.get(state.vector.get(device, 0) + 1)
                if item is None or state.status(item[0]) != "ready":
                    break
                change = item[0]
                state.apply(change, tables)
                stamp = Stamp.parse(change.stamp)
                ctx.clock.observe(stamp)
                last_heard[device] = max(last_heard.get(device, stamp), stamp)
                applied.append(change)
                del queue[change.counter]
                progress = True
    for device, queue in waiting.items():
        for counter, (_change, path) in sorted(queue.items()):
            ctx.reader.note(
                path,
                "waiting",
                f"(change {counter} of device {device}) waits for earlier changes that are "
                "not in the folder yet, and is applied once they arrive",
            )
    return applied, last_heard
