"""Every kind of bad vault makes every command fail cleanly and change nothing.

A vault is a folder of age files (format 4): one that is damaged is set aside
with one sentence and the rest of the vault opens (see the last test here). A
vault with no snapshot left that can be read cannot open at all: for each damage
below, done to the only snapshot of a vault folder, or to a one-file vault (the
format before folders, still read, and converted when opened for writing),
``check``, ``import``, ``export`` and ``passwd`` must exit non-zero with one
sentence on the last line of stderr, print no traceback, and leave every file in
the vault's folder byte-for-byte as it was.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyrage
import pytest

from casetui.core.records import Staff
from casetui.vault import keys
from casetui.vault.journal import change_files as cf
from casetui.vault.journal.device_journal import Journal
from tests.conftest import PASSPHRASE, VaultFiles, run_casetui, vault_document

#: Spoils one file (the vault's, or one in its folder) in place.
Damage = Callable[[VaultFiles, Path], None]
#: Puts a vault holding ``document`` (which may break the rules) in the test vault's place.
Plant = Callable[[VaultFiles, dict[str, Any]], None]


def _identity(files: VaultFiles) -> pyrage.x25519.Identity:
    return pyrage.x25519.Identity.from_str(files.identity_file.read_text().strip())


def _encrypt_to_vault(files: VaultFiles, target: Path, document: object) -> None:
    target.write_bytes(
        pyrage.encrypt(json.dumps(document).encode(), [_identity(files).to_public()])
    )


def _document(files: VaultFiles) -> dict[str, Any]:
    return vault_document(files.vault, keys.load_identity_file(files.identity_file))


def _meta(files: VaultFiles) -> dict[str, Any]:
    return _document(files)["_meta"]  # type: ignore[no-any-return]


# -- damage to the bytes of one file ------------------------------------------------------


def truncated(files: VaultFiles, target: Path) -> None:
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])


def truncated_header(files: VaultFiles, target: Path) -> None:
    target.write_bytes(target.read_bytes()[:40])


def flipped_payload(files: VaultFiles, target: Path) -> None:
    data = bytearray(target.read_bytes())
    data[-20] ^= 0x01
    target.write_bytes(bytes(data))


def flipped_header(files: VaultFiles, target: Path) -> None:
    data = bytearray(target.read_bytes())
    data[40] ^= 0x01
    target.write_bytes(bytes(data))


def empty(files: VaultFiles, target: Path) -> None:
    target.write_bytes(b"")


def not_age(files: VaultFiles, target: Path) -> None:
    target.write_text('{"clients": []}\n')


def json_list(files: VaultFiles, target: Path) -> None:
    _encrypt_to_vault(files, target, [1, 2, 3])


def not_json(files: VaultFiles, target: Path) -> None:
    target.write_bytes(pyrage.encrypt(b"\x00\x01 not json", [_identity(files).to_public()]))


def no_header(files: VaultFiles, target: Path) -> None:
    _encrypt_to_vault(files, target, {"clients": {}})


BYTE_DAMAGES: dict[str, Damage] = {
    "truncated": truncated,
    "truncated-header": truncated_header,
    "flipped-payload": flipped_payload,
    "flipped-header": flipped_header,
    "empty": empty,
    "not-age": not_age,
    "json-list": json_list,
    "not-json": not_json,
    "no-header": no_header,
}


def one_file_vault(files: VaultFiles) -> Path:
    """The test vault as a one-file vault (the format before folders): its file."""
    document = _document(files)
    document["_meta"]["1"]["version"] = 3
    shutil.rmtree(files.vault)
    _encrypt_to_vault(files, files.vault, document)
    files.vault.chmod(0o600)
    return files.vault


def snapshot_part(part: str) -> Callable[[VaultFiles], Path]:
    """The given part of the vault folder's only snapshot (so no snapshot can be read)."""

    def find(files: VaultFiles) -> Path:
        [path] = files.vault.glob(f"snapshots/*.{part}.age")
        assert not list(files.vault.glob("changes/*")), "the vault should hold no changes"
        return path

    return find


WHERE: dict[str, Callable[[VaultFiles], Path]] = {
    "one-file vault": one_file_vault,
    "snapshot head": snapshot_part("head"),
    "snapshot records": snapshot_part("main"),
}


# -- a document that breaks the rules, written by a member (or as a one-file vault) --------


def plant_one_file(files: VaultFiles, document: dict[str, Any]) -> None:
    shutil.rmtree(files.vault)
    _encrypt_to_vault(files, files.vault, document)
    files.vault.chmod(0o600)


