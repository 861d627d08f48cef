"""Two people, one vault: the second opens read-only, with a banner, and cannot write."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from casetui.cli import build_parser
from casetui.ui.app import CaseApp
from casetui.ui.forms.form import FormScreen
from casetui.ui.screens.unlock import UnlockScreen
from casetui.ui.widgets.chrome import ReadOnlyBanner
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault
from tests.conftest import PASSPHRASE, REPO, VaultFiles, clean_env
from tests.ui.test_ui_casework import app_for
from tests.ui.test_ui_flows import caseload_ready, type_into, wait_for

#: The first person's casetui, reduced to what matters: it holds the vault open for
#: writing and saves a new case manager for each line it reads.
WRITER = """
import sys
from pathlib import Path
from casetui.core.records import Staff
from casetui.vault.unlocking import identity_unlocker
from casetui.vault.vault import Vault

vault = Vault.open(Path(sys.argv[1]), identity_unlocker(Path(sys.argv[2])))
print("ready", flush=True)
for line in sys.stdin:
    if not line.strip():
        break
    vault.repo.staff.add(Staff.create(name=line.strip()))
    vault.save()
    print("saved", flush=True)
vault.close()
"""


@pytest.fixture
def writer(vault_files: VaultFiles, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(vault_files.vault), str(vault_files.identity_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=clean_env(tmp_path / "writer-home", PYTHONPATH=str(REPO / "src")),
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def _write(process: subprocess.Popen[str], name: str) -> None:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(name + "\n")
    process.stdin.flush()
    assert process.stdout.readline().strip() == "saved"


def banner_text(app: CaseApp) -> str:
    return str(app.screen.query_one(ReadOnlyBanner).render())


async def test_a_second_casetui_opens_read_only_with_a_banner_and_cannot_write(
    vault_files: VaultFiles, writer: subprocess.Popen[str]
) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        assert app.vault is not None and not app.vault.writable
        assert "READ-ONLY" in banner_text(app)
        assert "open elsewhere by" in banner_text(app) and "since" in banner_text(app)
        assert app.save_state.text == "Read-only: nothing is saved"

        _write(writer, "Ines Marchetti")  # the first person goes on working meanwhile

        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_into(pilot, "#field-preferred_name", "Teodora Pinecrest")
        await type_into(pilot, "#field-intake_date", "2026-02-03")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any("read-only" in m for m in app.messages))
        assert app.vault.repo.clients.all() == []
        await pilot.press("ctrl+s")  # "save now" has nothing it may do
        await pilot.pause()
        assert not app.vault.dirty
        for screen in list(app.screen_stack[1:]):
            if isinstance(screen, FormScreen):
                app.pop_screen()
        await pilot.press("ctrl+q")
    assert app.return_code == 0

    _write(writer, "Bao Ngoc Tran")
    assert writer.stdin is not None
    writer.stdin.write("\n")
    writer.stdin.flush()
    assert writer.wait(timeout=30) == 0
    with Vault.open(vault_files.vault, identity_unlocker(vault_files.identity_file)) as vault:
        names = {s.name for s in vault.repo.staff.all()}
        assert {"Ines Marchetti", "Bao Ngoc Tran"} <= names
        assert vault.repo.clients.all() == []
        # Only the writer's additions: the read-only session wrote nothing, not even
        # its unlock.
        assert {e.table for e in vault.repo.audit.all()} == {"staff"}, [
            (e.action, e.detail, e.who) for e in vault.repo.audit.all()
        ]


async def test_the_unlock_screen_says_who_has_it_before_asking(
    vault_files: VaultFiles, writer: subprocess.Popen[str]
) -> None:
    app = CaseApp(vault_files.vault)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, UnlockScreen))
        problem = str(app.screen.query_one("#problem", Static).render())
        assert "open elsewhere by" in problem and "read-only" in problem
        assert app.read_only
        app.screen.query_one("#passphrase", Input).value = PASSPHRASE
        await pilot.press("enter")
        await caseload_ready(pilot, app)
        assert app.vault is not None and not app.vault.writable
        assert "READ-ONLY" in banner_text(app)
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_without_another_writer_the_app_opens_for_writing(vault_files: VaultFiles) -> None:
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        assert app.vault is not None and app.vault.writable
        assert not app.screen.query(ReadOnlyBanner)
        await pilot.press("ctrl+q")


def test_read_only_can_be_asked_for_on_the_command_line() -> None:
    parser = build_parser()
    assert parser.parse_args(["--read-only"]).read_only is True
    assert parser.parse_args(["open", "--read-only"]).read_only is True
    assert not getattr(parser.parse_args(["open"]), "read_only", False)
