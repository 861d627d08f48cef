"""End-to-end: the real ``casetui`` console script driven through tmux.

Each test starts its own tmux server on a private socket (``tmux -L``) with an
empty configuration, runs casetui in a 100x30 pane from a small launcher script,
and reads the screen with ``capture-pane``. Every wait polls the screen with a
deadline; nothing sleeps a fixed time and then hopes.

The launcher writes its pid to a file, then ``exec``s casetui (so the pid is the
app's own), and the pane's shell prints ``CASETUI_EXIT=<code>`` once it leaves.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from casetui.core.records import Client
from casetui.resources import sample_caseload
from tests.conftest import PASSPHRASE, VaultFiles

CASETUI = Path(sys.executable).parent / "casetui"
WIDTH, HEIGHT = 100, 30
POLL = 0.1
EXIT_MARK = re.compile(r"CASETUI_EXIT=(\d+)")
DEMO_BANNER = "DEMO — fictional data"
TMUX_CONF = """\
set -g status off
set -g remain-on-exit on
set -g allow-rename on
set -g set-titles on
set -sg escape-time 0
set -g history-limit 1000
"""

# Both are active clients of st_sample01, the demo's case manager, in the sample caseload.
DEMO_OWNER = "st_sample01"
FILTERED_CLIENT = "Olek Thistledown"
OTHER_CLIENT = "Amara Bluefinch"

# Markup and an OSC 0 "set title" sequence in a client's name. The sanitiser
# drops the escape sequence on entry; the markup must then be shown literally.
HOSTILE_NAME = "[bold]x[/bold] [@click=app.quit]y[/] \x1b]0;PWNED\x07z"
SHOWN_NAME = "[bold]x[/bold] [@click=app.quit]y[/] z"

T = TypeVar("T")


def require_tmux() -> None:
    """tmux is required (CI installs it): a missing tmux fails loudly, never skips."""
    assert shutil.which("tmux") is not None, "these tests need tmux on PATH"
    assert CASETUI.exists(), f"the casetui console script is missing at {CASETUI}"


def wait_until(probe: Callable[[], T | None], what: str, timeout: float) -> T:
    """Call ``probe`` every POLL seconds until it returns something, or fail."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(POLL)


@dataclass
class Pane:
    """One tmux server on a private socket, holding one pane that runs casetui."""

    socket: str
    folder: Path

    @property
    def conf(self) -> Path:
        return self.folder / "tmux.conf"

    @property
    def go_file(self) -> Path:
        return self.folder / "go"

    @property
    def pid_file(self) -> Path:
        return self.folder / "casetui.pid"

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.conf), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        assert result.returncode == 0, f"tmux {' '.join(args)}: {result.stderr}"
        return result.stdout

    def screen(self, *, history: bool = False) -> str:
        """The visible screen; with ``history``, the scrolled-off lines above it too."""
        return self.tmux("capture-pane", "-p", "-t", "e2e", *(["-S", "-"] if history else []))

    def title(self) -> str:
        return self.tmux("display-message", "-p", "-t", "e2e", "#{pane_title}").strip()

    def modes(self) -> str:
        """The pane's alternate-screen and mouse-reporting modes: "0 0 0" once restored."""
        flags = "#{alternate_on} #{mouse_any_flag} #{mouse_sgr_flag}"
        return self.tmux("display-message", "-p", "-t", "e2e", flags).strip()

    def wait(
        self, check: Callable[[str], bool], what: str, timeout: float = 20, history: bool = False
    ) -> str:
        """Poll the screen until ``check(screen)`` holds; return that screen."""
        last = ""

        def probe() -> str | None:
            nonlocal last
            last = self.screen(history=history)
            return last if check(last) else None

        try:
            return wait_until(probe, what, timeout)
        except AssertionError as error:
            raise AssertionError(f"{error}; the screen was:\n{last}") from None

    def wait_for(self, *texts: str, timeout: float = 20, history: bool = False) -> str:
        """Wait until every one of ``texts`` is on screen."""
        return self.wait(lambda s: all(t in s for t in texts), f"{texts!r}", timeout, history)

    def keys(self, *keys: str) -> None:
        """Send tmux key names (Enter, Escape, C-q, ...)."""
        self.tmux("send-keys", "-t", "e2e", *keys)

    def type(self, text: str) -> None:
        """Send ``text`` literally, one character at a time as a person would type it."""
        self.tmux("send-keys", "-t", "e2e", "-l", text)

    def exit_code(self, timeout: float = 20) -> int:
        """Wait for casetui to leave; check it gave the terminal back; return its code."""
        # The shell's line may have scrolled off: search the history too.
        screen = self.wait_for("CASETUI_EXIT=", timeout=timeout, history=True)
        found = EXIT_MARK.search(screen)
        assert found is not None, screen
        assert self.modes() == "0 0 0", "casetui left the alternate screen or mouse mode on"
        return int(found.group(1))

    def app_pid(self, timeout: float = 10) -> int:
        def probe() -> int | None:
            text = self.pid_file.read_text() if self.pid_file.exists() else ""
            return int(text) if text.strip().isdigit() else None

        pid = wait_until(probe, "the pid file", timeout)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert any(part.endswith(b"casetui") for part in cmdline), cmdline
        return pid


