"""Snapshot heads: reading them, and which to trust and read.

A snapshot's head says which changes it holds and carries the journal secrets,
so a device chooses what to read from the heads alone: the vault the folder
holds (:func:`choose_vault`), the heads made with a trusted secret, a new secret
only when a member could have brought it in (:func:`accepted`), none signed with
a retired secret beyond its cutoff (:func:`not_retired`), and the fewest that
hold everything (:func:`to_read`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from casetui.core.errors import VaultDamaged, VaultShapeError
from casetui.vault.journal import change_files as cf
from casetui.vault.journal import journal_secrets as js
from casetui.vault.journal.folder_files import SNAPSHOTS, FileProblem, Opened, Reader, dominated

Key = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Head:
    key: Key
    vault_id: str
    vector: dict[str, int]
    secrets: dict[str, str]
    opened: Opened
    retired: js.Retired
    #: The id of the secret its MAC was made with.
    signed_with: str


def read_head(
    reader: Reader, key: Key, parts: dict[str, Path], vault_id: str | None
) -> Head | None:
    opened = reader.open(parts["head"], vault_id)
    if opened is None:
        return None
    try:
        header = cf.read_snapshot_header(opened.doc)
        secrets = cf.read_secrets(opened.doc)
        retired = js.read_retired(opened.doc)
        if (header.device, header.seq, header.part) != (*key, "head"):
            raise cf.NotAJournalFile("it was renamed (its name and its contents disagree)")
        if not opened.verified(secrets):
            raise cf.NotAJournalFile("its MAC does not match: it was altered")
    except cf.NotAJournalFile as exc:
        reader.note(parts["head"], "not-journal", f"was not applied: {exc}")
        return None
    opened.release()
    signed_with = str(opened.doc.get("key"))
    return Head(key, str(opened.doc["vault"]), header.vector, secrets, opened, retired, signed_with)


def forget_superseded(problems: list[FileProblem], read: Iterable[Key]) -> None:
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


def choose_vault(
    root: Path,
    heads: list[Head],
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


def accepted(
    reader: Reader, heads: list[Head], vault_id: str, known: set[str], retired: js.Retired
) -> list[Head]:
    """The heads of this vault made with a trusted secret; the first trusted if none known.

    A head that brings a secret not trusted yet is taken only when a member could
    have written it: it is signed with a trusted secret still in use, or it retires
    one (see :mod:`.journal_secrets`). Heads bringing nothing new are taken first, so
    their retirements are known before any newcomer is judged. ``retired`` gains the
    retirements of the heads taken.
    """
    out: list[Head] = []
    trusted = set(known)
    pending: list[Head] = []
    # The snapshot holding the most changes first: its secret is the one trusted
    # when this computer trusted none before.
    for head in sorted(heads, key=lambda h: (-sum(h.vector.values()), h.key)):
        if head.vault_id != vault_id:
            reader.note(head.opened.path, "not-journal", "was not applied: it is another vault's")
        else:
            pending.append(head)

    def take(head: Head) -> None:
        trusted.update(head.secrets)
        js.merge(retired, head.retired)
        out.append(head)
        pending.remove(head)

    while pending:
        plain = [h for h in pending if not trusted or set(h.secrets) <= trusted]
        if plain:
            take(plain[0])
            continue
        newcomer = next((h for h in pending if may_introduce(h, trusted, retired)), None)
        if newcomer is None:
            break
        take(newcomer)
    for head in pending:
        reader.note(
            head.opened.path,
            "unknown-writer",
            "was not made with this vault's journal secret, so it was not applied "
            "(someone who is not a member may have written it)",
        )
    return out


def may_introduce(head: Head, trusted: set[str], retired: js.Retired) -> bool:
    """Whether a head bringing a new journal secret was written by a member: signed with
    a trusted secret in use, or retiring one (its id is known only to members)."""
    in_use = trusted - set(retired)
    return head.signed_with in in_use or bool(in_use & set(head.retired))


def not_retired(reader: Reader, heads: list[Head], retired: js.Retired) -> list[Head]:
    """``heads`` without the snapshots signed with a secret after it was retired."""
    kept: list[Head] = []
    for head in heads:
        if js.snapshot_after_cutoff(head.signed_with, head.vector, retired):
            reader.note(
                head.opened.path,
                "retired-secret",
                "was made with the vault's old journal secret after a key was removed "
                "from the vault, so it was not applied (the person whose key was removed "
                "may have written it)",
            )
            continue
        kept.append(head)
    return kept


def to_read(heads: list[Head], vector: dict[str, int]) -> list[Head]:
    """The fewest snapshots that together hold every change the others hold."""
    chosen: list[Head] = []
    held = dict(vector)
    for head in heads:  # most changes first
        if dominated(head.vector, held):
            continue
        chosen.append(head)
        for device, counter in head.vector.items():
            held[device] = max(held.get(device, 0), counter)
    return chosen
