"""Bytes from the terminal that are not UTF-8 must not stop the app (the real console script).

A Latin-1 terminal sends ``é`` as the single byte 0xE9. Textual's own driver
decodes input strictly, so that byte used to end the app with a traceback and
lose the form being typed.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.e2e.test_e2e_tmux import DEMO_BANNER, Launch, demo_folders

REPLACEMENT = "\ufffd"


def test_a_byte_that_is_not_utf8_is_replaced_and_the_form_is_kept(
    launch: Launch,
    demo_tmp: Path,
) -> None:
    pane = launch("demo", gated="true", TMPDIR=str(demo_tmp))
    pane.tmux("resize-window", "-t", "e2e", "-x", "80", "-y", "24")
    pane.go_file.touch()
    pane.wait_for(DEMO_BANNER, "My caseload")
    pid = pane.app_pid()

    pane.keys("n")
    pane.wait_for("New client", "Preferred name")
    pane.type("Zofia")
    pane.wait_for("Zofia")
    pane.tmux("send-keys", "-t", "e2e", "-H", "e9")  # é from a Latin-1 terminal: 0xE9 alone
    pane.type("Kowal")

    screen = pane.wait_for(f"Zofia{REPLACEMENT}Kowal", "New client")
    assert "Traceback" not in screen
    assert "UnicodeDecodeError" not in screen
    os.kill(pid, 0)  # still running

    pane.keys("C-q")  # the form holds typed text, so casetui asks first
    pane.wait_for("Leave without saving?")
    pane.keys("y")
    assert pane.exit_code() == 0
    assert demo_folders(demo_tmp) == []
