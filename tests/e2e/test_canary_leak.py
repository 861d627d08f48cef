"""No client text ever lands on disk in plaintext: a full real session, then a search.

A unique canary goes into a client's preferred name, the client's notes, a
meeting note and a goal, through the vault API (so no plaintext file is ever
written). Then the real ``casetui`` runs in tmux with every folder it could
write to (home, the XDG folders, TMPDIR) inside this test's tmp_path: unlock by
typing the passphrase, view the caseload, open the client (the canary must be
on screen, which proves the search below looks for something real), change a
goal, wait for the save, start a new goal holding the canary and leave it
unsaved, hide with F12 (the canary must leave the screen, and the kept draft of
the form must be sealed), unlock again (the form comes back), leave it and
quit. Afterwards every file under tmp_path is searched for the canary in UTF-8
and UTF-16-LE, ignoring case, and every file and folder casetui made must be
private (0600 and 0700).
"""

from __future__ import annotations

import re
import secrets
import stat
from datetime import date
from pathlib import Path

from casetui.core.records import Client, Goal, Meeting
from tests.conftest import PASSPHRASE, VaultFiles
from tests.e2e.test_e2e_tmux import Launch, wait_until

CANARY = f"Canary{secrets.token_hex(8)}"
SAVED = re.compile(r"Saved \d\d:\d\d")
SLOW = 60  # unlocking runs scrypt, on a machine that may be busy


def plant_canary(files: VaultFiles) -> str:
    """Add a client, a meeting and a goal holding the canary; return the client's id."""
    with files.open() as vault:
        owner = vault.owner_staff_id
        assert owner is not None
        client = vault.repo.clients.add(
            Client.create(
                preferred_name=CANARY,
                pronouns="she/her",
                intake_date=date(2026, 1, 5),
                case_manager_id=owner,
                culture_notes=f"Prefers mornings; {CANARY} is her chosen name.",
                safe_contact_notes=f"Text first, mention {CANARY} only.",
            )
        )
        vault.repo.meetings.add(
            Meeting.create(
                client_id=client.id,
                staff_id=owner,
                on=date(2026, 1, 12),
                summary=f"Talked about housing with {CANARY}.",
                next_steps=f"Call back; ask for {CANARY}.",
            )
        )
        vault.repo.goals.add(
            Goal.create(client_id=client.id, text=f"{CANARY} wants her own flat by spring.")
        )
        vault.save()
    return client.id


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def leaks(path: Path) -> list[str]:
    """Which forms of the canary ``path`` holds, if any."""
    data = path.read_bytes().lower()
    forms = {"UTF-8": CANARY.encode("utf-8"), "UTF-16-LE": CANARY.encode("utf-16-le")}
    return [name for name, form in forms.items() if form.lower() in data]


def test_a_full_session_leaves_no_plaintext_anywhere(
    launch: Launch,
    vault_files: VaultFiles,
    tmp_path: Path,
    home: Path,
) -> None:
    plant_canary(vault_files)
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir(mode=0o700)
    for name in ("config", "data", "state", "cache"):  # the XDG folders of conftest.clean_env
        (home / name).mkdir(mode=0o700)
    before = set(tmp_path.rglob("*"))

    pane = launch("open", "--vault", str(vault_files.vault), TMPDIR=str(tmpdir))
    launcher = (pane.folder / "run.sh").read_text()
    for name in (
        "HOME",
        *(f"XDG_{n}_HOME" for n in ("CONFIG", "DATA", "STATE", "CACHE")),
        "TMPDIR",
    ):
        assert f"{name}={tmp_path}/" in launcher, f"{name} is not inside tmp_path"

    # Unlock by typing the passphrase.
    pane.wait_for("Unlock your vault", "Passphrase", timeout=SLOW)
    pane.type(PASSPHRASE)
    pane.wait_for("•" * len(PASSPHRASE))
    pane.keys("Enter")
    screen = pane.wait_for("My caseload", CANARY, timeout=SLOW)
    assert PASSPHRASE not in screen

    # Open the client: the canary is on screen, so the search below is not blind.
    pane.keys("Enter")
    screen = pane.wait_for(f"{CANARY} (she/her) · ", "Profile", timeout=SLOW)
    assert CANARY in screen

    # Change the goal's status and wait until it is saved.
    pane.keys("2")
    pane.wait_for("client's own words", f"{CANARY} wants", timeout=SLOW)
    pane.keys("t")
    pane.wait_for("In progress", timeout=SLOW)
    pane.wait(lambda s: SAVED.search(s) is not None, "the save", timeout=SLOW)

    # Start a new goal with the canary in it, and leave it unsaved.
    pane.keys("a")
    pane.wait_for("New goal", timeout=SLOW)
    pane.type(f"Half typed for {CANARY}")
    pane.wait_for(f"Half typed for {CANARY}", timeout=SLOW)

    # Quick hide: the screen no longer shows the client.
    pane.keys("F12")
    screen = pane.wait_for("Locked", timeout=SLOW)
    assert CANARY not in screen
    assert CANARY not in pane.screen(history=True)
    # Locking saves and lets go of the vault in the background; a person takes far
    # longer to type the passphrase than that, tmux does not.
    lock = vault_files.paths.lock
    wait_until(lambda: lock.read_bytes() == b"" or None, "the vault to be let go", SLOW)
    # The half-typed goal is kept across the lock (sealed): the search below covers it.
    drafts = list((home / "state").rglob("drafts/*.age"))
    assert len(drafts) == 1, drafts
    assert leaks(drafts[0]) == [], "the kept draft holds the canary in plaintext"
    assert oct(stat.S_IMODE(drafts[0].stat().st_mode)) == "0o600"

    # Unlock again: back in the form, words and all. Leave it, and quit.
    pane.type(PASSPHRASE)
    pane.wait_for("•" * len(PASSPHRASE))
    pane.keys("Enter")
    pane.wait_for("New goal", f"Half typed for {CANARY}", timeout=SLOW)
    pane.keys("Escape")
    pane.wait_for("Leave without saving?", timeout=SLOW)
    pane.keys("y")
    pane.wait_for(f"{CANARY} wants", timeout=SLOW)
    pane.keys("C-q")
    assert pane.exit_code(timeout=SLOW) == 0

    # The session really changed the vault: a backup was kept and changes were written.
    vault_folder = vault_files.vault.parent
    assert list(vault_folder.glob("vault.age.backups/*")), "no backup: was anything saved?"

    # Search everything: the vault's folder, home with its XDG folders, TMPDIR, the rest.
    searched = files_under(tmp_path)
    assert any(p.is_relative_to(vault_files.vault) for p in searched)
    assert len(searched) >= 5
    found = {str(p.relative_to(tmp_path)): forms for p in searched if (forms := leaks(p))}
    assert found == {}, f"the canary is on disk in plaintext: {found}"

    # What casetui made is private. The tmux harness's own files are left out.
    made = {p for p in set(tmp_path.rglob("*")) - before if not p.is_relative_to(pane.folder)}
    made |= set(vault_folder.rglob("*"))  # the vault file is replaced on save
    assert made
    loose = {
        str(p.relative_to(tmp_path)): oct(stat.S_IMODE(p.lstat().st_mode))
        for p in made
        if stat.S_IMODE(p.lstat().st_mode) != (0o700 if p.is_dir() else 0o600)
    }
    assert loose == {}, f"casetui made files or folders others may read: {loose}"
