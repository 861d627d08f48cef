"""Every kind of bad vault makes every command fail cleanly and change nothing.

For each damage below, ``check``, ``import``, ``export`` and ``passwd`` must exit
non-zero with one sentence on the last line of stderr, print no traceback, and
leave every file in the vault's folder byte-for-byte as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyrage
import pytest

from tests.conftest import PASSPHRASE, VaultFiles, run_casetui

Damage = Callable[[VaultFiles], None]


def _encrypt_to_vault(files: VaultFiles, document: object) -> None:
    identity = pyrage.x25519.Identity.from_str(files.identity_file.read_text().strip())
    files.vault.write_bytes(pyrage.encrypt(json.dumps(document).encode(), [identity.to_public()]))


def _meta(files: VaultFiles) -> dict[str, object]:
    identity = pyrage.x25519.Identity.from_str(files.identity_file.read_text().strip())
    return json.loads(pyrage.decrypt(files.vault.read_bytes(), [identity]))["_meta"]  # type: ignore[no-any-return]


def truncated(files: VaultFiles) -> None:
    data = files.vault.read_bytes()
    files.vault.write_bytes(data[: len(data) // 2])


def truncated_header(files: VaultFiles) -> None:
    files.vault.write_bytes(files.vault.read_bytes()[:40])


def flipped_payload(files: VaultFiles) -> None:
    data = bytearray(files.vault.read_bytes())
    data[-20] ^= 0x01
    files.vault.write_bytes(bytes(data))


def flipped_header(files: VaultFiles) -> None:
    data = bytearray(files.vault.read_bytes())
    data[40] ^= 0x01
    files.vault.write_bytes(bytes(data))


def empty(files: VaultFiles) -> None:
    files.vault.write_bytes(b"")


def not_age(files: VaultFiles) -> None:
    files.vault.write_text('{"clients": []}\n')


def json_list(files: VaultFiles) -> None:
    _encrypt_to_vault(files, [1, 2, 3])


def not_json(files: VaultFiles) -> None:
    identity = pyrage.x25519.Identity.from_str(files.identity_file.read_text().strip())
    files.vault.write_bytes(pyrage.encrypt(b"\x00\x01 not json", [identity.to_public()]))


def no_header(files: VaultFiles) -> None:
    _encrypt_to_vault(files, {"clients": {}})


def table_of_lists(files: VaultFiles) -> None:
    _encrypt_to_vault(files, {"_meta": _meta(files), "clients": [1, 2]})


def unknown_table(files: VaultFiles) -> None:
    _encrypt_to_vault(files, {"_meta": _meta(files), "secrets": {}})


def bad_record(files: VaultFiles) -> None:
    staff = {"st_x": {"name": "Sam Placeholder", "capacity": 25, "admin_hours_target": 6}}
    client = {
        "preferred_name": 5,
        "intake_date": "someday",
        "status": "archived",
        "case_manager_id": "st_x",
    }
    _encrypt_to_vault(files, {"_meta": _meta(files), "staff": staff, "clients": {"cl_x": client}})


def dangling_reference(files: VaultFiles) -> None:
    client = {"preferred_name": "Ana", "intake_date": "2026-01-01", "case_manager_id": "st_gone"}
    _encrypt_to_vault(files, {"_meta": _meta(files), "clients": {"cl_x": client}})


DAMAGES: dict[str, Damage] = {
    "truncated": truncated,
    "truncated-header": truncated_header,
    "flipped-payload": flipped_payload,
    "flipped-header": flipped_header,
    "empty": empty,
    "not-age": not_age,
    "json-list": json_list,
    "not-json": not_json,
    "no-header": no_header,
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


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_damaged_vaults_fail_cleanly_for_every_command(
    damage: str, vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    DAMAGES[damage](vault_files)
    before = vault_files.snapshot()
    messages = set()
    for name, argv in commands(tmp_path).items():
        result = run_casetui(
            *argv,
            "--vault",
            vault_files.vault,
            "--identity",
            vault_files.identity_file,
            home=home,
            env={"CASETUI_NEW_PASSPHRASE": "a different fine passphrase"},
        )
        messages.add(assert_clean_failure(result, vault_files, before))
        assert not (tmp_path / "out.age").exists(), name
    assert len(messages) <= 2, messages  # the same sentence (check may list problems first)


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
