"""The idle lock in a real terminal: a countdown first, then the typed form kept sealed.

The real ``casetui`` in tmux, with the idle lock at its shortest (1 minute, so
the countdown shows for the last 30 seconds). A goal is half typed and left:
the countdown appears, the app locks, the words leave the screen and lie on
disk only sealed, and unlocking gives the form back as it was.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from casetui.core.records import Client
from tests.conftest import VaultFiles
from tests.e2e.test_e2e_tmux import Launch, wait_until

NAME = "Odalys Fernwhistle"
TYPED = "Finish the welding course by June, typed-in-tmux-8812"


def test_the_idle_lock_warns_then_keeps_the_typed_form_sealed(
    launch: Launch,
    vault_files: VaultFiles,
    home: Path,
) -> None:
    with vault_files.open() as vault:
        vault.repo.clients.add(
            Client.create(
                preferred_name=NAME,
                intake_date=date(2026, 9, 1),
                case_manager_id=vault.owner_staff_id,
            )
        )
        vault.save()
    config = home / "casetui.toml"
    config.write_text("idle_lock_minutes = 1\n")
    pane = launch(
        "--vault",
        str(vault_files.vault),
        "--identity",
        str(vault_files.identity_file),
        CASETUI_CONFIG=str(config),
    )
    pane.wait_for("My caseload", NAME, timeout=30)
    pane.keys("Enter")
    pane.wait_for(f"{NAME} · ", timeout=20)
    pane.keys("2")
    pane.wait_for("client's own words", timeout=20)
    pane.keys("a")
    pane.wait_for("New goal", timeout=20)
    pane.type(TYPED)
    pane.wait_for("typed-in-tmux-8812", timeout=20)

    # Left alone: the countdown shows, then the lock.
    warned = pane.wait_for("casetui will lock in 0:", timeout=60)
    assert "Press any key to keep working" in warned
    locked = pane.wait_for("Locked", timeout=60)
    assert "typed-in-tmux-8812" not in locked
    assert NAME not in locked

    # The lock card comes first, for privacy; the worker seals the form just after.
    folder = home / "state" / "casetui" / "drafts"
    drafts = wait_until(
        lambda: list(folder.glob("*.age")) or None, "the sealed draft to be written", 30
    )
    assert len(drafts) == 1, drafts
    sealed = drafts[0].read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1")
    assert b"typed-in-tmux" not in sealed and b"welding" not in sealed

    # Unlock with the key file: back in the same form, words and all.
    pane.keys("Enter")
    back = pane.wait_for("New goal", "typed-in-tmux-8812", timeout=30)
    assert "Welcome back" in back or "as you left it" in back or "typed-in-tmux-8812" in back
    pane.keys("C-s")
    pane.wait_for("Goal added", timeout=20)
    pane.keys("C-q")
    assert pane.exit_code(timeout=30) == 0
    assert not drafts[0].exists()
    with vault_files.open(writable=False) as vault:
        assert any(g.text == TYPED for g in vault.repo.goals.all())


def test_a_dropped_terminal_keeps_the_half_typed_form_for_next_time(
    launch: Launch,
    vault_files: VaultFiles,
    home: Path,
) -> None:
    from tests.e2e.test_e2e_tmux import stop_server
    from tests.e2e.test_hang_up import gone

    args = ("--vault", str(vault_files.vault), "--identity", str(vault_files.identity_file))
    pane = launch(*args)
    pane.wait_for("My caseload", timeout=30)
    pid = pane.app_pid()
    pane.keys("n")  # a new client, half typed when the connection drops
    pane.wait_for("New client", timeout=20)
    pane.type("Wrenna Dropline")
    pane.wait_for("Wrenna Dropline", timeout=20)
    stop_server(pane)  # the terminal is gone: SIGHUP, and nothing left to read
    wait_until(lambda: True if gone(pid) else None, "casetui to leave", 20)

    drafts = list((home / "state" / "casetui" / "drafts").glob("*.age"))
    assert len(drafts) == 1, drafts
    assert b"Wrenna" not in drafts[0].read_bytes()

    again = launch(*args)
    back = again.wait_for("New client", "Wrenna Dropline", timeout=30)
    assert "My caseload" in back or "New client" in back
    again.keys("Escape")
    again.wait_for("Leave without saving?", timeout=20)
    again.keys("y")
    again.wait_for("My caseload", timeout=20)
    again.keys("C-q")
    assert again.exit_code(timeout=30) == 0
    assert not drafts[0].exists()
