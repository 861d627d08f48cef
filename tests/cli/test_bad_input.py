"""Every kind of bad vault makes every command fail cleanly and change nothing.

For each damage below, ``check``, ``import``, ``export`` and ``passwd`` must exit
non-zero with one sentence on the last line of stderr, print no traceback, and
leave every file in the vault's folder byte-for-byte as it was.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def _run_with_key(
    files: VaultFiles, home: Path, *argv: str, **options: Any
) -> subprocess.CompletedProcess[str]:
    """casetui ``argv`` on the test vault, unlocked by its key file."""
    return run_casetui(
        *argv, "--vault", files.vault, "--identity", files.identity_file, home=home, **options
    )


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_damaged_vaults_fail_cleanly_for_every_command(
    damage: str, vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    DAMAGES[damage](vault_files)
    before = vault_files.snapshot()
    messages = set()
    for name, argv in commands(tmp_path).items():
        result = _run_with_key(
            vault_files, home, *argv, env={"CASETUI_NEW_PASSPHRASE": "a different fine passphrase"}
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
