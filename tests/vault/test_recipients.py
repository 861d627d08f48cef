"""Team and recovery keys: ``recipients``, ``keygen``, ``recovery-key`` and ``passwd``.

Real keys, real files and the real command line. Most commands run in this
process through ``casetui.cli.main`` (quicker than a subprocess); a few run as a
subprocess, and the age interop test uses the ``age`` tool itself. Each
passphrase costs a second of scrypt, so the colleague's key is made once for the
module and most unlocks use unwrapped identity files.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage
import pytest

from casetui.cli import main
from casetui.core.errors import ReadOnlyVault, SaveFailed, WrongKey
from casetui.services.recipients import (
    add_recipient,
    make_recovery_key,
    next_recovery_name,
    reset_own_key,
)
from casetui.vault import keys
from casetui.vault.backups import Backups
from casetui.vault.document import OWN_KEY_NAME, load_document
from casetui.vault.journal.device_journal import Journal
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.conftest import PASSPHRASE, VaultFiles, run_casetui, vault_document
from tests.vault.test_interop_age import age_decrypt_with_passphrase

COLLEAGUE = "Alex Moreno"
COLLEAGUE_PASSPHRASE = "copper heron willow twelve"
NEW_PASSPHRASE = "marmalade violin harbour nine"


# -- helpers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Colleague:
    """A key made by ``casetui keygen``, and its unwrapped identity for quick unlocks."""

    wrapped: Path
    public: str
    unwrapped: Path
    keygen_stdout: str


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


class FakeTerminal(io.StringIO):
    """Standard input that says it is a terminal, with the answers already typed."""

    def isatty(self) -> bool:
        return True


class NotATerminal(io.StringIO):
    def isatty(self) -> bool:
        return False


Cli = Callable[..., Result]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Cli:
    """Run ``casetui ARGS`` in this process with a clean environment."""
    for name in list(os.environ):
        if name.startswith("CASETUI_"):
            monkeypatch.delenv(name)
    home = tmp_path / "cli-home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))

    def run(
        *args: str | Path, env: dict[str, str] | None = None, typed: str | None = None
    ) -> Result:
        capsys.readouterr()
        with monkeypatch.context() as patch:
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            patch.setattr(sys, "stdin", NotATerminal() if typed is None else FakeTerminal(typed))
            code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def ident(files: VaultFiles, identity: Path | None = None) -> list[str | Path]:
    return ["--vault", files.vault, "--identity", identity or files.identity_file]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(vault: Path) -> str:
    """One hash over every file of a vault folder: their names and their bytes."""
    digest = hashlib.sha256()
    for file in sorted(p for p in vault.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(vault)).encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def assert_private(vault: Path) -> None:
    """The vault folder and its folders are 0700, and every file in them 0600."""
    assert vault.is_dir()
    assert mode(vault) == 0o700
    for entry in vault.rglob("*"):
        assert mode(entry) == (0o700 if entry.is_dir() else 0o600), entry


def folder_files(vault: Path) -> list[Path]:
    """Every age file in a vault folder (its snapshots and changes)."""
    files = sorted(p for p in vault.rglob("*.age") if p.is_file())
    assert files, f"{vault} holds no files"
    return files


def files_opened_by(vault: Path, identity: Path) -> list[str]:
    """The files of the vault folder that ``identity`` decrypts."""
    keyring = keys.load_identity_file(identity)
    opened = []
    for file in folder_files(vault):
        try:
            keys.decrypt(file.read_bytes(), keyring, file)
        except WrongKey:
            continue
        opened.append(str(file.relative_to(vault)))
    return opened


def same_records(backup: Path, vault: Path, identity: Path) -> bool:
    """True when the one-file backup holds the vault folder's records, as it is now.

    The save count (``generation``) is the one field a backup holds that the folder
    does not store: it is counted from the folder's files when it is read.
    """
    keyring = keys.load_identity_file(identity)
    documents = [vault_document(backup, keyring), vault_document(vault, keyring)]
    for document in documents:
        document["_meta"]["1"].pop("generation", None)
    return documents[0] == documents[1]


def assert_refused(result: Result, *fragments: str, code: int = 1) -> None:
    """Exit ``code``, and exactly one sentence on stderr holding every fragment."""
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("casetui: "), line
    assert line.endswith("."), line
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in line, line


def fresh_public() -> str:
    return str(pyrage.x25519.Identity.generate().to_public())


def opens(path: Path, identity: Path) -> bool:
    """True when ``identity`` decrypts the vault-format age file at ``path``."""
    keyring = keys.load_identity_file(identity)
    try:
        load_document(keys.decrypt(path.read_bytes(), keyring, path), path)
    except WrongKey:
        return False
    return True


def recipient_names(files: VaultFiles) -> list[str]:
    with files.open(writable=False) as vault:
        return [r.name for r in vault.recipients]


@pytest.fixture(scope="module")
def colleague(tmp_path_factory: pytest.TempPathFactory) -> Colleague:
    """A colleague's own key, made with ``casetui keygen`` (needs no vault)."""
    folder = tmp_path_factory.mktemp("colleague")
    folder.chmod(0o700)
    home = folder / "home"
    home.mkdir()
    wrapped = folder / "alex.age"
    result = run_casetui(
        "keygen",
        "--out",
        wrapped,
        home=home,
        env={"CASETUI_NEW_PASSPHRASE": COLLEAGUE_PASSPHRASE},
    )
    assert result.returncode == 0, result.stderr
    text = bytes(pyrage.passphrase.decrypt(wrapped.read_bytes(), COLLEAGUE_PASSPHRASE)).decode()
    secret = next(ln for ln in text.splitlines() if ln.startswith("AGE-SECRET-KEY-1"))
    public = str(pyrage.x25519.Identity.from_str(secret).to_public())
    unwrapped = folder / "alex-unwrapped.txt"
    unwrapped.write_text(secret + "\n")
    unwrapped.chmod(0o600)
    return Colleague(wrapped, public, unwrapped, result.stdout)


