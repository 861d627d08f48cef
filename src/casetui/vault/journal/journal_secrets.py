"""Journal secrets: which one signs, and which were retired when a key left the list.

Every journal file carries a MAC made with a journal secret (see
:mod:`.change_files`). The secrets travel only inside snapshot heads, which are
encrypted to the vault's keys. A person whose key is removed still knows the
secrets of the snapshots they could read, so removing a key (or replacing the
vault's own) *retires* every secret in use: a new one is made, and the snapshot
written to the new list of keys holds it, with each old secret's cutoff, the
version vector at the moment it was retired.

A file signed with a retired secret is taken as it always was up to the cutoff.
Beyond it:

* a **change** is held back until a later change from the same device, signed
  with a secret still in use, vouches for it. A colleague whose laptop saved
  before it synced the removal vouches at its next save (or at once, when it
  reads the new snapshot: see ``Journal.vouch``); the person removed cannot.
* a **snapshot** is set aside: it would otherwise bring in whatever its writer
  put in it.

A new secret is trusted only when a member could have brought it in: its
snapshot is signed with a secret in use, or it retires one (an id only members
know once the old secret is retired). So a device that has read the removal also
refuses a removed member's own "rotation" (``journal_folder._accepted``).

What this cannot stop, and the README says so: a removed member's files that
reach a device before the removal does. age does not say who encrypted a file,
so nothing here can tell a removed member from a member who is offline.
"""

from __future__ import annotations

import re
import secrets as random
from collections.abc import Mapping
from typing import Any

from casetui.vault.journal import change_files as cf

#: secret id -> the version vector at which it was retired.
Retired = dict[str, dict[str, int]]

_ID = re.compile(r"[0-9a-f]{16}")
_DEVICE = re.compile(r"[a-z0-9]{4,32}")


def new_secret() -> tuple[str, str]:
    """A fresh journal secret and its id."""
    secret = random.token_hex(32)
    return cf.secret_id(secret), secret


def signing_id(secrets: Mapping[str, str], retired: Mapping[str, Any]) -> str:
    """The secret a new file is signed with: the first still in use (the same on
    every device that read the same snapshots)."""
    active = sorted(k for k in secrets if k not in retired)
    return active[0] if active else min(secrets)


def retiring(
    secrets: Mapping[str, str], retired: Mapping[str, Mapping[str, int]], vector: Mapping[str, int]
) -> tuple[dict[str, str], Retired]:
    """The secrets and retirements after every secret in use is retired at ``vector``."""
    new_id, new = new_secret()
    out: Retired = {k: dict(v) for k, v in retired.items()}
    for key in secrets:
        if key not in out:
            out[key] = dict(vector)
    return {**secrets, new_id: new}, out


def merge(into: Retired, more: Mapping[str, Mapping[str, int]]) -> bool:
    """Add ``more`` to ``into`` (a cutoff seen twice keeps the later counters).

    Returns whether ``into`` changed."""
    changed = False
    for key, vector in more.items():
        mine = into.get(key)
        if mine is None:
            into[key] = dict(vector)
            changed = True
            continue
        for device, counter in vector.items():
            if counter > mine.get(device, 0):
                mine[device] = counter
                changed = True
    return changed


def after_cutoff(
    key: object, device: str, counter: int, retired: Mapping[str, Mapping[str, int]]
) -> bool:
    """Whether change ``counter`` of ``device``, signed with ``key``, was signed with
    a secret after it was retired."""
    cutoff = retired.get(str(key))
    return cutoff is not None and counter > cutoff.get(device, 0)


def snapshot_after_cutoff(
    key: object, vector: Mapping[str, int], retired: Mapping[str, Mapping[str, int]]
) -> bool:
    """Whether a snapshot holding ``vector``, signed with ``key``, holds changes made
    after its secret was retired."""
    cutoff = retired.get(str(key))
    return cutoff is not None and any(n > cutoff.get(d, 0) for d, n in vector.items())


def read_retired(doc: Mapping[str, Any]) -> Retired:
    """A snapshot head's retirements (none in a head written before they existed)."""
    raw = doc.get("retired", {})
    if not isinstance(raw, dict):
        raise cf.NotAJournalFile("its list of retired journal secrets is malformed")
    out: Retired = {}
    for key, vector in raw.items():
        if not (isinstance(key, str) and _ID.fullmatch(key) and isinstance(vector, dict)):
            raise cf.NotAJournalFile("its list of retired journal secrets is malformed")
        for device, counter in vector.items():
            if not (
                isinstance(device, str)
                and _DEVICE.fullmatch(device)
                and isinstance(counter, int)
                and not isinstance(counter, bool)
                and counter >= 0
            ):
                raise cf.NotAJournalFile("its list of retired journal secrets is malformed")
        out[key] = dict(vector)
    return out
