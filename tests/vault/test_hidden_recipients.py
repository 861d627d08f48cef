"""A key hidden in an age file's header, but not on the list inside it.

Whoever holds the file and a key can re-encrypt it to one more key of their own
and leave ``meta["recipients"]`` alone. The header is outside the encryption, so
casetui counts its recipient stanzas and compares them with the list: ``check``
fails, ``recipients list`` and the app warn.

Since format 4 the vault is a folder; what is still one file is a vault in the
older form (format 3), read as it is when opened read-only and converted to a
folder when opened for writing, and every backup. Those are what these tests
plant a hidden key in.
"""

from __future__ import annotations

import base64
import json
import shutil
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
from casetui.vault.backups import reason_slug
from casetui.vault.conversion import BACKUP_REASON
from casetui.vault.unlocking import identity_unlocker
from tests.conftest import PASSPHRASE, VaultFiles, run_casetui, vault_document
from tests.ui.test_ui_flows import caseload_ready, wait_for

pytestmark = pytest.mark.usefixtures("home")


def ident(files: VaultFiles) -> list[str | Path]:
    return ["--vault", files.vault, "--identity", files.identity_file]


def listed(files: VaultFiles) -> list[object]:
    """The keys on the vault's list, as pyrage recipients."""
    with files.open(writable=False) as vault:
        return [entry.parsed() for entry in vault.recipients]


def as_one_file(files: VaultFiles, to: list[object], *, armor: bool = False) -> None:
    """Put the vault's records back as one file, as casetui kept it before format 4,
    encrypted to the keys ``to`` (whatever the list inside says), in place of the folder.

    Nothing else changes: not the list inside, not the key file, not the backups.
    """
    keyring = keys.load_identity_file(files.identity_file)
    with files.open(writable=False) as vault:
        generation = vault.generation
    document = vault_document(files.vault, keyring)
    document["_meta"]["1"]["generation"] = generation
    sealed = bytes(pyrage.encrypt(json.dumps(document).encode(), to))
    if armor:
        lines = textwrap.wrap(base64.b64encode(sealed).decode(), 64)
        sealed = (
            "-----BEGIN AGE ENCRYPTED FILE-----\n"
            + "\n".join(lines)
            + "\n-----END AGE ENCRYPTED FILE-----\n"
        ).encode()
    shutil.rmtree(files.vault)
    files.vault.write_bytes(sealed)
    files.vault.chmod(0o600)


def reencrypt(files: VaultFiles, *extra: object, armor: bool = False) -> None:
    """The vault as one file encrypted to its own keys plus ``extra``."""
    as_one_file(files, [*listed(files), *extra], armor=armor)


def folder_headers(files: VaultFiles) -> dict[str, list[str]]:
    """Every file of the vault folder, and the key types its age header is encrypted to."""
    assert files.vault.is_dir()
    found = {
        str(p.relative_to(files.vault)): keys.header_stanzas(p.read_bytes()[: keys.HEADER_READ])
        for p in sorted(files.vault.rglob("*.age"))
        if p.is_file()
    }
    assert found, "the vault folder holds files"
    return found


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
    own = keyring.identities[0].to_public()
    as_one_file(vault_files, [own, ssh])

    report = check_vault(vault_files.vault, identity_unlocker(vault_files.identity_file))
    assert any(
        "encrypted to a kind of key its list does not name (ssh-ed25519)" in p
        for p in report.problems
    ), report.problems


def test_a_backup_keeps_the_hidden_key_after_a_save_removes_it(vault_files: VaultFiles) -> None:
    reencrypt(vault_files, stranger())
    with vault_files.open(writable=False) as vault:  # read as it is
        assert checkup.unlisted_keys(vault) is not None
    # Opened for writing, it is converted: the folder is written to the listed keys only,
    # and the file as it was is kept as a backup.
    with vault_files.open() as vault:
        entries = vault.recipients
        vault.save(force=True)
        assert checkup.unlisted_keys(vault) is None
    for name, stanzas in folder_headers(vault_files).items():
        assert not keys.unlisted_stanzas(stanzas, entries), name
    report = check_vault(vault_files.vault, identity_unlocker(vault_files.identity_file))
    assert not any(p.startswith("The vault file is encrypted") for p in report.problems)
    [backup] = [b for b in report.backups if b.backup.reason == reason_slug(BACKUP_REASON)]
    assert any(
        p.startswith(f"The backup {backup.backup.path.name} is encrypted to 2 keys")
        for p in report.problems
    ), report.problems
    # The only problem: every backup the save took is encrypted to the list it holds.
    assert len(report.problems) == 1, report.problems


def test_a_vault_as_casetui_wrote_it_raises_nothing(vault_files: VaultFiles) -> None:
    with vault_files.open() as vault:
        add_recipient(vault, str(stranger()), "Alex Moreno")
        entries = vault.recipients
        written = vault.take_backup()  # one file, as casetui writes one
    report = check_vault(vault_files.vault, identity_unlocker(vault_files.identity_file))
    assert report.ok, report.problems
    # A folder has no one header: each of its files is encrypted to the list, no more.
    for name, stanzas in folder_headers(vault_files).items():
        assert not keys.unlisted_stanzas(stanzas, entries), name
    with vault_files.open(writable=False) as vault:
        assert vault.header_recipients is None
        assert checkup.unlisted_keys(vault) is None
    # A one-file vault as casetui wrote it, read as it is.
    shutil.rmtree(vault_files.vault)
    shutil.copy2(written.path, vault_files.vault)
    with vault_files.open(writable=False) as vault:
        assert vault.header_recipients is not None
        assert checkup.unlisted_keys(vault) is None


async def test_the_app_warns_on_unlocking(vault_files: VaultFiles) -> None:
    reencrypt(vault_files, stranger())
    # Read-only, so the one file is read as it is (opened for writing, it is converted).
    app = CaseApp(
        vault_files.vault, unlocker=identity_unlocker(vault_files.identity_file), read_only=True
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        await wait_for(
            pilot,
            lambda: any(
                "encrypted to 2 keys but its list names 1" in str(n.message)
                for n in app._notifications
            ),
        )


def test_check_fails_when_a_file_of_the_vault_folder_is_encrypted_to_an_unlisted_key(
    vault_files: VaultFiles,
) -> None:
    """Someone with a key re-encrypts one file of the folder to a key of their own as well."""
    keyring = keys.load_identity_file(vault_files.identity_file)
    report = check_vault(vault_files.vault, identity_unlocker(vault_files.identity_file))
    assert report.ok, report.problems
    (head,) = vault_files.vault.glob("snapshots/*.head.age")
    plain = keys.decrypt(head.read_bytes(), keyring, head)
    head.write_bytes(bytes(pyrage.encrypt(plain, [*listed(vault_files), stranger()])))
    report = check_vault(vault_files.vault, identity_unlocker(vault_files.identity_file))
    assert not report.ok
    [problem] = [p for p in report.problems if head.name in p]
    assert f"The vault file {head.name} is encrypted to 2 keys but its list names 1" in problem
