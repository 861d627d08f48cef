"""Fixtures for the end-to-end tests: the real ``casetui`` in a tmux pane.

The tmux harness itself (``Pane``, ``launcher_script``, ``stop_server``) is in
``test_e2e_tmux.py``, beside the tests that first needed it.
"""

from __future__ import annotations

import shlex
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import clean_env
from tests.e2e.test_e2e_tmux import (
    HEIGHT,
    TMUX_CONF,
    WIDTH,
    Launch,
    Pane,
    launcher_script,
    require_tmux,
    stop_server,
)


@pytest.fixture
def launch(tmp_path: Path, home: Path) -> Iterator[Launch]:
    """Start casetui in a fresh tmux server; kill every server afterwards."""
    require_tmux()
    started: list[Pane] = []

    def start(*args: str, gated: str | None = None, **env_extra: str) -> Pane:
        """Run ``casetui ARGS``. With ``gated``, run that shell text first, then wait
        for :attr:`Pane.go_file` before starting casetui."""
        folder = tmp_path / f"tmux{len(started)}"
        folder.mkdir()
        pane = Pane(f"casetui-e2e-{uuid.uuid4().hex[:12]}", folder)
        pane.conf.write_text(TMUX_CONF)
        env = clean_env(home, TERM="xterm-256color", **env_extra)
        for name in [k for k in env if k in {"COLUMNS", "LINES"} or k.startswith("TMUX")]:
            del env[name]
        prelude = ""
        if gated is not None:
            go = shlex.quote(str(pane.go_file))
            prelude = f"{gated}\nwhile [ ! -e {go} ]; do sleep 0.05; done"
        script = folder / "run.sh"
        script.write_text(launcher_script(list(args), env, pane.pid_file, prelude))
        shell = f"sh {shlex.quote(str(script))}; echo CASETUI_EXIT=$?"
        started.append(pane)
        size = ["-x", str(WIDTH), "-y", str(HEIGHT)]
        pane.tmux("new-session", "-d", "-s", "e2e", *size, shell)
        return pane

    yield start
    for pane in started:
        stop_server(pane)


@pytest.fixture
def demo_tmp(tmp_path: Path) -> Path:
    """The TMPDIR the demo runs with, so its throwaway folder can be watched."""
    folder = tmp_path / "tmpdir"
    folder.mkdir()
    return folder