@pytest.fixture
def team_files(vault_files: VaultFiles, colleague: Colleague) -> VaultFiles:
    """The empty test vault, encrypted to its own key and the colleague's."""
    with vault_files.open() as vault:
        add_recipient(vault, colleague.public, COLLEAGUE)
    return vault_files


# -- keygen -------------------------------------------------------------------------------


def test_help_lists_the_key_commands(home: Path) -> None:
    result = run_casetui("--help", home=home)
    assert result.returncode == 0, result.stderr
    for command in ("recipients", "keygen", "recovery-key"):
        assert command in result.stdout
    bare = run_casetui("recipients", home=home)
    assert bare.returncode == 2
    assert "ACTION" in bare.stderr


def test_keygen_writes_a_private_wrapped_key_and_says_what_to_send(
    colleague: Colleague,
) -> None:
    assert mode(colleague.wrapped) == 0o600
    data = colleague.wrapped.read_bytes()
    assert keys.is_age_file(data)
    assert b"AGE-SECRET-KEY" not in data
    out = colleague.keygen_stdout
    assert f"Your public key: {colleague.public}" in out
    assert f'casetui recipients add {colleague.public} --name "Your name"' in out
    assert f"casetui --vault PATH --identity {colleague.wrapped}" in out
    # The secret is never shown.
    assert "AGE-SECRET-KEY" not in out


def test_keygen_refuses_to_overwrite_a_file_or_a_vaults_key_file(
    cli: Cli, colleague: Colleague, vault_files: VaultFiles, tmp_path: Path
) -> None:
    target = tmp_path / "mine.age"
    target.write_bytes(b"keep me")
    env = {"CASETUI_NEW_PASSPHRASE": NEW_PASSPHRASE}
    assert_refused(cli("keygen", "--out", target, env=env), "already exists", "--force")
    assert target.read_bytes() == b"keep me"

    key_file = vault_files.paths.identity
    before = sha256(key_file)
    result = cli("keygen", "--out", key_file, "--force", "--vault", vault_files.vault, env=env)
    assert_refused(result, "one of a vault's own files")
    assert sha256(key_file) == before


