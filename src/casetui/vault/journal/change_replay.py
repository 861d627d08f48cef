"""Applying change files on top of the snapshots read, each in causal order.

A change is applied only after every change its device had seen when it made
it, so no field edit is lost whatever order the sync tool delivered the files
in; one that must wait is noted, and applied once the earlier ones arrive.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from casetui.vault.journal import change_files as cf
from casetui.vault.journal import journal_secrets as js
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
    #: Secrets retired when a key left the list (see :mod:`.journal_secrets`).
    retired: js.Retired
    #: Filled in: the id of the secret each change applied was signed with.
    signed: dict[Key, str]
    #: Device -> the changes up to which this computer vouches for it itself (its own).
    trusted_to: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Except:
    """Every table but these."""

    left_out: frozenset[str]

    def __contains__(self, table: object) -> bool:
        return table not in self.left_out


def _read_change(ctx: ReplayContext, key: Key, path: Path) -> tuple[Change, str] | None:
    """The change in ``path``, and the id of the secret it was signed with."""
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
    signed_with = str(opened.doc.get("key"))
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
    return change, signed_with


def apply_changes(
    ctx: ReplayContext, later: Collection[str]
) -> tuple[list[Change], dict[str, Stamp]]:
    """Apply every change not yet applied, in causal order; note the ones that must wait."""
    state = ctx.state
    waiting: dict[str, dict[int, tuple[Change, Path]]] = {}
    signed: dict[Key, str] = {}
    for key, path in sorted(ctx.listing.changes.items()):
        if key[1] <= state.vector.get(key[0], 0):
            continue  # in a snapshot already
        read = _read_change(ctx, key, path)
        if read is not None:
            waiting.setdefault(key[0], {})[key[1]] = (read[0], path)
            signed[key] = read[1]
    # A change signed with a retired secret after its cutoff waits for a later
    # change of its device signed with a secret in use (journal_secrets).
    vouched: dict[str, int] = dict(ctx.trusted_to)
    for (device, counter), secret_id in (*ctx.signed.items(), *signed.items()):
        if secret_id not in ctx.retired and counter > vouched.get(device, 0):
            vouched[device] = counter
    held: set[Key] = {
        k
        for k, secret_id in signed.items()
        if js.after_cutoff(secret_id, *k, ctx.retired) and k[1] > vouched.get(k[0], 0)
    }
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
                if (device, change.counter) in held:
                    break
                state.apply(change, tables)
                ctx.signed[(device, change.counter)] = signed[(device, change.counter)]
                stamp = Stamp.parse(change.stamp)
                ctx.clock.observe(stamp)
                last_heard[device] = max(last_heard.get(device, stamp), stamp)
                applied.append(change)
                del queue[change.counter]
                progress = True
    for device, queue in waiting.items():
        for counter, (_change, path) in sorted(queue.items()):
            if (device, counter) in held:
                ctx.reader.note(
                    path,
                    "retired-secret",
                    f"(change {counter} of device {device}) was made with the vault's old "
                    "journal secret after a key was removed from the vault, so it is held "
                    "back; it is applied once a later change from that device shows it still "
                    "holds a key on the list (the person whose key was removed never can)",
                )
                continue
            ctx.reader.note(
                path,
                "waiting",
                f"(change {counter} of device {device}) waits for earlier changes that are "
                "not in the folder yet, and is applied once they arrive",
            )
    return applied, last_heard