Launch = Callable[..., Pane]


def launcher_script(args: list[str], env: dict[str, str], pid_file: Path, prelude: str) -> str:
    """A sh script: optional prelude, record own pid, then become casetui in ``env`` only."""
    assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in sorted(env.items()))
    command = " ".join(shlex.quote(a) for a in [str(CASETUI), *args])
    return (
        "#!/bin/sh\n"
        f"{prelude}\n"
        f"echo $$ > {shlex.quote(str(pid_file))}\n"
        f"exec env -i {assignments} {command}\n"
    )


def stop_server(pane: Pane) -> None:
    """Kill the pane's tmux server (SIGHUP reaches casetui) and remove its socket file."""
    found = subprocess.run(
        ["tmux", "-L", pane.socket, "display-message", "-p", "#{socket_path}"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    subprocess.run(
        ["tmux", "-L", pane.socket, "kill-server"], capture_output=True, timeout=10, check=False
    )
    socket = found.stdout.strip()
    if found.returncode == 0 and Path(socket).name == pane.socket:
        Path(socket).unlink(missing_ok=True)


def demo_folders(tmpdir: Path) -> list[Path]:
    return sorted(tmpdir.glob("casetui-demo-*"))


def open_clients_of(staff_id: str) -> list[str]:
    """Names of the sample caseload's active and on-hold clients of ``staff_id``."""
    document = json.loads(sample_caseload().read_text(encoding="utf-8"))
    return [
        c["preferred_name"]
        for c in document["clients"]
        if c["case_manager_id"] == staff_id and c["status"] != "closed"
    ]


def start_demo(launch: Launch, tmpdir: Path) -> Pane:
    pane = launch("demo", TMPDIR=str(tmpdir))
    screen = pane.wait_for(DEMO_BANNER, "My caseload", OTHER_CLIENT)
    assert FILTERED_CLIENT in screen
    folders = demo_folders(tmpdir)
    assert len(folders) == 1, folders
    assert folders[0].is_dir()
    return pane


# -- the demo -----------------------------------------------------------------------


def test_demo_filter_open_tabs_and_quit_removes_the_demo_vault(
    launch: Launch, demo_tmp: Path
) -> None:
    pane = start_demo(launch, demo_tmp)

    pane.type("/")
    pane.wait_for("Filter by name")
    others = [name for name in open_clients_of(DEMO_OWNER) if name != FILTERED_CLIENT]
    assert FILTERED_CLIENT in open_clients_of(DEMO_OWNER)
    assert OTHER_CLIENT in others
    pane.type("Olek")
    pane.wait(
        lambda s: FILTERED_CLIENT in s and not any(name in s for name in others),
        f"only {FILTERED_CLIENT} to be listed",
    )

    pane.keys("Enter")  # from the filter box to the list
    pane.keys("Enter")  # open the highlighted client
    # Twelve tabs at 80 columns, with their shortest names and their keys.
    screen = pane.wait_for(f"{FILTERED_CLIENT} (he/him)", "1Prof", "4Meet", "5Refs", "=Svcs")
    assert "My caseload" not in screen

    for key, text in (("2", "client's own words"), ("3", "showing needed only"), ("4", "logged")):
        assert text not in pane.screen(), f"{text!r} shown before pressing {key}"
        pane.keys(key)
        pane.wait_for(text)

    pane.keys("Escape")
    pane.wait_for("My caseload", DEMO_BANNER)

    pane.keys("t")  # Today: the sample has something in every section
    pane.wait_for("Today,", "Overdue check-in", "Referral follow-up", "Court date")
    pane.keys("Escape")
    pane.wait_for("My caseload", DEMO_BANNER)

    pane.keys("C-q")
    assert pane.exit_code() == 0
    assert demo_folders(demo_tmp) == []


def test_quick_hide_clears_the_real_terminal(launch: Launch, demo_tmp: Path) -> None:
    pane = start_demo(launch, demo_tmp)
    pane.wait_for(FILTERED_CLIENT, OTHER_CLIENT)
    pane.keys("F12")
    screen = pane.wait_for("Locked")
    for name in open_clients_of(DEMO_OWNER):
        assert name not in screen, f"{name} is still on the screen after F12"
    assert DEMO_BANNER not in screen
    pane.keys("Enter")  # the demo has no passphrase: Enter goes back
    pane.wait_for(FILTERED_CLIENT, DEMO_BANNER)
    pane.keys("C-q")
    assert pane.exit_code() == 0
    assert demo_folders(demo_tmp) == []


def test_demo_ctrl_c_quits_and_removes_the_demo_vault(launch: Launch, demo_tmp: Path) -> None:
    pane = start_demo(launch, demo_tmp)
    pane.keys("C-c")
    assert pane.exit_code() == 0
    assert demo_folders(demo_tmp) == []


def test_demo_sigterm_removes_the_demo_vault(launch: Launch, demo_tmp: Path) -> None:
    pane = start_demo(launch, demo_tmp)
    os.kill(pane.app_pid(), signal.SIGTERM)
    assert pane.exit_code() == 128 + signal.SIGTERM
    assert demo_folders(demo_tmp) == []


# -- a real vault -------------------------------------------------------------------


def test_hostile_name_is_shown_literally_and_cannot_retitle_the_terminal(
    launch: Launch, vault_files: VaultFiles
) -> None:
    with vault_files.open() as vault:
        owner = vault.owner_staff_id
        assert owner is not None
        vault.repo.clients.add(
            Client.create(
                preferred_name=HOSTILE_NAME, intake_date=date(2026, 1, 5), case_manager_id=owner
            )
        )
        vault.save()
    with vault_files.open(writable=False) as vault:
        [stored] = vault.repo.clients.all()
        assert stored.preferred_name == SHOWN_NAME

    # Control: in this very pane, before casetui starts, an OSC 0 does retitle it.
    pane = launch(
        "--vault",
        str(vault_files.vault),
        gated=r"printf '\033]0;CONTROL-TITLE\007'",
        CASETUI_PASSPHRASE=PASSPHRASE,
    )
    wait_until(lambda: pane.title() == "CONTROL-TITLE" or None, "the control title", 10)
    pane.tmux("select-pane", "-t", "e2e", "-T", "before-title")
    assert pane.title() == "before-title"
    pane.go_file.touch()

    screen = pane.wait_for("My caseload", SHOWN_NAME)
    assert "PWNED" not in screen
    assert "x y z" not in screen  # markup was not interpreted
    assert pane.title() == "before-title"

    pane.keys("Enter")
    screen = pane.wait_for("Profile", "Goals", f"{SHOWN_NAME} · ")
    assert "PWNED" not in screen
    assert pane.title() == "before-title"

    pane.keys("Escape")
    pane.wait_for("My caseload")
    pane.keys("C-q")
    assert pane.exit_code() == 0
    assert pane.title() == "before-title"
    vault_files.snapshot()  # the writer lock was released


def test_wrong_passphrase_then_right_one_unlocks(launch: Launch, vault_files: VaultFiles) -> None:
    pane = launch("open", "--vault", str(vault_files.vault))
    pane.wait_for("Unlock your vault", "Passphrase")

    pane.type("not the passphrase")
    pane.wait_for("•" * len("not the passphrase"))
    pane.keys("Enter")
    screen = pane.wait_for("did not unlock", timeout=25)
    assert "not the passphrase" not in screen

    pane.type(PASSPHRASE)
    screen = pane.wait_for("•" * len(PASSPHRASE))
    assert PASSPHRASE not in screen
    pane.keys("Enter")
    screen = pane.wait_for("My caseload", "No clients to show here.", timeout=25)
    assert PASSPHRASE not in screen

    pane.keys("C-q")
    assert pane.exit_code() == 0
    vault_files.snapshot()
