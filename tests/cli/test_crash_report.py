"""Unexpected errors leave a crash report that holds no case details.

Each test raises an error whose message, and a local variable beside it, hold a
unique canary string (as a client's words would), then checks that the canary
reaches neither the screen nor stderr nor the report, and that the report
exists, is private, and names the error's type and where it happened.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

import pytest
from rich.console import Console
from rich.traceback import Traceback

from casetui import cli, crash
from casetui.ui.app import CaseApp
from tests.conftest import PASSPHRASE, VaultFiles, clean_env
from tests.e2e.conftest import launch  # noqa: F401  (the fixture)
from tests.e2e.test_e2e_tmux import Launch
from tests.ui.test_ui_flows import app_for, caseload_ready

CANARY = f"Canary{secrets.token_hex(8)}"
REPORT_AT = re.compile(r"crash report without any case details is at\s+(\S+?);?\s")


class LedgerMismatchError(RuntimeError):
    """Stands in for any bug: its message quotes a client's words."""


def explode(note: str) -> NoReturn:
    client_words = f"I moved to {note}"  # a local holding case text
    try:
        {}[client_words]
    except KeyError as missing:
        raise LedgerMismatchError(f"could not file {client_words!r}") from missing
    raise AssertionError("unreachable")


def assert_no_canary(data: bytes | str, where: str) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    for form in (CANARY.encode("utf-8"), CANARY.encode("utf-16-le")):
        assert form.lower() not in raw.lower(), f"the canary is in {where}"


def check_report(path: Path, state_dir: Path) -> str:
    assert path.parent == state_dir / "crashes"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    data = path.read_bytes()
    assert_no_canary(data, f"the crash report {path.name}")
    return data.decode("utf-8")


def test_the_canary_would_show_in_an_ordinary_traceback() -> None:
    """Control: the error below does carry the canary, in its message and its locals."""
    with pytest.raises(LedgerMismatchError) as caught:
        explode(CANARY)
    assert CANARY in str(caught.value)
    console = Console(file=io.StringIO(), width=200, record=True)
    console.print(Traceback.from_exception(caught.type, caught.value, caught.tb, show_locals=True))
    assert CANARY in console.export_text()


# -- the command line ---------------------------------------------------------------


def test_an_unexpected_error_in_a_command_writes_a_report_without_case_details(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], state_dir: Path
) -> None:
    def command(_args: object) -> int:
        explode(CANARY)

    monkeypatch.setitem(cli.COMMANDS, "config", command)
    assert cli.main(["config"]) == 70
    out, err = capsys.readouterr()
    assert_no_canary(out + err, "the output")
    assert "Traceback" not in err
    assert "LedgerMismatchError" in err
    found = REPORT_AT.search(err)
    assert found, err
    assert "please send it with your report" in err

    text = check_report(Path(found.group(1)), state_dir)
    assert "Error: tests.cli.test_crash_report.LedgerMismatchError" in text
    assert "Caused by: KeyError" in text
    assert re.search(r"test_crash_report\.py:\d+ in explode\n", text)
    assert re.search(r"main\.py:\d+ in main\n", text)
    assert "casetui:  " in text
    assert "Python:   " in text
    assert "I moved to" not in text  # nothing of the message, not even its start


