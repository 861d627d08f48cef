"""A vault made by casetui opens with the age command-line tool alone.

Both steps use the real ``age`` binary: it unwraps the key file with the
passphrase (typed into a pseudo-terminal, as age only reads passphrases from a
terminal), then decrypts every file of the vault folder with that identity, as
the README shows, each to one JSON object.
"""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from casetui.resources import sample_caseload
from tests.conftest import PASSPHRASE, run_casetui


def age_decrypt_with_passphrase(source: Path, out: Path, passphrase: str) -> None:
    age = shutil.which("age")
    assert age, "the age command-line tool is required (apt-get install age)"
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child process
        os.execv(age, [age, "--decrypt", "-o", str(out), str(source)])
    transcript = b""
    sent = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        transcript += chunk
        if not sent and b"passphrase" in transcript.lower():
            os.write(fd, passphrase.encode() + b"\r")
            sent = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, transcript


@pytest.mark.slow
def test_age_cli_decrypts_a_vault_made_by_init_and_import(home: Path, tmp_path: Path) -> None:
    vault = tmp_path / "agency" / "vault.age"
    env = {"CASETUI_PASSPHRASE": PASSPHRASE}
    assert run_casetui("init", "--vault", vault, home=home, env=env).returncode == 0
    imported = run_casetui("import", sample_caseload(), "--vault", vault, home=home, env=env)
    assert imported.returncode == 0, imported.stderr

    identity = vault.parent / "key.txt"
    age_decrypt_with_passphrase(vault.with_name("vault.identity.age"), identity, PASSPHRASE)
    assert identity.read_text().strip().splitlines()[-1].startswith("AGE-SECRET-KEY-1")

    # The README's loop, run as it is written there, from the vault's folder.
    loop = 'for f in vault.age/*/*.age; do age --decrypt -i key.txt "$f"; echo; done > vault.json'
    subprocess.run(["bash", "-c", loop], cwd=vault.parent, capture_output=True, check=True)
    files = sorted(vault.glob("*/*.age"))
    assert files, "the vault folder holds age files"
    lines = (vault.parent / "vault.json").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(files), "each file decrypts to one JSON object, on one line"
    objects = [json.loads(line) for line in lines]
    assert all(isinstance(o, dict) and o["format"] == "casetui-vault" for o in objects)

    names: set[str] = set()
    for obj in objects:
        if obj["kind"] == "snapshot" and obj["part"] == "main":
            for _base, values, _extra in obj["tables"].get("clients", {}).values():
                names.add(values["preferred_name"])
        elif obj["kind"] == "change":
            for table, _rid, values, _unset, _over in obj["records"]:
                if table == "clients" and "preferred_name" in values:
                    names.add(values["preferred_name"])
    sample = json.loads(sample_caseload().read_text())
    assert names == {c["preferred_name"] for c in sample["clients"]}
    assert len(names) >= 30


def test_age_cli_reads_an_encrypted_export(home: Path, tmp_path: Path, vault_files: object) -> None:
    from tests.conftest import VaultFiles

    # A copy: an export adds its entry to the vault's audit trail.
    files: VaultFiles = vault_files  # type: ignore[assignment]
    out = tmp_path / "export.age"
    result = run_casetui(
        "export", "--out", out, "--vault", files.vault, "--identity", files.identity_file, home=home
    )
    assert result.returncode == 0, result.stderr
    plain = subprocess.run(
        ["age", "--decrypt", "-i", str(files.identity_file), str(out)],
        capture_output=True,
        check=True,
    )
    assert json.loads(plain.stdout)["format"] == "casetui"
