"""The real ``casetui`` in tmux on a vault made by ``casetui init`` + ``casetui import --sample``.

Such a vault has no case manager of its own. Before the fix the app opened on an
empty "My caseload" with nothing to say that ``m`` shows everyone; now it asks
"Which case manager are you?", and the clients show either way.
"""

from __future__ import annotations

import json
import shlex
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from casetui.resources import sample_caseload
from tests.conftest import PASSPHRASE, clean_env, run_casetui
from tests.e2e.test_e2e_tmux import TMUX_CONF, Pane, launcher_script, require_tmux, stop_server

WIDTH, HEIGHT = 100, 30
QUESTION = "Which case manager are you?"


def clients_of(staff_id: str) -> list[str]:
    document = json.loads(sample_caseload().read_text(encoding="utf-8"))
    return [
        c["preferred_name"]
        for c in document["clients"]
        if c["case_manager_id"] == staff_id and c["status"] != "closed"
    ]


PRIYAS = clients_of("st_sample01")
OTHERS = clients_of("st_sample02") + clients_of("st_sample03")


@pytest.fixture
def made_vault(tmp_path: Path, home: Path) -> Path:
    """``casetui init`` (no name) then ``casetui import --sample``, as a person would."""
    vault = tmp_path / "agency" / "vault.age"
    env = {"CASETUI_PASSPHRASE": PASSPHRASE}
    made = run_casetui("init", "--vault", vault, home=home, env=env)
    assert made.returncode == 0, made.stderr
    imported = run_casetui("import", "--sample", "--vault", vault, home=home, env=env)
    assert imported.returncode == 0, imported.stderr
    return vault


@pytest.fixture
def open_app(tmp_path: Path, home: Path, state_dir: Path) -> Iterator[Callable[[Path], Pane]]:
    """Open casetui on a vault in a fresh tmux pane (passphrase from the environment)."""
    require_tmux()
    started: list[Pane] = []

    def start(vault: Path) -> Pane:
        folder = tmp_path / f"tmux{len(started)}"
        folder.mkdir()
        pane = Pane(f"casetui-first-{uuid.uuid4().hex[:12]}", folder)
        pane.conf.write_text(TMUX_CONF)
        env = clean_env(
            home,
            TERM="xterm-256color",
            CASETUI_STATE_DIR=str(state_dir),
            CASETUI_PASSPHRASE=PASSPHRASE,
        )
        for name in [k for k in env if k in {"COLUMNS", "LINES"} or k.startswith("TMUX")]:
            del env[name]
        script = folder / "run.sh"
        script.write_text(launcher_script(["--vault", str(vault)], env, pane.pid_file, ""))
        shell = f"sh {shlex.quote(str(script))}; echo CASETUI_EXIT=$?"
        started.append(pane)
        pane.tmux("new-session", "-d", "-s", "e2e", "-x", str(WIDTH), "-y", str(HEIGHT), shell)
        return pane

    yield start
    for pane in started:
        stop_server(pane)


def test_choosing_who_you_are_shows_your_clients_and_is_kept(
    made_vault: Path, open_app: Callable[[Path], Pane]
) -> None:
    pane = open_app(made_vault)
    screen = pane.wait_for(QUESTION, "Priya Oakhaven", "show everyone", timeout=40)
    # Listed by name: Daniel Riverstone, Grace Fernwood, Priya Oakhaven.
    assert screen.index("Daniel Riverstone") < screen.index("Priya Oakhaven")
    pane.keys("Down", "Down", "Enter")
    screen = pane.wait(
        lambda s: "My caseload" in s and QUESTION not in s and any(n in s for n in PRIYAS),
        "Priya's caseload",
        timeout=20,
    )
    assert not any(name in screen for name in OTHERS), screen
    pane.wait_for("Saved", timeout=20)
    pane.keys("C-q")
    assert pane.exit_code() == 0

    # Asked once: the answer is kept in the vault.
    again = open_app(made_vault)
    screen = again.wait(
        lambda s: "My caseload" in s and any(n in s for n in PRIYAS), "Priya's caseload", 40
    )
    assert QUESTION not in screen
    again.keys("C-q")
    assert again.exit_code() == 0


def test_none_of_these_shows_everyone_and_says_why(
    made_vault: Path, open_app: Callable[[Path], Pane]
) -> None:
    pane = open_app(made_vault)
    pane.wait_for(QUESTION, "show everyone", timeout=40)
    pane.keys("Escape")
    screen = pane.wait(
        lambda s: "Everyone's clients" in s and QUESTION not in s,
        "everyone's clients",
        timeout=20,
    )
    assert "no case manager of its own" in screen, screen
    assert any(name in screen for name in PRIYAS + OTHERS), screen
    pane.keys("C-q")
    assert pane.exit_code() == 0