def plant_folder(files: VaultFiles, document: dict[str, Any]) -> None:
    """A vault folder holding ``document``, sealed with its journal secret as a member would."""
    keyring = keys.load_identity_file(files.identity_file)
    meta = document["_meta"]["1"]
    recipients = [keys.RecipientEntry(r["name"], r["key"]) for r in meta["recipients"]]
    lists = {t: rows for t, rows in document.items() if not isinstance(rows, dict)}
    shutil.rmtree(files.vault)
    Journal.create(
        files.vault,
        {t: rows for t, rows in document.items() if t not in lists},
        keyring=keyring,
        recipients=recipients,
        vault_id=meta["vault_id"],
        device="abcd1234",
    )
    if not lists:
        return
    # A table that is not a set of records cannot be journalled: write it into the
    # snapshot's records part by hand, and seal that again.
    [head] = files.vault.glob("snapshots/*.head.age")
    [main] = files.vault.glob("snapshots/*.main.age")
    secrets = json.loads(keys.decrypt(head.read_bytes(), keyring, head))["secrets"]
    doc = json.loads(keys.decrypt(main.read_bytes(), keyring, main))
    secret = secrets[doc.pop("key")]
    del doc["mac"]
    doc["tables"].update(lists)
    main.write_bytes(keys.encrypt(cf.seal(doc, secret), recipients))


PLANTS: dict[str, Plant] = {"one-file vault": plant_one_file, "vault folder": plant_folder}


def table_of_lists(files: VaultFiles) -> dict[str, Any]:
    return {"_meta": _meta(files), "clients": [1, 2]}


def unknown_table(files: VaultFiles) -> dict[str, Any]:
    return {"_meta": _meta(files), "secrets": {}}


def bad_record(files: VaultFiles) -> dict[str, Any]:
    staff = {"st_x": {"name": "Sam Placeholder", "capacity": 25, "admin_hours_target": 6}}
    client = {
        "preferred_name": 5,
        "intake_date": "someday",
        "status": "archived",
        "case_manager_id": "st_x",
    }
    return {"_meta": _meta(files), "staff": staff, "clients": {"cl_x": client}}


def dangling_reference(files: VaultFiles) -> dict[str, Any]:
    client = {"preferred_name": "Ana", "intake_date": "2026-01-01", "case_manager_id": "st_gone"}
    return {"_meta": _meta(files), "clients": {"cl_x": client}}


CONTENT_DAMAGES: dict[str, Callable[[VaultFiles], dict[str, Any]]] = {
    "table-of-lists": table_of_lists,
    "unknown-table": unknown_table,
    "bad-record": bad_record,
    "dangling-reference": dangling_reference,
}


def commands(tmp_path: Path) -> dict[str, list[str]]:
    return {
        "check": ["check"],
        "import": ["import", "--sample"],
        "export": ["export", "--out", str(tmp_path / "out.age")],
        "passwd": ["passwd"],
    }


def assert_clean_failure(result: object, files: VaultFiles, before: dict[str, bytes]) -> str:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    code: int = result.returncode  # type: ignore[attr-defined]
    assert code not in (0, 70), (code, stderr)
    assert "Traceback" not in stderr
    last = [ln for ln in stderr.splitlines() if ln.strip()][-1]
    assert last.startswith("casetui: ")
    assert last.endswith(".")
    assert files.snapshot() == before
    return last


def _run_with_key(
    files: VaultFiles, home: Path, *argv: str, **options: Any
) -> subprocess.CompletedProcess[str]:
    """casetui ``argv`` on the test vault, unlocked by its key file."""
    return run_casetui(
        *argv, "--vault", files.vault, "--identity", files.identity_file, home=home, **options
    )