def test_a_report_that_cannot_be_written_still_gives_one_sentence(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(crash.STATE_DIR_ENV, str(blocker))

    def command(_args: object) -> int:
        explode(CANARY)

    monkeypatch.setitem(cli.COMMANDS, "config", command)
    assert cli.main(["config"]) == 70
    out, err = capsys.readouterr()
    assert_no_canary(out + err, "the output")
    assert "Please report it; this message holds no case data." in err
    assert err.count("\n") == 1
    assert blocker.read_text() == "not a folder"


def test_a_separate_process_reports_the_same_way(home: Path) -> None:
    """A process of its own: one sentence on stderr, and the report in XDG_STATE_HOME."""
    script = (
        "import sys\n"
        "from casetui import cli\n"
        "def boom(_args):\n"
        f"    held = {CANARY!r}\n"
        "    raise ValueError('bad value ' + held)\n"
        "cli.COMMANDS['config'] = boom\n"
        "sys.exit(cli.main(['config']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=clean_env(home),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 70
    assert_no_canary(done.stdout + done.stderr, "the output")
    err = done.stderr.decode()
    found = REPORT_AT.search(err)
    assert found, err
    report = Path(found.group(1))
    assert report.is_relative_to(home / "state" / "casetui" / "crashes")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    for folder in (home / "state", home / "state" / "casetui", report.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert_no_canary(report.read_bytes(), "the crash report")
    assert "Error: ValueError" in report.read_text()


# -- the app ------------------------------------------------------------------------


async def test_a_crash_inside_the_app_shows_and_writes_no_case_details(
    vault_files: VaultFiles,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    state_dir: Path,
) -> None:
    def broken_help(self: CaseApp) -> None:
        explode(CANARY)

    shown: list[str] = []
    print_errors = CaseApp._print_error_renderables

    def keep_renderables(self: CaseApp) -> None:
        console = Console(file=io.StringIO(), width=100, record=True)
        for renderable in self._exit_renderables:
            console.print(renderable)
        shown.append(console.export_text())
        print_errors(self)

    monkeypatch.setattr(CaseApp, "action_help", broken_help)
    monkeypatch.setattr(CaseApp, "_print_error_renderables", keep_renderables)
    app = app_for(vault_files)
    with pytest.raises(LedgerMismatchError):
        async with app.run_test() as pilot:
            await caseload_ready(pilot, app)
            await pilot.press("question_mark")
            await pilot.pause()
    out, err = capsys.readouterr()
    assert_no_canary(out + err, "the app's output")
    [message] = shown
    assert_no_canary(message, "the app's exit message")
    assert "internal error (LedgerMismatchError)" in message
    assert re.search(r"test_crash_report\.py:\d+ in explode", message)
    assert "Traceback" not in message  # Textual's own traceback (with locals) is not used
    found = REPORT_AT.search(message)
    assert found, message
    assert found.group(1) in err  # printed whole, so it can be copied
    text = check_report(Path(found.group(1)), state_dir)
    assert "Error: tests.cli.test_crash_report.LedgerMismatchError" in text
    assert re.search(r"test_crash_report\.py:\d+ in \S*broken_help\n", text)
    assert app.return_code == 1
    assert app.vault is not None
    app.vault.close()


async def test_an_unexpected_error_while_saving_keeps_the_edit_and_reports_it(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch, state_dir: Path
) -> None:
    """A worker's error is not lost: the edit is kept, the status says so, a report is written."""
    from casetui.core.records import Goal
    from casetui.vault.vault import Vault
    from tests.ui.test_ui_casework import app_for as recording_app_for
    from tests.ui.test_ui_casework import new_client, seed
    from tests.ui.test_ui_flows import wait_for, wait_saved

    client = seed(vault_files, lambda vault: new_client(vault, "Noor Hazelbank"))
    real_save = Vault.save

    def broken_save(self: Vault, *, force: bool = False) -> None:
        explode(CANARY)

    app = recording_app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        monkeypatch.setattr(Vault, "save", broken_save)
        app.run_on_vault(
            lambda v: v.repo.goals.add(Goal.create(client_id=client.id, text="I want a garden"))
        )  # and saves, in a worker
        await wait_for(pilot, lambda: not app.save_state.ok)
        assert "Not saved" in app.save_state.text
        said = [m for m in app.messages if "unexpected" in m]
        assert said and said[0].startswith("Something unexpected went wrong while saving.")
        for message in app.messages:
            assert_no_canary(message, "a notification")
        found = re.search(r"is at (\S+)\.$", said[0])
        assert found, said[0]
        text = check_report(Path(found.group(1)), state_dir)
        assert "Error: tests.cli.test_crash_report.LedgerMismatchError" in text
        assert app.vault is not None and app.vault.dirty  # the edit is kept
        assert app.is_running

        monkeypatch.setattr(Vault, "save", real_save)
        await pilot.press("ctrl+s")
        await wait_saved(pilot, app)
    with vault_files.open(writable=False) as vault:
        assert [g.text for g in vault.repo.goals.for_parent(client.id)] == ["I want a garden"]


async def test_an_unexpected_error_working_out_today_says_so_on_the_screen(
    vault_files: VaultFiles, monkeypatch: pytest.MonkeyPatch, state_dir: Path
) -> None:
    from textual.widgets import Static

    from casetui.services import today_view
    from casetui.ui.screens.today_list import TodayScreen
    from casetui.vault.repository import Repository
    from tests.ui.test_ui_flows import wait_for

    def broken_today(self: Repository, *args: Any, **kwargs: Any) -> NoReturn:
        explode(CANARY)

    monkeypatch.setattr(today_view, "today", broken_today)
    app = app_for(vault_files)
    async with app.run_test(size=(100, 30)) as pilot:
        await caseload_ready(pilot, app)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.ready)
        summary = str(app.screen.query_one("#today-summary", Static).render())
        assert summary.startswith("Today's list could not be worked out. Something unexpected")
        assert_no_canary(summary, "the Today screen")
        found = re.search(r"is at (\S+)\.$", summary)
        assert found, summary
        check_report(Path(found.group(1)), state_dir)
        await pilot.press("ctrl+q")


# -- the report file ----------------------------------------------------------------


def _caught() -> BaseException:
    try:
        explode(CANARY)
    except LedgerMismatchError as error:
        return error
    raise AssertionError("explode did not raise")


def test_reports_rotate_keeping_the_newest(state_dir: Path) -> None:
    folder = state_dir / "crashes"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    old = [folder / f"crash-20000101-0000{n:02d}-000000-1.txt" for n in range(crash.KEEP + 5)]
    for path in old:
        path.write_text("old")
    written = [crash.write_crash_report(_caught()) for _ in range(3)]
    assert all(path is not None for path in written)
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == crash.KEEP
    assert {p.name for p in written if p is not None} <= set(kept)
    assert kept[: crash.KEEP - 3] == [p.name for p in old[-(crash.KEEP - 3) :]]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # tightened
    for path in written:
        assert path is not None
        check_report(path, state_dir)
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temp files left


def test_a_report_follows_a_wrapped_error_and_stays_short() -> None:
    class WrapperFailed(Exception):
        def __init__(self, error: BaseException) -> None:
            self.error = error
            super().__init__(f"wrapped {error!r}")

    text = crash.report_text(WrapperFailed(_caught()))
    assert_no_canary(text, "the report")
    assert "Error: tests.cli.test_crash_report.test_a_report_follows" in text
    assert "(no traceback)" in text
    assert "Wrapping: tests.cli.test_crash_report.LedgerMismatchError" in text
    assert "Caused by: KeyError" in text

    def deep(n: int) -> Any:
        return deep(n - 1) if n else explode(CANARY)

    try:
        deep(200)
    except LedgerMismatchError as error:
        text = crash.report_text(error)
    assert "earlier frames left out" in text
    assert text.count(" in deep\n") < crash.MAX_FRAMES


def test_write_crash_report_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_disk(*_args: object, **_kwargs: object) -> NoReturn:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "open", no_disk)
    assert crash.write_crash_report(_caught()) is None


def test_importing_the_crash_module_loads_no_textual() -> None:
    code = "import sys, casetui.crash; print(any(m.startswith('textual') for m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"


# -- the real app in a real terminal ------------------------------------------------

CRASHING_HELP = f'''\
"""Loaded at start-up (PYTHONPATH): makes the app's help key fail like a bug would."""
import casetui.ui.app


def broken_help(self):
    client_words = "I moved to {CANARY}"
    raise LookupError("no help for " + client_words)


casetui.ui.app.CaseApp.action_help = broken_help
'''


def test_a_crash_in_the_real_app_prints_no_details_and_exits_70(
    launch: Launch,  # noqa: F811
    vault_files: VaultFiles,
    home: Path,
    tmp_path: Path,
) -> None:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(CRASHING_HELP)
    pane = launch(
        "open",
        "--vault",
        str(vault_files.vault),
        CASETUI_PASSPHRASE=PASSPHRASE,
        PYTHONPATH=str(hook),
    )
    pane.wait_for("My caseload", timeout=60)
    pane.keys("?")
    assert pane.exit_code(timeout=60) == 70
    screen = pane.tmux("capture-pane", "-p", "-J", "-t", "e2e", "-S", "-")  # joined lines
    assert_no_canary(screen, "the terminal")
    assert "internal error (LookupError)" in screen
    assert "Traceback" not in screen
    found = REPORT_AT.search(screen)
    assert found, screen
    report = Path(found.group(1))
    assert report.parent == home / "state" / "casetui" / "crashes"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    text = report.read_text()
    assert_no_canary(text, "the crash report")
    assert "Error: LookupError" in text
    assert re.search(r"sitecustomize\.py:\d+ in broken_help\n", text)
    vault_files.snapshot()  # the writer lock was released


def test_guarded_jobs_and_worker_methods_report_instead_of_losing_errors(
    state_dir: Path,
) -> None:
    from casetui.ui.worker_errors import guarded, reports_crashes

    class FakeApp:
        def __init__(self) -> None:
            self.said: list[str] = []

        def call_from_thread(self, fn: Any, *args: Any, **kwargs: Any) -> None:
            fn(*args, **kwargs)

        def notify(self, message: str, **_kwargs: Any) -> None:
            self.said.append(message)

    app = FakeApp()
    guarded(app, "printing the goal sheet", lambda: explode(CANARY))()  # type: ignore[arg-type]

    class Screen:
        def __init__(self) -> None:
            self.app = app

        @reports_crashes("checking accreditation readiness")
        def work(self) -> int:
            explode(CANARY)

        @reports_crashes("checking accreditation readiness")
        def fine(self) -> int:
            return 7

    assert Screen().work() is None
    assert Screen().fine() == 7
    first, second = app.said
    assert first.startswith("Something unexpected went wrong while printing the goal sheet.")
    assert second.startswith("Something unexpected went wrong while checking accreditation")
    for sentence in app.said:
        assert_no_canary(sentence, "a notification")
        found = re.search(r"is at (\S+)\.$", sentence)
        assert found, sentence
        check_report(Path(found.group(1)), state_dir)
