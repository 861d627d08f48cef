"""A key hidden in the vault file's age header, but not on the list inside it.

Whoever holds the file and a key can re-encrypt it to one more key of their own
and leave ``meta["recipients"]`` alone. The header is outside the encryption, so
casetui counts its recipient stanzas and compares them with the list: ``check``
fails, ``recipients list`` and the app warn.
"""

from __future__ import annotations

import base64
import subprocess
import textwrap
from pathlib import Path

import pyrage
import pytest

from casetui.services import checkup
from casetui.services.checkup import check_vault
from casetui.services.recipients import add_recipient
from casetui.ui.app import CaseApp
from casetui.vault import keys
from casetui.vault.unlocking import identity_unlocker
from tests.conftest import PASSPHRASE, VaultFiles, run_casetui
from tests.ui.test_ui_flows import caseload_ready, wait_for

pytestmark = pytest.mark.usefixtures("home")


def ident(files: VaultFiles) -> list[str | Path]:
    return ["--vault", files.vault, "--identity", files.identity_file]


def reencrypt(files: VaultFiles, *extra: object, armor: bool = False) -> None:
    """Encrypt the vault's document again to its own keys plus ``extra``, in place.

    Nothing else changes: not the list inside, not the key file, not the backups.
    """
    keyring = keys.load_identity_file(files.identity_file)
    plain = bytes(pyrage.decrypt(files.vault.read_bytes(), keyring.identities))
    with files.open(writable=False) as vault:
        listed = [entry.parsed() for entry in vault.recipients]
    sealed = bytes(pyrage.encrypt(plain, [*listed, *extra]))
    if armor:
        lines = textwrap.wrap(base64.b64encode(sealed).decode(), 64)
        sealed = (
            "-----BEGIN AGE ENCRYPTED FILE-----\n"
            + "\n".join(lines)
            + "\n-----END AGE ENCRYPTED FILE-----\n"
        ).encode()
    files.vault.write_bytes(sealed)


def stranger() -> object:
    return pyrage.x25519.Identity.generate().to_public()


def test_header_stanzas_are_counted_and_grease_is_left_out() -> None:
    ours = [pyrage.x25519.Identity.generate() for _ in range(2)]
    entries = [keys.RecipientEntry(f"k{i}", str(x.to_public())) for i, x in enumerate(ours)]
    sealed = bytes(pyrage.encrypt(b"x" * 70000, [x.to_public() for x in ours]))
    stanzas = keys.header_stanzas(sealed)
    # pyrage (rage) adds one random "...-grease" stanza to every file.
    assert stanzas[:2] == ["X25519", "X25519"]
    assert all(keys.is_grease(kind) for kind in stanzas[2:])
    assert not keys.unlisted_stanzas(stanzas, entries)
    assert keys.unlisted_stanzas(stanzas, entries[:1]) == {"X25519": 1}
    assert keys.header_stanzas(b"not an age file") == []


def test_check_fails_when_the_file_is_encrypted_to_an_unlisted_key(
    home: Path, vault_files: VaultFiles
) -> None:
    clean = run_casetui("check", *ident(vault_files), home=home)
    assert clean.returncode == 0, clean.stderr

    reencrypt(vault_files, stranger())
    before = vault_files.snapshot()
    result = run_casetui(
        "check", "--vault", vault_files.vault, home=home, env={"CASETUI_PASSPHRASE": PASSPHRASE}
    )
    assert result.returncode not in (0, 70), result.stderr
    assert "Traceback" not in result.stderr
    assert "The vault file is encrypted to 2 keys but its list names 1" in result.stderr
    assert "someone may have added a key without casetui" in result.stderr
    assert "All is well" not in result.stdout
    assert vault_files.snapshot() == before  # check writes nothing

    listed = run_casetui("recipients", "list", *ident(vault_files), home=home)
    assert listed.returncode == 0, listed.stderr
    assert "Note: The vault file is encrypted to 2 keys but its list names 1" in listed.stderr


def test_an_armored_file_is_read_too(vault_files: VaultFiles) -> None:
    reencrypt(vault_files, stranger(), armor=True)
    report = check_vault(vault_files.vault, identity_unlocker(vault_files.identity_file))
    assert any("encrypted to 2 keys but its list names 1" in p for p in report.problems)


def test_a_key_of_another_kind_in_place_of_a_listed_one_is_reported(
    vault_files: VaultFiles, tmp_path: Path
) -> None:
    with vault_files.open() as vault:
        add_recipient(vault, str(stranger()), "Alex Moreno")
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    ssh = pyrage.ssh.Recipient.from_str(key.with_suffix(".pub").read_text())
    # Encrypted to the vault's own key and the SSH key; Alex's listed key is left out.
    keyring = keys.load_identity_file(vault_files.identity_file)
    plain = bytes(pyrage.decrypt(vault_files.vault.read_bytes(), keyring.identities))
    own = keyring.identities[0].to_public()
    vault_files.vault.write_bytes(bytes(pyrage.encrypt(plain, [own, ssh])))

    report = check_vault(vault_files.vault, identity_unlocker(vault_files.identity_file))
    assert any(
        "encrypted to a kind of key its list does not name (ssh-ed25519)" in p
        for p in report.problems
    ), report.problems


def test_a_backup_keeps_the_hidden_key_after_a_save_removes_it(vault_files: VaultFiles) -> None:
    reencrypt(vault_files, stranger())
    with vault_files.open() as vault:
        assert checkup.unlisted_keys(vault) is not None
        vault.save(force=True)  # takes a backup of the file as it was, then writes a clean one
        assert checkup.unlisted_keys(vault) is None
    report = check_vault(vault_files.vault, identity_unlocker(vault_files.identity_file))
    assert not any(p.startswith("The vault file is encrypted") for p in report.problems)
    [backup] = report.backups
    assert any(
        p.startswith(f"The backup {backup.backup.path.name} is encrypted to 2 keys")
        for p in report.problems
    ), report.problems


def test_a_vault_as_casetui_wrote_it_raises_nothing(vault_files: VaultFiles) -> None:
    with vault_files.open() as vault:
        add_recipient(vault, str(stranger()), "Alex Moreno")
    report = check_vault(vault_files.vault, identity_unlocker(vault_files.identity_file))
    assert report.ok, report.problems
    with vault_files.open(writable=False) as vault:
        assert vault.header_recipients is not None
        assert checkup.unlisted_keys(vault) is None


async def test_the_app_warns_on_unlocking(vault_files: VaultFiles) -> None:
    reencrypt(vault_files, stranger())
    app = CaseApp(vault_files.vault, unlocker=identity_unlocker(vault_files.identity_file))
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        await wait_for(
            pilot,
            lambda: any(
                "encrypted to 2 keys but its list names 1" in str(n.message)
                for n in app._notifications
            ),
        )