def test_keygen_with_force_replaces_the_file(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "mine.age"
    target.write_bytes(b"old")
    target.chmod(0o644)
    result = cli(
        "keygen",
        "--out",
        target,
        "--force",
        "--vault",
        tmp_path / "shared.age",
        env={"CASETUI_NEW_PASSPHRASE": NEW_PASSPHRASE},
    )
    assert result.returncode == 0, result.stderr
    assert keys.is_age_file(target.read_bytes())
    assert mode(target) == 0o600
    assert f"casetui --vault {tmp_path / 'shared.age'} --identity {target}" in result.stdout


# -- two keys -----------------------------------------------------------------------------


def test_a_vault_for_two_opens_with_the_passphrase_or_the_colleagues_own_key(
    cli: Cli, vault_files: VaultFiles, colleague: Colleague
) -> None:
    added = cli("recipients", "add", colleague.public, "--name", COLLEAGUE, *ident(vault_files))
    assert added.returncode == 0, added.stderr
    assert "now encrypted to 2 keys" in added.stdout
    assert f"this vault (the passphrase), {COLLEAGUE}" in added.stdout
    assert_private(vault_files.vault)

    by_passphrase = cli(
        "check", "--vault", vault_files.vault, env={"CASETUI_PASSPHRASE": PASSPHRASE}
    )
    assert by_passphrase.returncode == 0, by_passphrase.stderr
    assert "Unlocked with: passphrase" in by_passphrase.stdout

    # The colleague's key file is protected by their own passphrase, not the vault's.
    by_colleague = cli(
        "check",
        *ident(vault_files, colleague.wrapped),
        env={"CASETUI_PASSPHRASE": COLLEAGUE_PASSPHRASE},
    )
    assert by_colleague.returncode == 0, by_colleague.stderr
    assert "Unlocked with: key file alex.age" in by_colleague.stdout
    assert f"Encrypted to 2 keys: this vault, {COLLEAGUE}" in by_colleague.stdout

    listed = cli("recipients", "list", *ident(vault_files, colleague.unwrapped))
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "encrypted to 2 keys" in lines[0]
    own_line = next(ln for ln in lines if ln.strip().startswith("this vault"))
    their_line = next(ln for ln in lines if ln.strip().startswith(COLLEAGUE))
    assert "the vault's own key" in own_line
    assert "unlocked this session" not in own_line
    assert colleague.public in their_line
    assert "unlocked this session" in their_line


def test_the_age_tool_opens_the_vault_with_the_colleagues_key(
    team_files: VaultFiles, colleague: Colleague, tmp_path: Path
) -> None:
    age = shutil.which("age")
    assert age, "the age command-line tool is required (apt-get install age)"
    identity = tmp_path / "alex-id.txt"
    age_decrypt_with_passphrase(colleague.wrapped, identity, COLLEAGUE_PASSPHRASE)
    # Adding the key wrote a snapshot of every record, encrypted to the new list: the one
    # casetui reads the vault from. Each of its parts is decrypted by age alone.
    reader = Journal.open(
        team_files.vault, keys.load_identity_file(team_files.identity_file), device="testreader"
    )
    [(device, seq)] = reader.loaded.chosen
    parts: dict[str, dict[str, Any]] = {}
    for file in sorted((team_files.vault / "snapshots").glob(f"{device}.{seq:010d}.*.age")):
        plain = subprocess.run(
            [age, "--decrypt", "-i", str(identity), str(file)],
            capture_output=True,
            check=True,
        )
        doc = json.loads(plain.stdout)
        parts[doc["part"]] = doc
    assert sorted(parts) == ["audit", "head", "main", "meetings"]
    # A record is [its base change, its fields, fields set by a later change (each field's
    # versions: stamp, device, counter, value)].
    _base, meta, later = parts["main"]["tables"]["_meta"]["1"]
    if later and "recipients" in later:
        [(_stamp, _device, _counter, recipients)] = later["recipients"]
    else:
        recipients = meta["recipients"]
    assert [r["name"] for r in recipients] == [OWN_KEY_NAME, COLLEAGUE]
    assert recipients[1]["key"] == colleague.public


def test_ssh_keys_are_added_without_their_comment_and_names_are_cleaned(
    cli: Cli, vault_files: VaultFiles, tmp_path: Path
) -> None:
    key = tmp_path / "id_ed25519"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "sam@laptop", "-f", str(key)],
        check=True,
    )
    public_line = key.with_suffix(".pub").read_text().strip()
    kind, body, _comment = public_line.split()
    added = cli(
        "recipients",
        "add",
        public_line,
        "--name",
        "Sam \x1b]0;pwned\x07Okafor",
        *ident(vault_files),
    )
    assert added.returncode == 0, added.stderr
    assert "\x1b" not in added.stdout
    with vault_files.open(writable=False) as vault:
        assert vault.recipients[-1] == keys.RecipientEntry("Sam Okafor", f"{kind} {body}")

    again = cli(
        "recipients",
        "add",
        f"{kind} {body} another-comment",
        "--name",
        "Sam again",
        *ident(vault_files),
    )
    assert_refused(again, "already on the list, as 'Sam Okafor'")

    # The unencrypted SSH private key opens the vault, and the list knows it did.
    listed = cli("recipients", "list", *ident(vault_files, key))
    assert listed.returncode == 0, listed.stderr
    sam_line = next(ln for ln in listed.stdout.splitlines() if "Sam Okafor" in ln)
    assert f"{kind} {body}  (unlocked this session)" in sam_line
    assert "sam@laptop" not in listed.stdout


