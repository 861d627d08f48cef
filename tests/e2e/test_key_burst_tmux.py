"""The real ``casetui`` in tmux: a name, Tab and a passphrase typed in one burst.

``tmux send-keys -l`` writes the whole text to the terminal at once, as a password
manager or a paste does, so the app reads every key in one go. Before the fix the
keys after the Tab landed in the Name field, and the passphrase was on screen.
The pane is 80x24, the smallest common terminal.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import clean_env
from tests.e2e.test_e2e_tmux import (
    TMUX_CONF,
    Pane,
    launcher_script,
    require_tmux,
    stop_server,
    wait_until,
)

WIDTH, HEIGHT = 80, 24
NAME = "Sam Rivera"
PHRASE = "secret words here"


@pytest.fixture
def first_run(tmp_path: Path, home: Path, state_dir: Path) -> Iterator[Pane]:
    """casetui on a vault that does not exist yet, in an 80x24 tmux pane."""
    require_tmux()
    folder = tmp_path / "tmux"
    folder.mkdir()
    pane = Pane(f"casetui-burst-{uuid.uuid4().hex[:12]}", folder)
    pane.conf.write_text(TMUX_CONF)
    env = clean_env(
        home,
        TERM="xterm-256color",
        CASETUI_STATE_DIR=str(state_dir),
        CASETUI_CONFIG=str(home / "casetui.toml"),
    )
    for name in [k for k in env if k in {"COLUMNS", "LINES"} or k.startswith("TMUX")]:
        del env[name]
    vault = tmp_path / "new" / "vault.age"
    script = folder / "run.sh"
    script.write_text(launcher_script(["--vault", str(vault)], env, pane.pid_file, ""))
    shell = f"sh {script}; echo CASETUI_EXIT=$?"
    pane.tmux("new-session", "-d", "-s", "e2e", "-x", str(WIDTH), "-y", str(HEIGHT), shell)
    try:
        yield pane
    finally:
        stop_server(pane)


def settled_screen(pane: Pane, seconds: float = 1.0, timeout: float = 20) -> str:
    """The screen once it has not changed for ``seconds``."""
    seen: list[str] = []

    def probe() -> str | None:
        seen.append(pane.screen())
        window = int(seconds / 0.1)
        recent = seen[-window:]
        if len(recent) == window and all(s == recent[0] for s in recent):
            return recent[0]
        return None

    return wait_until(probe, "the screen to settle", timeout)


def test_name_tab_passphrase_in_one_burst_never_shows_the_passphrase(first_run: Pane) -> None:
    pane = first_run
    pane.wait_for("Welcome to casetui", "Your name", "Passphrase again")  # the first-run card
    pane.type(f"{NAME}\t{PHRASE}")
    pane.wait(lambda s: f"e.g. {NAME}" not in s, "the name to be typed")
    screen = settled_screen(pane)
    assert "secret" not in screen, screen
    name_lines = [line for line in screen.splitlines() if NAME in line]
    assert len(name_lines) == 1, screen
    # The name alone in its box: only spaces and the box's edges after it.
    assert re.search(rf"{NAME}[\s▊▎▏▕▐│┃]*$", name_lines[0]), name_lines[0]
    assert "•" * len(PHRASE) in screen, screen
    pane.keys("C-q")
    assert pane.exit_code() == 0
