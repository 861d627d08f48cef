"""The key file's scrypt cost is casetui's choice, not the machine's.

pyrage tunes the work factor to about a second on whatever machine writes the
key file (2^20 on a fast one: 1 GiB to unlock). casetui writes it at 2^18.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyrage
import pytest

from casetui.vault import keys, passphrase_file
from casetui.vault.unlocking import passphrase_unlocker
from casetui.vault.vault import Vault
from casetui.vault.vault_paths import VaultPaths
from tests.conftest import PASSPHRASE, VaultFiles, run_casetui
from tests.vault.test_interop_age import age_decrypt_with_passphrase

NEW = "copper meadow lantern drift"


def test_a_wrapped_identity_uses_the_fixed_work_factor_and_pyrage_opens_it() -> None:
    text, _public = keys.generate_identity()
    sealed = keys.wrap_identity(text, PASSPHRASE)
    assert passphrase_file.work_factor(sealed) == passphrase_file.WORK_FACTOR == 18
    assert bytes(pyrage.passphrase.decrypt(sealed, PASSPHRASE)).decode() == text
    with pytest.raises(pyrage.DecryptError):
        pyrage.passphrase.decrypt(sealed, "not the passphrase at all")


def test_the_header_is_well_formed_age() -> None:
    sealed = passphrase_file.encrypt(b"x" * 70_000, "p", work_factor=10)  # two chunks
    header, _, _payload = sealed.partition(b"\n--- ")
    lines = header.split(b"\n")
    assert lines[0] == b"age-encryption.org/v1"
    assert re.fullmatch(rb"-> scrypt [A-Za-z0-9+/]{22} 10", lines[1])
    assert bytes(pyrage.passphrase.decrypt(sealed, "p")) == b"x" * 70_000


@pytest.mark.parametrize("size", [0, 1, 65_536, 65_537, 200_000])
def test_round_trips_at_chunk_edges(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    assert (
        bytes(pyrage.passphrase.decrypt(passphrase_file.encrypt(data, "p", work_factor=10), "p"))
        == data
    )


def test_the_age_tool_opens_a_key_file_casetui_wrote(tmp_path: Path) -> None:
    text, _public = keys.generate_identity()
    source = tmp_path / "key.age"
    source.write_bytes(keys.wrap_identity(text, PASSPHRASE))
    out = tmp_path / "key.txt"
    age_decrypt_with_passphrase(source, out, PASSPHRASE)
    assert out.read_text() == text


def test_init_and_passwd_write_the_fixed_cost_and_check_reports_it(
    tmp_path: Path, home: Path
) -> None:
    vault = tmp_path / "v" / "vault.age"
    env = {"CASETUI_PASSPHRASE": PASSPHRASE, "CASETUI_NEW_PASSPHRASE": NEW}
    assert run_casetui("init", "--vault", vault, home=home, env=env).returncode == 0
    identity = VaultPaths(vault).identity
    assert passphrase_file.work_factor(identity.read_bytes()) == 18
    checked = run_casetui("check", "--vault", vault, home=home, env=env)
    assert checked.returncode == 0, checked.stderr
    assert "scrypt work factor 2^18 (256 MiB to unlock)" in checked.stdout

    # A key file made on a fast machine (pyrage chose 2^20 on one): check says so,
    # and passwd rewrites it at casetui's cost.
    plain = bytes(pyrage.passphrase.decrypt(identity.read_bytes(), PASSPHRASE))
    heavy = passphrase_file.encrypt(plain, PASSPHRASE, work_factor=20)
    identity.write_bytes(heavy)
    warned = run_casetui("check", "--vault", vault, home=home, env=env)
    assert "may not open on a small laptop" in warned.stdout
    changed = run_casetui("passwd", "--vault", vault, home=home, env=env)
    assert changed.returncode == 0, changed.stderr
    assert passphrase_file.work_factor(identity.read_bytes()) == 18
    with Vault.open(vault, passphrase_unlocker(NEW), writable=False):
        pass


def test_the_test_vaults_key_file_is_at_the_fixed_cost(vault_files: VaultFiles) -> None:
    assert passphrase_file.work_factor(vault_files.paths.identity.read_bytes()) == 18