# -- removing a key -----------------------------------------------------------------------


def test_a_removed_key_no_longer_opens_the_vault_but_still_opens_older_backups(
    cli: Cli, vault_files: VaultFiles, colleague: Colleague
) -> None:
    added = cli("recipients", "add", colleague.public, "--name", COLLEAGUE, *ident(vault_files))
    assert added.returncode == 0, added.stderr
    Vault.open(vault_files.vault, identity_unlocker(colleague.unwrapped), writable=False).close()
    assert files_opened_by(vault_files.vault, colleague.unwrapped)

    removed = cli("recipients", "remove", COLLEAGUE.upper(), *ident(vault_files))
    assert removed.returncode == 0, removed.stderr
    assert f"Removed '{COLLEAGUE}'" in removed.stdout
    assert "It now opens with 1 key: this vault (the passphrase)." in removed.stdout
    assert "Warning:" in removed.stderr
    assert "The 2 older backups" in removed.stderr
    assert "still open with the key" in removed.stderr
    # No terminal and no --delete-backups: it says how, and deletes nothing.
    assert "To delete the 2 older backups, run: rm -- " in removed.stdout
    assert recipient_names(vault_files) == [OWN_KEY_NAME]

    # "It now opens with 1 key": no file left in the vault folder opens with the removed
    # key (files from before the removal, kept for other devices to sync, included).
    assert files_opened_by(vault_files.vault, colleague.unwrapped) == []
    with pytest.raises(WrongKey):
        Vault.open(vault_files.vault, identity_unlocker(colleague.unwrapped), writable=False)

    backups = Backups(vault_files.vault).newest_first()
    assert len(backups) == 2
    newest, oldest = backups
    # Taken just before the removal, while the colleague was on the list: the warning is true.
    assert opens(newest.path, colleague.unwrapped)
    # Taken before the colleague was added at all.
    assert not opens(oldest.path, colleague.unwrapped)
    assert opens(newest.path, vault_files.identity_file)


def test_the_backups_around_a_removal_open_with_the_keys_of_their_day(
    cli: Cli, vault_files: VaultFiles, colleague: Colleague
) -> None:
    """The backups part of the test above on its own: each backup is encrypted to the list
    it holds, so the removal's warning ("still open with the key") is true."""
    added = cli("recipients", "add", colleague.public, "--name", COLLEAGUE, *ident(vault_files))
    assert added.returncode == 0, added.stderr
    removed = cli("recipients", "remove", COLLEAGUE, *ident(vault_files))
    assert removed.returncode == 0, removed.stderr
    assert "The 2 older backups" in removed.stderr

    backups = Backups(vault_files.vault).newest_first()
    assert len(backups) == 2
    newest, oldest = backups
    assert [b.reason for b in backups] == ["removal", "keys-change"]
    assert opens(newest.path, colleague.unwrapped)
    assert not opens(oldest.path, colleague.unwrapped)
    assert opens(newest.path, vault_files.identity_file)
    assert opens(oldest.path, vault_files.identity_file)


def test_delete_backups_removes_them_and_keeps_one_fresh_one(
    cli: Cli, team_files: VaultFiles, colleague: Colleague
) -> None:
    older = {b.path for b in Backups(team_files.vault).newest_first()}
    assert len(older) == 1
    removed = cli("recipients", "remove", COLLEAGUE, "--delete-backups", *ident(team_files))
    assert removed.returncode == 0, removed.stderr
    assert "Deleted 2 older backups." in removed.stdout
    assert "Kept one fresh backup of the re-encrypted vault" in removed.stdout
    left = Backups(team_files.vault).newest_first()
    assert len(left) == 1
    fresh = left[0].path
    assert fresh not in older
    assert same_records(fresh, team_files.vault, team_files.identity_file)
    assert mode(fresh) == 0o600
    assert not opens(fresh, colleague.unwrapped)
    assert opens(fresh, team_files.identity_file)


