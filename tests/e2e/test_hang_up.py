"""A dropped SSH connection: casetui saves what is in flight and leaves quietly.

Before, every drop ended in "something unexpected went wrong (RuntimeError)"
and a crash report: SIGHUP raised SystemExit wherever Textual was, and the
SIGCONT a shell sends after it made Textual resume the terminal mid-shutdown.
Reproduced every time with ``kill -HUP $pid; kill -CONT $pid``.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from casetui.vault.lock import holder
from tests.conftest import VaultFiles, tree_bytes
from tests.e2e.test_e2e_tmux import Launch, Pane, stop_server, wait_until

CASELOAD = "My caseload"


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie has left already; only its parent has not looked yet.
    status = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[-1]
    return status.startswith("Z")


def crash_reports(home: Path) -> list[Path]:
    return sorted((home / "state" / "casetui" / "crashes").glob("*"))


def start(run: Launch, files: VaultFiles) -> tuple[Pane, int]:
    pane = run("--vault", str(files.vault), "--identity", str(files.identity_file))
    pane.wait_for(CASELOAD)
    return pane, pane.app_pid()


def test_sighup_then_sigcont_exits_quietly_with_the_lock_released(
    launch: Launch,
    vault_files: VaultFiles,
    home: Path,
) -> None:
    pane, pid = start(launch, vault_files)
    assert holder(vault_files.paths.lock) is not None
    os.kill(pid, signal.SIGHUP)
    os.kill(pid, signal.SIGCONT)
    assert pane.exit_code() == 128 + signal.SIGHUP
    assert "went wrong" not in pane.screen(history=True)
    assert crash_reports(home) == []
    assert holder(vault_files.paths.lock) is None


def test_sigterm_exits_quietly_too(
    launch: Launch,
    vault_files: VaultFiles,
    home: Path,
) -> None:
    pane, pid = start(launch, vault_files)
    os.kill(pid, signal.SIGTERM)
    assert pane.exit_code() == 128 + signal.SIGTERM
    assert crash_reports(home) == []


def test_a_killed_terminal_leaves_no_process_no_report_and_no_lock(
    launch: Launch,
    vault_files: VaultFiles,
    home: Path,
) -> None:
    pane, pid = start(launch, vault_files)
    pane.keys("n")  # a form open, as when the connection drops mid-sentence
    time.sleep(0.5)
    stop_server(pane)  # the terminal is gone: SIGHUP, and nothing left to read
    wait_until(lambda: True if gone(pid) else None, "casetui to leave", 20)
    assert crash_reports(home) == []
    assert holder(vault_files.paths.lock) is None


async def test_a_hang_up_saves_what_is_still_waiting_to_be_written(
    vault_files: VaultFiles,
) -> None:
    from datetime import date

    from casetui.core.records import Client
    from tests.ui.test_ui_flows import app_for, caseload_ready

    before = tree_bytes(vault_files.vault)
    app = app_for(vault_files)
    async with app.run_test(size=(80, 24)) as pilot:
        await caseload_ready(pilot, app)
        vault = app.require_vault()
        vault.repo.clients.add(  # a change made, its save not yet run
            Client.create(
                preferred_name="Wren Saltmarsh",
                intake_date=date(2026, 9, 1),
                case_manager_id=vault.owner_staff_id,
            )
        )
        assert vault.dirty
        await app.hang_up()
        await pilot.pause()
    assert not vault.dirty
    assert tree_bytes(vault_files.vault) != before
    with vault_files.open(writable=False) as again:
        assert any(c.preferred_name == "Wren Saltmarsh" for c in again.repo.clients)
