"""One laptop's burst of edits to a synced vault, for ``test_syncthing.py``.

Run as ``python syncthing_editor.py PLAN.json`` with ``CASETUI_STATE_DIR`` set to
this laptop's own state folder. The plan (written by the test) names the vault,
this laptop's identity file, its side ("A" or "B"), the clients in order, the
client this laptop removes as entered by mistake, and how many edits to make.

The script opens the vault for writing, says it is ready, waits for the test's
go file (so both laptops edit at the same time), then makes every edit as a save
of its own: one field of one client each, set to a value no other edit uses. A
removes and B removes a different client part-way through, and each adds a goal
for the client the other laptop removes (it cannot know). Last, it writes a JSON
log: the last value it gave each (client id, field), what it removed and added,
and its device id in the vault.

With ``"live": true`` in the plan there is no removal and no goal; the laptop
waits ``"interval"`` seconds between edits and reads what the other laptop saved
(``refresh``) before each, as the app does while Syncthing runs.

All names and notes are made up.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

from casetui.core.records import Goal
from casetui.services.removal import plan_removal, remove_client
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault

#: The field both laptops edit: concurrent edits to it become a visible conflict.
SHARED = "safe_contact_notes"
#: The fields only one laptop edits, by side; each must keep that laptop's last value.
OWN = {"A": ("language", "culture_notes"), "B": ("pronouns", "faith_notes")}

LANGUAGES = ("Spanish", "Amharic", "Tagalog", "Vietnamese", "Arabic", "Somali", "Dari", "Haitian")
PRONOUNS = ("she/her", "they/them", "he/him", "she/they", "he/they")
CULTURE = (
    "Prefers meetings after the school run; brings her aunt",
    "Asked for a woman interpreter from outside her community",
    "Celebrates Lunar New Year; no meetings that week",
    "Likes to meet at the library, not the office",
)
FAITH = (
    "Observes Ramadan; no meetings near sunset",
    "Sunday mornings at church; the pastor is a support",
    "Keeps Shabbat; Friday afternoons are out",
    "No faith community; prefers not to be asked again",
)
SAFE_CONTACT = {
    "A": "Call the work phone after 5pm; if she says 'library', hang up",
    "B": "Text only, never voicemail; if no reply in a day, ask her sister",
}
GOAL_TEXT = {
    "A": "Go to the tenancy clinic together on Thursday",
    "B": "Apply for the school bus pass before term starts",
}


def value(side: str, field: str, n: int) -> str:
    """The value edit ``n`` of laptop ``side`` gives ``field``: unique to that edit."""
    tag = f"{side}{n}"
    if field == "language":
        return f"{LANGUAGES[n % len(LANGUAGES)]} (checked at visit {tag})"
    if field == "pronouns":
        return f"{PRONOUNS[n % len(PRONOUNS)]} (asked, {tag})"
    if field == "culture_notes":
        return f"{CULTURE[n % len(CULTURE)]}. Update {tag}."
    if field == "faith_notes":
        return f"{FAITH[n % len(FAITH)]}. Update {tag}."
    if field == SHARED:
        return f"{SAFE_CONTACT[side]}. Update {tag}."
    raise ValueError(field)


def edit_plan(
    side: str, clients: list[str], remove: str | None, adopt: str | None, edits: int
) -> list[tuple[str, str]]:
    """(client id, field) of each edit; ("remove", id) for the removal, and ("goal", id)
    for the goal added for the client ``adopt`` (the one the other laptop removes).

    A goes through the clients in order and B in reverse, each round on one field,
    so both laptops touch every client and the shared field of each, and each
    keeps editing the client the other removes until the end.
    """
    fields = [*OWN[side], SHARED] if side == "A" else [SHARED, *OWN[side]]
    order = list(clients) if side == "A" else list(reversed(clients))
    remove_at = edits // 2 if side == "A" else edits // 3
    goal_at = edits * 3 // 4 if side == "A" else edits * 2 // 3
    plan: list[tuple[str, str]] = []
    removed = False
    for i in range(edits):
        if i == remove_at and remove is not None:
            plan.append(("remove", remove))
            removed = True
        if i == goal_at and adopt is not None:
            plan.append(("goal", adopt))
        targets = [c for c in order if not (removed and c == remove)]
        plan.append((targets[i % len(targets)], fields[(i // len(targets)) % len(fields)]))
    return plan


def wait_for(path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"no go file {path} after {timeout:.0f} s")
        time.sleep(0.01)


def main(plan_file: str) -> int:
    config: dict[str, Any] = json.loads(Path(plan_file).read_text())
    side: str = config["side"]
    vault = Vault.open(Path(config["vault"]), identity_unlocker(Path(config["identity"])))
    live = bool(config.get("live"))
    remove, adopt = (None, None) if live else (config["remove"], config["adopt"])
    steps = edit_plan(side, config["clients"], remove, adopt, config["edits"])
    last: dict[str, dict[str, str]] = {}
    removed_records: list[list[str]] = []
    added: list[list[str]] = []
    refreshed = 0  # records the other laptop's saves changed here, as they arrived
    try:
        Path(config["ready"]).write_text(vault.journal.device if vault.journal else "")
        wait_for(Path(config["go"]), timeout=120)
        started = time.monotonic()
        for n, (client_id, field) in enumerate(steps):
            if live:
                time.sleep(config["interval"])
                refreshed += len(vault.refresh())
            if client_id == "remove":
                plan = plan_removal(vault.repo, field)
                remove_client(vault, plan, erase=False)
                removed_records = [list(item) for item in plan.records]
            elif client_id == "goal":
                goal = Goal.create(client_id=field, text=GOAL_TEXT[side], priority=2)
                vault.repo.goals.add(goal)
                added.append([Goal.TABLE, goal.id])
            else:
                client = vault.repo.clients.require(client_id)
                new = value(side, field, n)
                vault.repo.clients.put(dataclasses.replace(client, **{field: new}))
                last.setdefault(client_id, {})[field] = new
            if vault.save() is None:
                raise SystemExit(f"edit {n} ({client_id}, {field}) saved nothing")
        seconds = time.monotonic() - started
        assert vault.journal is not None
        device = vault.journal.device
    finally:
        vault.close()
    log = {
        "side": side,
        "device": device,
        "edits": sum(1 for c, _f in steps if c not in {"remove", "goal"}),
        "saves": len(steps),
        "seconds": seconds,
        "last": last,
        "removed": remove,
        "removed_records": removed_records,
        "adopted": adopt,
        "added": added,
        "refreshed": refreshed,
    }
    Path(config["log"]).write_text(json.dumps(log, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