def test_backups_that_cannot_be_deleted_are_named_in_one_sentence(
    cli: Cli, team_files: VaultFiles, colleague: Colleague, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = Backups(team_files.vault).folder.resolve()
    real_unlink = Path.unlink

    def refuse_backups(path: Path, missing_ok: bool = False) -> None:
        if path.resolve().parent == folder:
            raise PermissionError(13, "Permission denied", str(path))
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refuse_backups)
    removed = cli("recipients", "remove", COLLEAGUE, "--delete-backups", *ident(team_files))
    assert removed.returncode == 1, removed.stderr
    assert "2 backups could not be deleted, such as" in removed.stderr
    assert "delete them by hand" in removed.stderr
    assert "Traceback" not in removed.stderr


@pytest.mark.parametrize(("answer", "deleted"), [("y\n", True), ("\n", False), ("", False)])
def test_on_a_terminal_removing_a_key_asks_before_deleting_backups(
    cli: Cli, team_files: VaultFiles, answer: str, deleted: bool
) -> None:
    removed = cli("recipients", "remove", COLLEAGUE, *ident(team_files), typed=answer)
    assert removed.returncode == 0, removed.stderr
    assert "Delete the 2 older backups now? [y/N]" in removed.stdout
    left = Backups(team_files.vault).newest_first()
    if deleted:
        assert "Deleted 2 older backups." in removed.stdout
        assert len(left) == 1
        assert same_records(left[0].path, team_files.vault, team_files.identity_file)
    else:
        assert "The 2 older backups were kept" in removed.stdout
        assert len(left) == 2
    assert recipient_names(team_files) == [OWN_KEY_NAME]


# -- validation ---------------------------------------------------------------------------


def _add(key: str, name: str) -> Callable[[VaultFiles, Colleague], list[str | Path]]:
    return lambda files, _c: ["recipients", "add", key, "--name", name, *ident(files)]


SECRET = str(pyrage.x25519.Identity.generate())
NEW = fresh_public()

