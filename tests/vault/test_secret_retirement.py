"""Removing a key retires the journal secret, so the person removed cannot write changes
the others accept (``vault/journal/journal_secrets.py``).

Before this, every file's MAC was made with the one journal secret the vault was
created with. A removed colleague still held it (it was in every snapshot they had
read), so a change they saved on their old copy of the folder was applied by
everyone once a sync tool carried it over.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyrage
import pytest

from casetui.services.checkup import check_vault
from casetui.services.recipients import add_recipient, remove_recipient
from casetui.vault import keys
from casetui.vault.journal import change_files as cf
from casetui.vault.journal import journal_secrets as js
from casetui.vault.unlocking import identity_unlocker
from tests.conftest import PASSPHRASE, VaultFiles, run_casetui
from tests.vault.laptops import Laptop, add_client, edit_client, exchange, later, state_folder

CLIENT = "cl_ines0001"


def colleague_key(tmp_path: Path) -> tuple[Path, str]:
    identity = pyrage.x25519.Identity.generate()
    path = tmp_path / "casey.key"
    path.write_text(f"{identity}\n")
    path.chmod(0o600)
    return path, str(identity.to_public())


def copy_of(files: VaultFiles, tmp_path: Path, name: str, identity: Path) -> VaultFiles:
    folder = tmp_path / f"laptop-{name}"
    folder.mkdir(mode=0o700)
    shutil.copytree(files.vault, folder / files.vault.name)
    return VaultFiles(folder / files.vault.name, identity)


def newest_head(files: VaultFiles, keyring: keys.Keyring | None = None) -> dict[str, object]:
    """The head of the snapshot written last."""
    heads = sorted((files.vault / "snapshots").glob("*.head.age"))
    keyring = keyring or keys.load_identity_file(files.identity_file)
    newest = max(heads, key=lambda p: p.stat().st_mtime_ns)
    return json.loads(keys.decrypt(newest.read_bytes(), keyring, newest))  # type: ignore[no-any-return]


@pytest.fixture
def team(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Laptop, Laptop, Laptop]:
    """A (the vault's own key), B (a second laptop with the same key) and Casey (a
    colleague's key), each with a copy of a folder holding Ines."""
    casey_identity, casey_public = colleague_key(tmp_path)
    a = Laptop("a", vault_files, state_folder(tmp_path, "a"), monkeypatch)
    with a.session() as vault:
        add_client(vault, CLIENT, "Ines Harrowgate", pronouns="she/her")
        vault.save()
        add_recipient(vault, casey_public, "Casey Colleague")
    b_files = copy_of(vault_files, tmp_path, "b", vault_files.identity_file)
    c_files = copy_of(vault_files, tmp_path, "casey", casey_identity)
    b = Laptop("b", b_files, state_folder(tmp_path, "b"), monkeypatch)
    casey = Laptop("casey", c_files, state_folder(tmp_path, "casey"), monkeypatch)
    for laptop in (b, casey):
        with laptop.session() as vault:
            assert vault.repo.clients.require(CLIENT).pronouns == "she/her"
    return a, b, casey


def remove_casey(a: Laptop) -> None:
    """A removes Casey's key; the next saves anywhere are stamped after it."""
    with a.session() as vault:
        remove_recipient(vault, "Casey Colleague")
    later()


def problems_of(laptop: Laptop, kind: str) -> list[str]:
    with laptop.session(writable=False) as vault:
        return [p.sentence for p in vault.file_problems() if p.kind == kind]


def test_adding_a_key_keeps_the_journal_secret(team: tuple[Laptop, Laptop, Laptop]) -> None:
    a, _b, _casey = team
    head = newest_head(a.files)
    assert len(head["secrets"]) == 1  # type: ignore[arg-type]
    assert "retired" not in head


def test_a_change_saved_by_a_removed_colleague_is_not_applied(
    team: tuple[Laptop, Laptop, Laptop],
) -> None:
    a, _b, casey = team
    with a.session() as vault:
        before = set(newest_head(a.files)["secrets"])  # type: ignore[arg-type]
        remove_recipient(vault, "Casey Colleague")
    head = newest_head(a.files)
    secrets = head["secrets"]
    assert isinstance(secrets, dict) and set(secrets) > before
    assert set(head["retired"]) == before  # type: ignore[arg-type]
    assert head["key"] not in before  # the new snapshot is signed with the new secret

    later()
    with casey.session() as vault:  # Casey's old copy still opens for Casey
        edit_client(vault, CLIENT, pronouns="they/them")
        add_client(vault, "cl_planted01", "Someone Casey Added")
        vault.save()
    exchange(a, casey)

    with a.session() as vault:
        assert vault.repo.clients.require(CLIENT).pronouns == "she/her"
        assert "cl_planted01" not in vault.repo.clients
    held = problems_of(a, "retired-secret")
    assert len(held) == 1 and "old journal secret" in held[0], held
    report = check_vault(a.files.vault, identity_unlocker(a.files.identity_file))
    assert any("old journal secret" in p for p in report.problems), report.problems


def test_a_snapshot_written_by_a_removed_colleague_is_set_aside(
    team: tuple[Laptop, Laptop, Laptop],
) -> None:
    a, _b, casey = team
    remove_casey(a)
    with casey.session() as vault:
        edit_client(vault, CLIENT, pronouns="they/them")
        vault.save()
        vault.compact(grace=0)  # a snapshot holding the change, signed with the old secret
    exchange(a, casey)
    with a.session() as vault:
        assert vault.repo.clients.require(CLIENT).pronouns == "she/her"
        vault.refresh()
        assert vault.repo.clients.require(CLIENT).pronouns == "she/her"
    assert any("old journal secret" in s for s in problems_of(a, "retired-secret"))


def test_a_removed_colleague_cannot_bring_in_a_journal_secret_of_their_own(
    team: tuple[Laptop, Laptop, Laptop],
) -> None:
    """Casey's old copy retires the old secret too, with a new one only Casey knows."""
    a, _b, casey = team
    remove_casey(a)
    with casey.session() as vault:
        vault.save(force=True, retire_secret=True)
        later()
        edit_client(vault, CLIENT, pronouns="they/them")
        vault.save()  # signed with Casey's new secret
    exchange(a, casey)
    with a.session() as vault:
        assert vault.repo.clients.require(CLIENT).pronouns == "she/her"
        assert "cl_planted01" not in vault.repo.clients
    assert problems_of(a, "unknown-writer"), "Casey's snapshot and change are named"


def test_a_colleague_still_on_the_list_who_saved_before_syncing_the_removal_loses_nothing(
    team: tuple[Laptop, Laptop, Laptop],
) -> None:
    a, b, _casey = team
    remove_casey(a)
    with b.session() as vault:  # B has not synced the removal yet
        edit_client(vault, CLIENT, language="Portuguese")
        vault.save()
    exchange(a, b)
    with a.session() as vault:  # held back: A cannot yet tell B from the person removed
        assert vault.repo.clients.require(CLIENT).language != "Portuguese"
    with b.session() as vault:  # B reads the new snapshot and vouches for its save
        assert vault.repo.clients.require(CLIENT).language == "Portuguese"
    exchange(a, b)
    with a.session() as vault:
        assert vault.repo.clients.require(CLIENT).language == "Portuguese"
    assert problems_of(a, "retired-secret") == []


def test_an_open_session_picks_up_a_colleagues_vouched_save_at_refresh(
    team: tuple[Laptop, Laptop, Laptop],
) -> None:
    a, b, _casey = team
    remove_casey(a)
    with b.session() as vault:
        edit_client(vault, CLIENT, language="Portuguese")
        vault.save()
        exchange(a, b)
        vault.refresh()  # reads the removal, and vouches at once
    exchange(a, b)
    with a.session() as vault:
        assert vault.repo.clients.require(CLIENT).language == "Portuguese"


def test_replacing_the_vaults_own_key_retires_the_journal_secret_too(
    vault_files: VaultFiles, home: Path
) -> None:
    before = set(newest_head(vault_files)["secrets"])  # type: ignore[arg-type]
    result = run_casetui(
        "rotate-key",
        "--vault",
        vault_files.vault,
        "--yes",
        home=home,
        env={"CASETUI_PASSPHRASE": PASSPHRASE, "CASETUI_NEW_PASSPHRASE": "copper meadow lantern"},
    )
    assert result.returncode == 0, result.stderr
    new_key = keys.load_vault_identity(vault_files.paths.identity, "copper meadow lantern")
    head = newest_head(VaultFiles(vault_files.vault, vault_files.identity_file), new_key)
    assert before <= set(head["retired"])  # type: ignore[arg-type]
    assert head["key"] not in head["retired"]  # type: ignore[operator]


# -- the rules themselves ---------------------------------------------------------------


def test_signing_uses_the_first_secret_in_use() -> None:
    secrets = {"a" * 16: "1" * 64, "b" * 16: "2" * 64, "c" * 16: "3" * 64}
    assert js.signing_id(secrets, {}) == "a" * 16
    assert js.signing_id(secrets, {"a" * 16: {}}) == "b" * 16
    assert js.signing_id(secrets, {k: {} for k in secrets}) == "a" * 16


def test_retiring_adds_a_secret_and_a_cutoff_for_each_one_in_use() -> None:
    old_id, old = js.new_secret()
    secrets, retired = js.retiring({old_id: old}, {}, {"dev1": 4, "dev2": 7})
    assert set(retired) == {old_id} and retired[old_id] == {"dev1": 4, "dev2": 7}
    (new_id,) = set(secrets) - {old_id}
    assert new_id == cf.secret_id(secrets[new_id])
    assert js.signing_id(secrets, retired) == new_id


def test_cutoffs_merge_to_the_later_counters() -> None:
    into: js.Retired = {"a" * 16: {"dev1": 4}}
    assert js.merge(into, {"a" * 16: {"dev1": 3, "dev2": 2}, "b" * 16: {}})
    assert into == {"a" * 16: {"dev1": 4, "dev2": 2}, "b" * 16: {}}
    assert not js.merge(into, {"a" * 16: {"dev1": 1}})


def test_a_change_or_snapshot_counts_as_late_only_beyond_the_cutoff() -> None:
    retired = {"a" * 16: {"dev1": 4}}
    assert not js.after_cutoff("a" * 16, "dev1", 4, retired)
    assert js.after_cutoff("a" * 16, "dev1", 5, retired)
    assert js.after_cutoff("a" * 16, "dev2", 1, retired)
    assert not js.after_cutoff("b" * 16, "dev2", 99, retired)
    assert not js.snapshot_after_cutoff("a" * 16, {"dev1": 4}, retired)
    assert js.snapshot_after_cutoff("a" * 16, {"dev1": 4, "dev2": 1}, retired)


@pytest.mark.parametrize(
    "raw",
    [[], {"short": {}}, {"a" * 16: []}, {"a" * 16: {"Dev!": 1}}, {"a" * 16: {"dev1": -1}}],
)
def test_a_malformed_list_of_retired_secrets_is_refused(raw: object) -> None:
    with pytest.raises(cf.NotAJournalFile, match="retired journal secrets"):
        js.read_retired({"retired": raw})
