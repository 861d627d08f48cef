"""What this computer remembers about each vault it has opened, outside the vault.

A vault file says of itself how many times it has been saved (its generation)
and which keys it is encrypted to. Someone who can write to the folder it lives
in (a shared or synced folder, a USB stick) can put back an older copy: one
whose list still holds a key that was removed since. Nothing inside the file can
tell, so casetui keeps, per vault and in the user's state folder:

* the newest generation it has seen saved or opened here,
* the keys removed from that vault here (public keys and names, never secrets),
  and
* the place and hash of the audit trail's last entry at its last save here: the
  trail's chain can be rebuilt by anyone holding a key, but not this anchor.

Opening a copy older than the newest one seen, or saving to a list that holds a
removed key, then needs the person's say-so. The file holds no case data: only
the vault's random id, a counter and public keys. It is written 0600, like
everything casetui writes, and a damaged one is read as empty, which only loses
the warning, never data.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from casetui.core.errors import SaveFailed
from casetui.files import atomic_write, ensure_private_dir

#: Shared with crash reports: tests and careful users point it elsewhere.
STATE_DIR_ENV = "CASETUI_STATE_DIR"
_FOLDER = "vaults"
_ID = re.compile(r"^[0-9a-f]{16,64}$")
_MAX_FILE = 1 << 20
_DEVICE = re.compile(r"^[a-z0-9]{4,32}$")


def state_folder() -> Path:
    """``$CASETUI_STATE_DIR/vaults``, or the platform's state folder for casetui."""
    override = os.environ.get(STATE_DIR_ENV)
    if override:
        return Path(override) / _FOLDER
    return platformdirs.user_state_path("casetui", appauthor=False) / _FOLDER


@dataclass(frozen=True, slots=True)
class RemovedKey:
    name: str
    key: str
    removed_at: str


@dataclass(slots=True)
class Seen:
    """What is remembered about one vault. Change it, then :meth:`save`."""

    vault_id: str
    generation: int = 0
    removed: dict[str, RemovedKey] = field(default_factory=dict)
    #: ``(seq, sha256)`` of the audit trail's last entry when this computer last saved.
    audit_head: tuple[int, str] | None = None
    #: This computer's name for itself in the vault's folder (format 4), made once.
    device: str | None = None
    #: The ids (hashes) of the journal secrets this computer has trusted in this vault.
    secret_ids: list[str] = field(default_factory=list)
    #: Records erased (``table/id``: random ids, no content) whose erasure this computer
    #: has carried out in its own files and backups.
    erased: list[str] = field(default_factory=list)
    #: How many changes this computer has written under its device name: it vouches
    #: for those itself, even when written with a journal secret since retired.
    written: int = 0

    def path(self) -> Path:
        return state_folder() / f"{self.vault_id}.json"

    def note_removed(self, name: str, key: str, when: datetime | None = None) -> None:
        stamp = (when or datetime.now(UTC)).isoformat(timespec="seconds")
        self.removed[key] = RemovedKey(name, key, stamp)

    def forget_removed(self, key: str) -> None:
        self.removed.pop(key, None)

    def save(self) -> bool:
        """Write it down; False when that failed (the vault's own save still counts)."""
        if not _ID.match(self.vault_id):
            return False
        data = {
            "vault_id": self.vault_id,
            "generation": self.generation,
            "removed": [
                {"name": r.name, "key": r.key, "removed_at": r.removed_at}
                for r in self.removed.values()
            ],
            "audit_head": list(self.audit_head) if self.audit_head else None,
            "device": self.device,
            "secret_ids": self.secret_ids,
            "erased": self.erased,
            "written": self.written,
        }
        try:
            ensure_private_dir(self.path().parent)
            atomic_write(self.path(), json.dumps(data, indent=1).encode("utf-8"))
        except (OSError, SaveFailed):
            return False
        return True


def recall(vault_id: str) -> Seen:
    """What this computer remembers of ``vault_id`` (nothing, if it never saw it)."""
    seen = Seen(vault_id)
    if not _ID.match(vault_id):
        return seen
    with contextlib.suppress(OSError, ValueError, TypeError, AttributeError, KeyError):
        path = seen.path()
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as fh:
            raw: Any = json.loads(fh.read(_MAX_FILE))
        generation = raw.get("generation", 0)
        if isinstance(generation, int) and generation >= 0:
            seen.generation = generation
        head = raw.get("audit_head")
        if (
            isinstance(head, list)
            and len(head) == 2
            and isinstance(head[0], int)
            and isinstance(head[1], str)
        ):
            seen.audit_head = (head[0], head[1][:64])
        written = raw.get("written", 0)
        if isinstance(written, int) and not isinstance(written, bool) and written >= 0:
            seen.written = written
        device = raw.get("device")
        if isinstance(device, str) and _DEVICE.match(device):
            seen.device = device
        erased = raw.get("erased")
        if isinstance(erased, list):
            seen.erased = [e for e in erased if isinstance(e, str) and len(e) <= 120]
        ids = raw.get("secret_ids")
        if isinstance(ids, list):
            seen.secret_ids = [i for i in ids if isinstance(i, str) and _ID.match(i)][:64]
        for entry in raw.get("removed", []):
            key, name, when = entry["key"], entry["name"], entry["removed_at"]
            if all(isinstance(v, str) for v in (key, name, when)):
                seen.removed[key] = RemovedKey(name[:120], key, when[:40])
    return seen