REFUSALS: dict[str, tuple[Callable[[VaultFiles, Colleague], list[str | Path]], str]] = {
    "empty name": (_add(NEW, ""), "The name is empty"),
    "blank name": (_add(NEW, "   "), "The name is empty"),
    "name of escapes only": (_add(NEW, "\x1b]0;x\x07\x1b[2J"), "The name is empty"),
    "two-line name": (_add(NEW, "Alex\nMoreno"), "one line"),
    "long name": (_add(NEW, "n" * 81), "81 characters long; keep it to 80"),
    "taken name": (_add(NEW, "alex MORENO"), "already a key named 'Alex Moreno'"),
    "own key's name": (_add(NEW, "This Vault"), "already a key named 'this vault'"),
    "not a key": (_add("age1notakey", "Sam"), "not a public key casetui can use"),
    "a secret key": (_add(SECRET, "Sam"), "That is a secret key"),
    "two keys": (_add(f"{NEW}\n{fresh_public()}", "Sam"), "one public key, on one line"),
    "key already there": (
        lambda files, c: ["recipients", "add", c.public, "--name", "Sam", *ident(files)],
        "already on the list, as 'Alex Moreno'",
    ),
    "key already there in capitals": (
        lambda files, c: ["recipients", "add", c.public.upper(), "--name", "Sam", *ident(files)],
        "already on the list, as 'Alex Moreno'",
    ),
    "unknown name": (
        lambda files, _c: ["recipients", "remove", "Nobody", *ident(files)],
        "no key named 'Nobody'; the vault's keys are 'this vault', 'Alex Moreno'",
    ),
    "the own key": (
        lambda files, _c: ["recipients", "remove", "this vault", *ident(files)],
        "casetui passwd",
    ),
    "the key this session unlocked with": (
        lambda files, c: ["recipients", "remove", COLLEAGUE, *ident(files, c.unwrapped)],
        "unlocked with 'Alex Moreno'",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_every_refusal_is_one_sentence_and_changes_nothing(
    cli: Cli, team_files: VaultFiles, colleague: Colleague, case: str
) -> None:
    build, fragment = REFUSALS[case]
    before_hash = fingerprint(team_files.vault)
    before = team_files.snapshot()
    result = cli(*build(team_files, colleague))
    assert_refused(result, fragment)
    assert SECRET not in result.stderr
    assert fingerprint(team_files.vault) == before_hash
    assert team_files.snapshot() == before
    assert recipient_names(team_files) == [OWN_KEY_NAME, COLLEAGUE]


def test_a_failed_save_leaves_the_list_as_it_was(
    team_files: VaultFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    with team_files.open() as vault:

        def fail(**_options: object) -> None:
            raise SaveFailed("Could not write vault.age: the disk is full.")

        monkeypatch.setattr(vault, "save", fail)
        with pytest.raises(SaveFailed):
            add_recipient(vault, fresh_public(), "Sam")
        assert [r.name for r in vault.recipients] == [OWN_KEY_NAME, COLLEAGUE]
    with team_files.open(writable=False) as vault:
        with pytest.raises(ReadOnlyVault):
            add_recipient(vault, fresh_public(), "Sam")
        with pytest.raises(ReadOnlyVault):
            vault.set_recipients(vault.recipients)


def test_a_second_writer_is_stopped_with_exit_3_naming_the_holder(
    cli: Cli, vault_files: VaultFiles, tmp_path: Path
) -> None:
    before_hash = fingerprint(vault_files.vault)
    with vault_files.open():  # the writer lock, held as the app holds it
        before = vault_files.snapshot(lock_held=True)
        for args in (
            ["recipients", "add", fresh_public(), "--name", "Sam"],
            ["recipients", "remove", "Sam"],
            ["recovery-key", "--out", tmp_path / "recovery.txt"],
        ):
            result = cli(*args, *ident(vault_files))
            assert_refused(
                result, "The vault is open elsewhere", f"(process {os.getpid()})", code=3
            )
            assert result.stderr.strip().endswith("close it there first, then try again.")
        assert not (tmp_path / "recovery.txt").exists()
        assert vault_files.snapshot(lock_held=True) == before
        # Looking needs no lock.
        listed = cli("recipients", "list", *ident(vault_files))
        assert listed.returncode == 0, listed.stderr
    assert fingerprint(vault_files.vault) == before_hash


# -- recovery keys ------------------------------------------------------------------------


def _recovery_text(stdout: str) -> str:
    lines = stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("# casetui recovery key"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("AGE-SECRET-KEY-1"))
    return "\n".join(lines[start : end + 1]) + "\n"


def test_a_recovery_key_opens_the_vault_and_sets_a_new_passphrase(
    cli: Cli, vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    made = cli("recovery-key", *ident(vault_files))
    assert made.returncode == 0, made.stderr
    assert "added it to the vault as 'recovery key'" in made.stdout
    assert "now encrypted to 2 keys" in made.stdout
    assert "offline" in made.stdout
    assert "never beside the vault" in made.stdout
    assert "only time it is shown" in made.stdout
    assert f"casetui --vault {vault_files.vault} --identity recovery.txt " in made.stdout
    assert f"--vault {vault_files.vault} --identity recovery.txt passwd" in made.stdout
    text = _recovery_text(made.stdout)
    secret = text.strip().splitlines()[-1]
    # The secret was shown, and written nowhere.
    for file in tmp_path.rglob("*"):
        if file.is_file():
            assert secret.encode() not in file.read_bytes(), file
    recovery = tmp_path / "recovery.txt"
    recovery.write_text(text)

    # The real command, as the instructions give it.
    checked = run_casetui("--vault", vault_files.vault, "--identity", recovery, "check", home=home)
    assert checked.returncode == 0, checked.stderr
    assert "Unlocked with: key file recovery.txt" in checked.stdout

    key_file = vault_files.paths.identity
    reset = cli(
        "passwd", *ident(vault_files, recovery), env={"CASETUI_NEW_PASSPHRASE": NEW_PASSPHRASE}
    )
    assert reset.returncode == 0, reset.stderr
    assert "new key of its own" in reset.stdout
    assert "'recovery key' still does" in reset.stdout
    assert mode(key_file) == 0o600
    assert_private(vault_files.vault)
    # The old own key is gone from the list, so its unwrapped copy no longer opens the vault,
    # nor any file left in its folder.
    assert files_opened_by(vault_files.vault, vault_files.identity_file) == []
    with pytest.raises(WrongKey):
        Vault.open(vault_files.vault, identity_unlocker(vault_files.identity_file))
    with Vault.open(vault_files.vault, identity_unlocker(recovery), writable=False) as vault:
        assert [r.name for r in vault.recipients] == [OWN_KEY_NAME, "recovery key"]

    fresh = cli("check", "--vault", vault_files.vault, env={"CASETUI_PASSPHRASE": NEW_PASSPHRASE})
    assert fresh.returncode == 0, fresh.stderr
    assert "Unlocked with: passphrase" in fresh.stdout
    old = cli("check", "--vault", vault_files.vault, env={"CASETUI_PASSPHRASE": PASSPHRASE})
    assert_refused(old, "passphrase does not open")
    still = cli("check", *ident(vault_files, recovery))
    assert still.returncode == 0, still.stderr


def test_if_writing_the_new_key_file_fails_the_recovery_key_still_opens_the_vault(
    vault_files: VaultFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recovery = tmp_path / "recovery.txt"
    with vault_files.open() as vault:
        make_recovery_key(vault, recovery)
    key_file = vault_files.paths.identity
    key_file_before = key_file.read_bytes()

    import casetui.services.recipients as recipients_module

    real_write = recipients_module.atomic_write

    def crash_on_key_file(target: Path, data: bytes, *, overwrite: bool = True) -> None:
        if target == key_file:
            raise SaveFailed("Could not write vault.identity.age: the disk is full.")
        real_write(target, data, overwrite=overwrite)

    monkeypatch.setattr(recipients_module, "atomic_write", crash_on_key_file)
    with (
        Vault.open(vault_files.vault, identity_unlocker(recovery)) as vault,
        pytest.raises(SaveFailed, match="run passwd with that key again"),
    ):
        reset_own_key(vault, NEW_PASSPHRASE)
    assert key_file.read_bytes() == key_file_before
    # The vault was re-encrypted first, to a new own key and still to the recovery key.
    with Vault.open(vault_files.vault, identity_unlocker(recovery), writable=False) as vault:
        assert [r.name for r in vault.recipients] == [OWN_KEY_NAME, "recovery key"]
    assert files_opened_by(vault_files.vault, vault_files.identity_file) == []
    with pytest.raises(WrongKey):
        Vault.open(vault_files.vault, identity_unlocker(vault_files.identity_file))


def test_recovery_key_out_writes_a_private_file_and_never_overwrites(
    cli: Cli, vault_files: VaultFiles, tmp_path: Path
) -> None:
    out = tmp_path / "keys" / "recovery.txt"
    out.parent.mkdir()
    made = cli("recovery-key", "--out", out, *ident(vault_files))
    assert made.returncode == 0, made.stderr
    assert "AGE-SECRET-KEY" not in made.stdout + made.stderr
    assert mode(out) == 0o600
    assert f"--identity {out} passwd" in made.stdout
    assert "Warning" not in made.stderr
    with Vault.open(vault_files.vault, identity_unlocker(out), writable=False) as vault:
        assert vault.keyring.source == "key file recovery.txt"

    before_hash = fingerprint(vault_files.vault)
    before_key = out.read_bytes()
    again = cli("recovery-key", "--out", out, *ident(vault_files))
    assert_refused(again, "already exists")
    assert out.read_bytes() == before_key
    assert fingerprint(vault_files.vault) == before_hash

    # A second one beside the vault is numbered, and warned about.
    beside = vault_files.vault.with_name("recovery-2.txt")
    second = cli("recovery-key", "--out", beside, *ident(vault_files))
    assert second.returncode == 0, second.stderr
    assert "'recovery key 2'" in second.stdout
    assert "same folder as the vault" in second.stderr
    assert recipient_names(vault_files) == [OWN_KEY_NAME, "recovery key", "recovery key 2"]
    with vault_files.open(writable=False) as vault:
        assert next_recovery_name(vault) == "recovery key 3"


def test_passwd_with_a_colleagues_key_asks_first_on_a_terminal(
    cli: Cli, team_files: VaultFiles, colleague: Colleague
) -> None:
    before = team_files.snapshot()
    result = cli(
        "passwd",
        *ident(team_files, colleague.unwrapped),
        env={"CASETUI_NEW_PASSPHRASE": NEW_PASSPHRASE},
        typed="n\n",
    )
    assert "unlocked with 'Alex Moreno', not the vault's own key" in result.stdout
    assert "Set a new passphrase for the vault? [y/N]" in result.stdout
    assert_refused(result, "nothing was changed")
    assert team_files.snapshot() == before