def assert_every_command_fails_cleanly(files: VaultFiles, home: Path, tmp_path: Path) -> None:
    before = files.snapshot()
    messages = set()
    for name, argv in commands(tmp_path).items():
        result = _run_with_key(
            files, home, *argv, env={"CASETUI_NEW_PASSPHRASE": "a different fine passphrase"}
        )
        messages.add(assert_clean_failure(result, files, before))
        assert not (tmp_path / "out.age").exists(), name
    assert len(messages) <= 2, messages  # the same sentence (check may list problems first)


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("damage", BYTE_DAMAGES)
def test_damaged_vaults_fail_cleanly_for_every_command(
    damage: str, where: str, vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    BYTE_DAMAGES[damage](vault_files, WHERE[where](vault_files))
    assert_every_command_fails_cleanly(vault_files, home, tmp_path)


@pytest.mark.parametrize("form", PLANTS)
@pytest.mark.parametrize("damage", CONTENT_DAMAGES)
def test_vaults_breaking_the_rules_fail_cleanly_for_every_command(
    damage: str, form: str, vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    PLANTS[form](vault_files, CONTENT_DAMAGES[damage](vault_files))
    assert_every_command_fails_cleanly(vault_files, home, tmp_path)


@pytest.mark.parametrize("damage", BYTE_DAMAGES)
def test_a_damaged_change_file_is_set_aside_in_one_sentence_and_the_rest_opens(
    damage: str, vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    with vault_files.open() as vault:
        kept = vault.repo.staff.add(Staff.create(name="Kit Bystander"))
        assert vault.save() is not None
        lost = vault.repo.staff.add(Staff.create(name="Lee Unsaved"))
        assert vault.save() is not None
    [first, second] = sorted(vault_files.vault.glob("changes/*.age"))
    BYTE_DAMAGES[damage](vault_files, second)
    before = vault_files.snapshot()
    result = _run_with_key(vault_files, home, "check")
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    problems = [ln for ln in result.stderr.splitlines() if ln.startswith("  - ")]
    assert len(problems) == 1, result.stderr
    [sentence] = problems
    assert sentence.startswith(f"  - changes/{second.name} ")
    assert sentence.endswith(".")
    assert ". " not in sentence
    assert result.stderr.splitlines()[-1] == (
        "casetui: The vault has 1 problem (listed above); "
        "restoring the newest backup that opens may help."
    )
    assert vault_files.snapshot() == before  # check writes nothing
    with vault_files.open(writable=False) as vault:
        assert [p.path for p in vault.file_problems()] == [second]
        assert kept.id in vault.repo.staff
        assert lost.id not in vault.repo.staff
    # A command that writes works on the rest, and leaves the file set aside as it is.
    exported = _run_with_key(vault_files, home, "export", "--out", tmp_path / "out.age")
    assert exported.returncode == 0, exported.stderr
    for path in (first, second):
        assert path.read_bytes() == before[str(path.relative_to(vault_files.vault.parent))]


def test_a_wrong_passphrase_fails_cleanly_for_every_command(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    before = vault_files.snapshot()
    for argv in commands(tmp_path).values():
        result = run_casetui(
            *argv,
            "--vault",
            vault_files.vault,
            home=home,
            env={
                "CASETUI_PASSPHRASE": "definitely not " + PASSPHRASE,
                "CASETUI_NEW_PASSPHRASE": "a different fine passphrase",
            },
        )
        last = assert_clean_failure(result, vault_files, before)
        assert last == "casetui: That passphrase does not open this vault; check it and try again."


def test_a_damaged_key_file_fails_cleanly(vault_files: VaultFiles, home: Path) -> None:
    data = bytearray(vault_files.paths.identity.read_bytes())
    data[-5] ^= 0x01
    vault_files.paths.identity.write_bytes(bytes(data))
    before = vault_files.snapshot()
    result = run_casetui(
        "check", "--vault", vault_files.vault, home=home, env={"CASETUI_PASSPHRASE": PASSPHRASE}
    )
    last = assert_clean_failure(result, vault_files, before)
    assert "key file" in last


def test_a_missing_key_file_says_how_to_recover(vault_files: VaultFiles, home: Path) -> None:
    vault_files.paths.identity.unlink()
    before = vault_files.snapshot()
    result = run_casetui(
        "check", "--vault", vault_files.vault, home=home, env={"CASETUI_PASSPHRASE": PASSPHRASE}
    )
    last = assert_clean_failure(result, vault_files, before)
    assert "--identity" in last


# -- files that are not files: devices never end, so they must be refused, not read ------

DEVICE = Path("/dev/zero")  # reports a size of 0 and never runs out


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["import", str(DEVICE)], "give the file to import."),
        (["import-csv", str(DEVICE), "--map", "MAP"], "give the spreadsheet file."),
        (["import-csv", "CSV", "--map", str(DEVICE)], "give the mapping file."),
    ],
    ids=["import", "import-csv", "import-csv-map"],
)
def test_a_device_given_as_a_file_is_refused_at_once(
    argv: list[str], said: str, vault_files: VaultFiles, home: Path
) -> None:
    from tests.services.test_csv_import import SAMPLE_CSV, SAMPLE_MAP

    argv = [{"MAP": str(SAMPLE_MAP), "CSV": str(SAMPLE_CSV)}.get(a, a) for a in argv]
    before = vault_files.snapshot()
    # Before the fix, reading /dev/zero never ended: the timeout turns that into a failure.
    result = _run_with_key(vault_files, home, *argv, timeout=60)
    last = assert_clean_failure(result, vault_files, before)
    assert last == f"casetui: /dev/zero is a device, not a file; {said}"


def test_a_device_given_as_the_key_file_is_refused(vault_files: VaultFiles, home: Path) -> None:
    before = vault_files.snapshot()
    result = run_casetui(
        "check", "--vault", vault_files.vault, "--identity", DEVICE, home=home, timeout=60
    )
    last = assert_clean_failure(result, vault_files, before)
    assert last == "casetui: /dev/zero is a device, not a key file; check the path."


def test_a_named_pipe_is_read_like_a_file(tmp_path: Path) -> None:
    """The shell's <(...) gives a pipe: it is read, and held to the same limit."""
    import os
    import threading

    from casetui.files import TooLarge, read_limited

    for payload, limit in ((b'{"staff": []}', 100), (b"x" * 101, 100)):
        pipe = tmp_path / f"pipe{len(payload)}"
        os.mkfifo(pipe)

        def feed(pipe: Path = pipe, payload: bytes = payload) -> None:
            with pipe.open("wb") as fh:
                fh.write(payload)

        writer = threading.Thread(target=feed)
        writer.start()
        try:
            if len(payload) <= limit:
                assert read_limited(pipe, limit) == payload
            else:
                with pytest.raises(TooLarge):
                    read_limited(pipe, limit)
        finally:
            writer.join(timeout=10)
