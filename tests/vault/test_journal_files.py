"""The format-4 journal folder: bad files are set aside with one sentence, erasure leaves no trace.

Each test builds a small vault folder with two devices (A and B) that have both
saved a few changes, then puts one bad file beside them. The vault must still
open, every good change must be applied, the bad one must not be, and
``problems`` must hold exactly one :class:`FileProblem` naming the file in one
sentence. All names and notes are made up for these tests.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from casetui.core.errors import VaultDamaged
from casetui.vault import keys
from casetui.vault.journal import change_files as cf
from casetui.vault.journal import journal_folder as jf
from casetui.vault.journal.device_journal import Commit, Document, Journal
from casetui.vault.journal.hlc import Clock, wall_ms
from casetui.vault.journal.merge_state import Change, RecordChange

DAY_MS = 24 * 3600 * 1000
VAULT_ID = "v1-journal-files-test"
DEV_A, DEV_B = "aaaa1111", "bbbb2222"
#: A third device that writes the file a test then spoils (it holds A's key).
DEV_C = "cccc3333"
META = {"1": {"format": "casetui-vault", "version": 4}}


def ring(name: str) -> tuple[keys.Keyring, keys.RecipientEntry]:
    text, public = keys.generate_identity()
    keyring = keys.Keyring(keys.parse_identity_text(text, Path(f"{name}.key")), "identity file")
    return keyring, keys.RecipientEntry(name, public)


def first_document() -> Document:
    return {
        "_meta": {k: dict(v) for k, v in META.items()},
        "clients": {
            "cl_1": {"preferred_name": "Ann Example", "pronouns": "she/her"},
            "cl_2": {"preferred_name": "Sam Placeholder", "pronouns": "they/them"},
        },
        "meetings": {
            "m_1": {"client_id": "cl_1", "note": "Went through the housing form together."},
        },
    }


def edit(
    journal: Journal,
    recipients: list[keys.RecipientEntry],
    table: str,
    record_id: str,
    **fields: Any,
) -> Commit:
    """One save on ``journal`` that sets ``fields`` of one record (creating it if new)."""
    saved = journal.document()
    current = {t: dict(rows) for t, rows in saved.items()}
    current.setdefault(table, {})
    current[table][record_id] = {**saved.get(table, {}).get(record_id, {}), **fields}
    done = journal.commit(saved, current, by="test", recipients=recipients)
    assert done is not None
    return done


@dataclass
class TwoDevices:
    root: Path
    ka: keys.Keyring
    kb: keys.Keyring
    ra: keys.RecipientEntry
    rb: keys.RecipientEntry
    a: Journal
    b: Journal

    @property
    def both(self) -> list[keys.RecipientEntry]:
        return [self.ra, self.rb]

    def open_b(self, **kwargs: Any) -> Journal:
        return Journal.open(self.root, self.kb, device=DEV_B, **kwargs)

    def third_device(self, **kwargs: Any) -> Journal:
        """Device C (holding A's key), which writes the file a test then spoils."""
        return Journal.open(self.root, self.ka, device=DEV_C, **kwargs)


@pytest.fixture
def vault(tmp_path: Path) -> TwoDevices:
    ka, ra = ring("worker-a")
    kb, rb = ring("worker-b")
    root = tmp_path / "vault"
    a = Journal.create(
        root, first_document(), keyring=ka, recipients=[ra, rb], vault_id=VAULT_ID, device=DEV_A
    )
    v = TwoDevices(root, ka, kb, ra, rb, a, Journal.open(root, kb, device=DEV_B))
    edit(v.a, v.both, "clients", "cl_1", preferred_name="Annie Example")
    v.b.refresh()
    edit(v.b, v.both, "meetings", "m_1", note="Booked a follow-up for Tuesday.")
    v.a.refresh()
    edit(v.a, v.both, "clients", "cl_2", pronouns="they")
    v.b.refresh()
    assert v.a.document() == v.b.document()
    assert not v.a.problems
    assert not v.b.problems
    return v


def good_document() -> Document:
    return {
        "_meta": META,
        "clients": {
            "cl_1": {"preferred_name": "Annie Example", "pronouns": "she/her"},
            "cl_2": {"preferred_name": "Sam Placeholder", "pronouns": "they"},
        },
        "meetings": {"m_1": {"client_id": "cl_1", "note": "Booked a follow-up for Tuesday."}},
    }


def assert_one_sentence(sentence: str, path: Path) -> None:
    assert sentence.startswith(f"{path.parent.name}/{path.name} "), sentence
    assert sentence.endswith("."), sentence
    assert sentence[0].isalnum(), sentence
    body = sentence[:-1]
    assert ". " not in body, sentence
    assert "\n" not in sentence, sentence
    assert "Traceback" not in sentence, sentence


def assert_only_problem(journal: Journal, path: Path, kind: str, *words: str) -> jf.FileProblem:
    assert len(journal.problems) == 1, journal.problems
    problem = journal.problems[0]
    assert problem.path == path
    assert problem.kind == kind, problem
    assert_one_sentence(problem.sentence, path)
    for word in words:
        assert word in problem.sentence, problem.sentence
    return problem


def assert_set_aside(
    v: TwoDevices, path: Path, kind: str, *words: str, saver: Journal | None = None
) -> None:
    """B, both opened afresh and refreshed in place, skips ``path`` and applies the rest."""
    fresh = v.open_b()
    assert fresh.document() == good_document()
    assert_only_problem(fresh, path, kind, *words)
    assert not list(fresh.state.conflicts())
    v.b.refresh()
    assert v.b.document() == good_document()
    assert_only_problem(v.b, path, kind, *words)
    # B (or ``saver``) can still save, and the save is read by others.
    edit(saver or v.b, v.both, "clients", "cl_1", pronouns="she")
    again = Journal.open(v.root, v.ka, device="dddd4444")
    assert again.document()["clients"]["cl_1"]["pronouns"] == "she"


def write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


# -- files that cannot be read ------------------------------------------------------------

SPOILERS: dict[str, Callable[[bytes], bytes]] = {
    "cut-in-half": lambda data: data[: len(data) // 2],
    "last-byte-missing": lambda data: data[:-1],
    "empty": lambda data: b"",
    "byte-flipped": lambda data: data[:-20] + bytes([data[-20] ^ 0x01]) + data[-19:],
}


@pytest.mark.parametrize("spoil", SPOILERS)
def test_a_damaged_change_file_is_set_aside(vault: TwoDevices, spoil: str) -> None:
    bad = edit(vault.third_device(), vault.both, "clients", "cl_2", note="From a damaged file")
    bad.path.write_bytes(SPOILERS[spoil](bad.path.read_bytes()))
    assert_set_aside(vault, bad.path, "damaged", "damaged")


def test_a_change_for_other_keys_is_set_aside_by_who_cannot_read_it(vault: TwoDevices) -> None:
    # Device C encrypts its save to worker A's key only; worker B cannot open it.
    bad = edit(vault.third_device(), [vault.ra], "clients", "cl_2", note="Only for worker A")
    assert_set_aside(vault, bad.path, "other-keys", "other keys")
    # It is a good change all the same: whoever holds the key applies it.
    a = Journal.open(vault.root, vault.ka, device=DEV_A)
    assert a.document()["clients"]["cl_2"]["note"] == "Only for worker A"
    assert not a.problems


def test_a_change_forged_with_only_the_public_keys_is_set_aside(vault: TwoDevices) -> None:
    forger = "eeee5555"
    change = Change(
        forger,
        1,
        Clock(forger).tick().text(),
        dict(vault.b.state.vector),
        (RecordChange("clients", "cl_2", {"preferred_name": "Forged name"}),),
        (("clients", "cl_1", False),),
        "not a member",
    )
    doc = cf.change_doc(change, VAULT_ID)
    sealed = cf.seal(doc, secrets.token_hex(32))
    path = jf.change_path(vault.root, forger, 1)
    write_private(path, keys.encrypt(sealed, vault.both))
    assert_set_aside(vault, path, "unknown-writer", "journal secret")


@pytest.mark.parametrize("part", ["main", "meetings", "audit"])
def test_a_damaged_snapshot_part_is_set_aside_and_the_older_files_still_serve(
    vault: TwoDevices, part: str
) -> None:
    vault.a.compact(vault.both)  # the older snapshot and changes stay for the grace period
    bad = jf.snapshot_path(vault.root, DEV_A, 2, part)
    data = bad.read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    fresh = vault.open_b()
    assert fresh.document() == good_document()
    assert not list(fresh.state.conflicts())
    mine = [p for p in fresh.problems if p.path == bad]
    assert len(mine) == 1
    assert mine[0].kind == "damaged"
    assert_one_sentence(mine[0].sentence, bad)
    # Besides, the snapshot (named by its head) may be reported as not applied.
    head = jf.snapshot_path(vault.root, DEV_A, 2, "head")
    assert {p.path for p in fresh.problems} <= {bad, head}
    for problem in fresh.problems:
        assert_one_sentence(problem.sentence, problem.path)


def test_a_snapshot_still_arriving_is_read_at_a_later_refresh(vault: TwoDevices) -> None:
    """A snapshot set aside while a sync tool was still copying it in is read once whole,
    and its problem is no longer listed."""
    edit(vault.a, vault.both, "clients", "cl_2", note="Only in the snapshot")
    vault.a.compact(vault.both, grace=0)  # B has not seen that edit: it needs the snapshot
    part = jf.snapshot_path(vault.root, DEV_A, 2, "meetings")
    whole = part.read_bytes()
    part.write_bytes(whole[: len(whole) // 3])  # the sync tool has copied a third of it
    vault.b.refresh()
    assert any(p.path == part and p.kind == "damaged" for p in vault.b.problems)
    part.write_bytes(whole)  # ... and now all of it
    vault.b.refresh()
    assert vault.b.problems == []
    assert (DEV_A, 2) in vault.b.loaded.snapshots
    assert vault.b.document()["clients"]["cl_2"]["note"] == "Only in the snapshot"


# -- files that are readable but must not be applied -------------------------------------------


def replayed_name(v: TwoDevices, original: Path, where: str) -> Path:
    n = int(original.name.split(".")[1])
    if where == "same-device-later":
        return jf.change_path(v.root, DEV_A, n + 5)
    if where == "other-device-next":
        return jf.change_path(v.root, DEV_B, v.b.state.vector[DEV_B] + 1)
    return jf.change_path(v.root, "ffff6666", 1)


@pytest.mark.parametrize("where", ["same-device-later", "other-device-next", "new-device"])
def test_a_change_replayed_under_another_name_is_not_applied_twice(
    vault: TwoDevices, where: str
) -> None:
    first = edit(vault.a, vault.both, "clients", "cl_1", preferred_name="Ann E.")
    edit(vault.a, vault.both, "clients", "cl_1", preferred_name="Annie Example")
    vault.b.refresh()
    copy = replayed_name(vault, first.path, where)
    shutil.copy2(first.path, copy)
    # Applied again, the older change would bring "Ann E." back as a second version.
    squatted = {"same-device-later": vault.a, "other-device-next": vault.b}.get(where)
    saver = vault.a if squatted is vault.b else vault.b
    assert_set_aside(vault, copy, "not-journal", "name and its contents disagree", saver=saver)
    assert not list(vault.b.state.conflicts())
    if squatted is not None:
        assert_stops_at_the_taken_name(vault, squatted, copy)


def assert_stops_at_the_taken_name(v: TwoDevices, device: Journal, taken: Path) -> None:
    """The device whose next name the copy took saves up to it, then goes on as a new device.

    (It cannot skip the name: other devices apply its changes only in order. A
    new device's changes start a sequence of their own, which every device applies.)
    """
    taken_n = int(taken.name.split(".")[1])
    old_name = device.device
    for k in range(10):
        edit(device, v.both, "clients", "cl_2", visits=k)
    assert device.device != old_name
    assert not jf.change_path(v.root, old_name, taken_n + 1).exists()
    fresh = Journal.open(v.root, v.ka, device="dddd4444")
    assert [p.path for p in fresh.problems] == [taken]
    assert fresh.document()["clients"]["cl_2"]["visits"] == 9


def test_a_change_restored_under_its_own_name_after_compaction_is_skipped(
    vault: TwoDevices, tmp_path: Path
) -> None:
    first = edit(vault.a, vault.both, "clients", "cl_1", preferred_name="Ann E.")
    edit(vault.a, vault.both, "clients", "cl_1", preferred_name="Annie Example")
    kept = tmp_path / "restored-from-backup.age"
    shutil.copy2(first.path, kept)
    vault.b.refresh()
    vault.a.refresh()
    removed = vault.a.compact(vault.both, grace=0)
    assert first.path in removed
    assert not first.path.exists()
    shutil.copy2(kept, first.path)  # put back by a backup tool or a sync conflict
    for reader in (vault.open_b(), Journal.open(vault.root, vault.ka, device=DEV_A)):
        assert reader.document() == good_document()
        assert reader.problems == []
        assert not list(reader.state.conflicts())
    vault.b.refresh()
    assert vault.b.document() == good_document()
    assert vault.b.problems == []
    assert not list(vault.b.state.conflicts())
    # The next compaction removes it again.
    assert first.path in vault.a.compact(vault.both, grace=0)


def test_a_change_from_the_future_is_held_back_until_the_clock_reaches_it(
    vault: TwoDevices,
) -> None:
    ahead = Clock(DEV_C, now=lambda: wall_ms() + 2 * DAY_MS)
    bad = edit(
        vault.third_device(clock=ahead), vault.both, "clients", "cl_2", note="Two days ahead"
    )
    assert_set_aside(vault, bad.path, "future", "held back", "UTC")

    # A reader whose clock has reached the stamp applies it.
    later = Journal.open(
        vault.root, vault.kb, device=DEV_B, clock=Clock(DEV_B, now=lambda: wall_ms() + 2 * DAY_MS)
    )
    assert later.problems == []
    assert later.document()["clients"]["cl_2"]["note"] == "Two days ahead"

    # So does a device that stays open while its clock moves on, at its next refresh.
    offset = [0]
    moving = Journal.open(
        vault.root, vault.kb, device=DEV_B, clock=Clock(DEV_B, now=lambda: wall_ms() + offset[0])
    )
    assert [p.kind for p in moving.problems] == ["future"]
    assert "note" not in moving.document()["clients"]["cl_2"]
    offset[0] = 2 * DAY_MS
    moving.refresh()
    assert moving.problems == []
    assert moving.document()["clients"]["cl_2"]["note"] == "Two days ahead"


def test_a_change_from_another_vault_is_set_aside(vault: TwoDevices, tmp_path: Path) -> None:
    other = Journal.create(
        tmp_path / "other-vault",
        first_document(),
        keyring=vault.ka,
        recipients=vault.both,
        vault_id="v2-another-vault",
        device=DEV_C,
    )
    foreign = edit(other, vault.both, "clients", "cl_2", note="Belongs to the other vault")
    copy = vault.root / jf.CHANGES / foreign.path.name
    shutil.copy2(foreign.path, copy)
    assert_set_aside(vault, copy, "not-journal", "another vault")


def make_other_vault(v: TwoDevices, root: Path, compactions: int) -> Path:
    """Another vault (same keys, another id); its device dddd4444 compacted that many times."""
    other = Journal.create(
        root,
        {"clients": {"cl_9": {"preferred_name": "Kit Othervault"}}},
        keyring=v.ka,
        recipients=v.both,
        vault_id="v2-another-vault",
        device="dddd4444",
    )
    for _ in range(compactions):
        other.compact(v.both, grace=0)
    return root


def copy_snapshots(source: Path, root: Path) -> Path:
    for path in (source / jf.SNAPSHOTS).iterdir():
        shutil.copy2(path, root / jf.SNAPSHOTS / path.name)
    (head,) = (root / jf.SNAPSHOTS).glob("dddd4444.*.head.age")
    return head


def test_a_snapshot_from_another_vault_is_set_aside(vault: TwoDevices, tmp_path: Path) -> None:
    # Our snapshots are numbered 3; the other vault's is 1.
    vault.a.compact(vault.both)
    vault.a.compact(vault.both)
    main = copy_snapshots(make_other_vault(vault, tmp_path / "other", 0), vault.root)
    ours = set(vault.b.loaded.secrets)
    fresh = vault.open_b(trust=lambda vault_id: ours if vault_id == VAULT_ID else set())
    assert fresh.document() == good_document()
    assert_only_problem(fresh, main, "not-journal", "another vault")
    vault.b.refresh()
    assert vault.b.document() == good_document()
    assert_only_problem(vault.b, main, "not-journal", "another vault")
    # A device that has trusted neither vault is not left to guess.
    with pytest.raises(VaultDamaged, match="2 different vaults"):
        Journal.open(vault.root, vault.kb, device="dddd4444")


def test_a_device_that_trusted_this_vault_is_not_taken_over_by_another_vaults_snapshot(
    vault: TwoDevices, tmp_path: Path
) -> None:
    """A snapshot of another vault, numbered higher, does not decide which vault this is."""
    main = copy_snapshots(make_other_vault(vault, tmp_path / "other", 4), vault.root)
    ours = set(vault.b.loaded.secrets)
    fresh = vault.open_b(trust=lambda vault_id: ours if vault_id == VAULT_ID else set())
    assert fresh.vault_id == VAULT_ID, (fresh.vault_id, fresh.document(), fresh.problems)
    assert fresh.document() == good_document()
    assert_only_problem(fresh, main, "not-journal", "another vault")
    vault.b.refresh()
    assert vault.b.document() == good_document()
    assert_only_problem(vault.b, main, "not-journal", "another vault")


def test_a_device_new_to_the_vault_is_not_taken_over_by_another_vaults_snapshot(
    vault: TwoDevices, tmp_path: Path
) -> None:
    """On a first open (no journal secret known yet) two vaults in one folder are refused."""
    main = copy_snapshots(make_other_vault(vault, tmp_path / "other", 4), vault.root)
    try:
        fresh = Journal.open(vault.root, vault.kb, device="dddd4444")
    except VaultDamaged:
        return  # refusing to choose between two vaults would be fine too
    assert fresh.vault_id == VAULT_ID, (fresh.vault_id, fresh.document(), fresh.problems)
    assert fresh.document() == good_document()
    assert_only_problem(fresh, main, "not-journal", "another vault")


def test_a_change_waits_for_the_earlier_change_of_its_device(
    vault: TwoDevices, tmp_path: Path
) -> None:
    c = vault.third_device()
    first = edit(c, vault.both, "clients", "cl_2", note="First of two")
    second = edit(c, vault.both, "clients", "cl_2", note="Second of two")
    aside = tmp_path / "not-synced-yet.age"
    first.path.rename(aside)
    assert_set_aside(vault, second.path, "waiting", "applied once they arrive")
    aside.rename(first.path)
    vault.b.refresh()
    assert vault.b.problems == []
    assert vault.b.document()["clients"]["cl_2"]["note"] == "Second of two"
    fresh = vault.open_b()
    assert fresh.problems == []
    assert fresh.document() == vault.b.document()


# -- erasure ------------------------------------------------------------------------------

CANARY = "Canary-7f3a-Quill-Zoë"
CANARY_FORMS = (
    CANARY.encode("utf-8"),
    json.dumps(CANARY)[1:-1].encode("ascii"),  # Zo\u00eb
    b"Canary-7f3a-Quill",
)


def plaintexts(root: Path, keyring: keys.Keyring) -> Iterator[tuple[Path, bytes]]:
    """Every file under ``root``, decrypted when it is an age file."""
    for path in sorted(root.rglob("*")):
        if path.is_dir():
            continue
        data = path.read_bytes()
        if keys.is_age_file(data):
            data = keys.decrypt(data, keyring, path, "journal file")
        yield path, data


def holding_canary(root: Path, keyring: keys.Keyring) -> list[Path]:
    return [
        path
        for path, data in plaintexts(root, keyring)
        if any(form in data for form in CANARY_FORMS)
    ]


def test_an_erased_client_leaves_no_trace_in_any_file(vault: TwoDevices) -> None:
    v = vault
    edit(v.a, v.both, "clients", "cl_7", preferred_name=CANARY, pronouns="she/her")
    edit(v.a, v.both, "meetings", "m_7", client_id="cl_7", note=f"Called {CANARY} about rent.")
    v.b.refresh()
    edit(v.b, v.both, "meetings", "m_7", note=f"{CANARY} asked for a letter for school.")
    edit(v.b, v.both, "clients", "cl_7", preferred_name=f"{CANARY} R.")
    v.b.compact(v.both)  # a snapshot on B, old files kept for the grace period
    v.a.refresh()
    edit(v.a, v.both, "clients", "cl_7", preferred_name=CANARY)
    v.a.compact(v.both)
    v.b.refresh()
    before = holding_canary(v.root, v.ka)
    assert len([p for p in before if p.parent.name == jf.CHANGES]) >= 4, before
    assert len([p for p in before if p.parent.name == jf.SNAPSHOTS]) >= 2, before

    # B edits the client while A erases them; neither has seen the other's change.
    edit(v.b, v.both, "clients", "cl_7", pronouns="they/them")
    edit(v.b, v.both, "meetings", "m_7", note=f"Rang {CANARY} back.")
    saved = v.a.document()
    current = {t: dict(rows) for t, rows in saved.items()}
    del current["clients"]["cl_7"]
    del current["meetings"]["m_7"]
    erased = {("clients", "cl_7"), ("meetings", "m_7")}
    assert v.a.commit(saved, current, by="test", recipients=v.both, erased=erased)
    v.a.refresh()  # B's concurrent edit arrives: the erasure still wins
    assert "cl_7" not in v.a.document()["clients"]
    v.a.compact(v.both, grace=0)
    assert holding_canary(v.root, v.ka) == []

    v.b.refresh()
    for journal in (v.a, v.b):
        doc = journal.document()
        assert "cl_7" not in doc["clients"]
        assert "m_7" not in doc["meetings"]
        assert {rid: t.erased for rid, t in journal.state.gone("clients")} == {"cl_7": True}
        assert {rid: t.erased for rid, t in journal.state.gone("meetings")} == {"m_7": True}
        assert not list(journal.state.conflicts())
    assert v.a.document() == v.b.document()
    v.b.compact(v.both, grace=0)
    assert holding_canary(v.root, v.ka) == []
    assert holding_canary(v.root, v.kb) == []
    v.a.refresh()
    assert v.a.problems == []
    assert v.b.problems == []
    for fresh in (v.open_b(), Journal.open(v.root, v.ka, device="dddd4444")):
        assert fresh.problems == []
        assert "cl_7" not in fresh.document()["clients"]
        assert "m_7" not in fresh.document()["meetings"]
        assert fresh.document()["clients"]["cl_1"] == good_document()["clients"]["cl_1"]


# -- file modes ---------------------------------------------------------------------------


def modes(root: Path) -> dict[Path, int]:
    return {p: stat.S_IMODE(p.stat().st_mode) for p in root.rglob("*")}


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_every_file_written_is_private(tmp_path: Path, umask: int) -> None:
    seen: dict[Path, int] = {}
    old = os.umask(umask)
    try:
        ka, ra = ring("worker-a")
        kb, rb = ring("worker-b")
        root = tmp_path / "vault"
        a = Journal.create(
            root, first_document(), keyring=ka, recipients=[ra, rb], vault_id=VAULT_ID, device=DEV_A
        )
        seen |= modes(root)
        b = Journal.open(root, kb, device=DEV_B)
        for k in range(3):
            edit(a, [ra, rb], "clients", "cl_1", visits=k)
            edit(b, [ra, rb], "meetings", f"m_{k + 2}", client_id="cl_1", note="Phone call.")
            seen |= modes(root)
        a.refresh()
        a.compact([ra, rb])
        seen |= modes(root)
        b.refresh()
        b.compact([ra, rb], grace=0)
        seen |= modes(root)
    finally:
        os.umask(old)
    seen[root] = stat.S_IMODE(root.stat().st_mode)
    folders = {root, root / jf.CHANGES, root / jf.SNAPSHOTS}
    assert {p for p in seen if p.name.endswith(".age")} >= {
        jf.change_path(root, DEV_A, 2),
        jf.change_path(root, DEV_B, 3),
        jf.snapshot_path(root, DEV_A, 1, "main"),
        jf.snapshot_path(root, DEV_A, 2, "meetings"),
        jf.snapshot_path(root, DEV_B, 1, "audit"),
    }
    for path, mode in seen.items():
        assert not path.name.startswith("."), path
        assert mode == (0o700 if path in folders else 0o600), (path, oct(mode))
