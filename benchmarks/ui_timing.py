"""Two figures for the app: demo start-up, and a filter keystroke at 2,000 clients.

    python benchmarks/ui_timing.py [--runs 7] [--clients 2000]

1. ``casetui demo`` to the first drawn caseload: the real console script runs in
   tmux; the clock stops when ``capture-pane`` first shows the caseload title.
   Polling every 10 ms adds up to 10 ms to each run.
2. One keystroke in the caseload filter with 2,000 clients in the vault, every
   open one listed ("everyone"; closed cases are not listed): Pilot presses each
   key of a few names and their backspaces; each figure is the key press, the
   filter, and the repaint that follows, measured in-process on the headless
   driver. Before anything is timed, the list must hold every open client of the
   vault; if it does not (the caseload not loaded yet, the wrong scope), the
   benchmark stops with an error and times nothing.

Both print medians and spreads; there are no pass/fail thresholds here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agency_scale import PASSPHRASE, build_document

CASETUI = Path(sys.executable).parent / "casetui"
#: How long the caseload may take to open and list every client before the benchmark gives up.
LOAD_TIMEOUT = 300.0


class NotAtScale(SystemExit):
    """The caseload does not list what was asked for: nothing is timed."""


def open_clients(document: dict[str, dict[str, dict[str, object]]]) -> int:
    """The clients "everyone" lists: every one not closed."""
    return sum(1 for raw in document["clients"].values() if raw.get("status") != "closed")


async def wait_until(pilot: Any, condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + LOAD_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise NotAtScale(f"benchmark: gave up after {LOAD_TIMEOUT:.0f} s waiting for {what}.")
        await pilot.pause(0.05)


def demo_startup(runs: int) -> list[float]:
    tmux = shutil.which("tmux")
    if tmux is None:
        raise SystemExit("tmux is needed for the start-up figure (apt-get install tmux).")
    times = []
    for run in range(runs):
        socket = f"casetui-bench-{os.getpid()}-{run}"
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "TMPDIR": tmp, "XDG_CONFIG_HOME": tmp}
            started = time.perf_counter()
            subprocess.run(
                [
                    tmux,
                    "-L",
                    socket,
                    "new-session",
                    "-d",
                    "-x",
                    "100",
                    "-y",
                    "30",
                    f"{CASETUI} demo",
                ],
                env=env,
                check=True,
            )
            try:
                while True:
                    pane = subprocess.run(
                        [tmux, "-L", socket, "capture-pane", "-p"],
                        capture_output=True,
                        text=True,
                        check=False,
                    ).stdout
                    if "My caseload" in pane:
                        times.append(time.perf_counter() - started)
                        break
                    if time.perf_counter() - started > 60:
                        raise SystemExit("the demo did not draw its caseload within 60 s")
                    time.sleep(0.01)
                subprocess.run([tmux, "-L", socket, "send-keys", "C-q"], check=False)
                time.sleep(0.5)
            finally:
                subprocess.run(
                    [tmux, "-L", socket, "kill-server"], check=False, stderr=subprocess.DEVNULL
                )
    return times


async def filter_keystrokes(clients: int) -> dict[str, list[float] | int]:
    from textual.widgets import Input

    from casetui.config import Settings
    from casetui.ui.app import CaseApp
    from casetui.ui.screens.caseload import CaseloadScreen
    from casetui.ui.widgets.row_list import RowList
    from casetui.vault import keys
    from casetui.vault.unlocking import keyring_unlocker
    from casetui.vault.vault import Vault
    from casetui.vault.vault_paths import VaultPaths

    words = ("client 1", "client 19", "spanish", "zzz")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vault.age"
        Vault.create(path, PASSPHRASE).close()
        keyring = keys.load_vault_identity(VaultPaths(path).identity, PASSPHRASE)
        document = build_document(clients)
        expected = open_clients(document)
        with Vault.open(path, keyring_unlocker(keyring)) as vault:
            vault._storage.document.update(document)
            vault._storage.generation += 1
            vault.save()
        app = CaseApp(
            path, unlocker=keyring_unlocker(keyring), today=date(2026, 11, 16), settings=Settings()
        )
        pilot_times: list[float] = []
        floor_times: list[float] = []
        direct_times: list[float] = []
        cpu_times: list[float] = []
        async with app.run_test(size=(120, 40)) as pilot:
            # The vault opens in a worker: wait for it and for the caseload it leads to.
            def caseload() -> CaseloadScreen | None:
                found = [s for s in app.screen_stack if isinstance(s, CaseloadScreen)]
                return found[0] if app.vault is not None and found else None

            await wait_until(pilot, lambda: caseload() is not None, "the vault to open")
            screen = caseload()
            assert screen is not None
            # A question on top (which case manager are you?) is answered "everyone".
            for _ in range(3):
                await pilot.pause(0.2)
                if app.screen is screen:
                    break
                await pilot.press("escape")
            if app.screen is not screen:
                raise NotAtScale(
                    f"benchmark: {type(app.screen).__name__} stays in front of the caseload; "
                    "nothing was timed."
                )
            row_list = screen.query_one(RowList)
            # Everyone's clients: every open case is a candidate. `m` goes round the
            # scopes (mine, everyone, closed), and the vault may open on any of them.
            for _ in range(3):
                if screen.scope == "everyone":
                    break
                await pilot.press("m")
                await pilot.pause()
            if screen.scope != "everyone":
                raise NotAtScale(
                    f"benchmark: the caseload shows {screen.scope!r}, not everyone's clients; "
                    "nothing was timed."
                )
            try:
                await wait_until(
                    pilot,
                    lambda: len(row_list.rows) == expected,
                    f"the caseload to list {expected:,} clients",
                )
            except NotAtScale:
                raise NotAtScale(
                    f"benchmark: the caseload lists {len(row_list.rows):,} clients, not the "
                    f"{expected:,} open ones of the {clients:,} asked for; nothing was timed."
                ) from None
            shown = len(row_list.rows)
            await pilot.press("slash")
            for word in words:
                typed = ["space" if ch == " " else ch for ch in word]
                for key in [*typed, *["backspace"] * len(word)]:
                    started = time.perf_counter()
                    cpu = time.process_time()
                    await pilot.press(key)
                    pilot_times.append(time.perf_counter() - started)
                    cpu_times.append(time.process_time() - cpu)
                    started = time.perf_counter()
                    await pilot.press("end")  # moves the input's cursor: the harness floor
                    floor_times.append(time.perf_counter() - started)
            # The filter and the drawing of every visible line, without the harness.
            box = screen.query_one("#filter", Input)
            height = row_list.size.height
            for word in words:
                for n in [*range(1, len(word) + 1), *range(len(word) - 1, -1, -1)]:
                    with box.prevent(Input.Changed):
                        box.value = word[:n]
                    started = time.perf_counter()
                    screen.apply_filter()
                    for y in range(height):
                        row_list.render_line(y)
                    direct_times.append(time.perf_counter() - started)
        if app.vault is not None:
            app.vault.close()
    return {
        "pilot": pilot_times,
        "floor": floor_times,
        "direct": direct_times,
        "cpu": cpu_times,
        "shown": shown,
    }


def describe(label: str, values: list[float], unit: float, suffix: str) -> None:
    values = sorted(values)
    p90 = values[int(0.9 * (len(values) - 1))]
    print(
        f"{label:<44} median {statistics.median(values) * unit:8.1f} {suffix}   "
        f"min {values[0] * unit:7.1f}   p90 {p90 * unit:7.1f}   n={len(values)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--clients", type=int, default=2000)
    args = parser.parse_args()
    describe("casetui demo -> first caseload drawn", demo_startup(args.runs), 1000, "ms")
    result = asyncio.run(filter_keystrokes(args.clients))
    pilot, floor, direct = result["pilot"], result["floor"], result["direct"]
    assert isinstance(pilot, list) and isinstance(floor, list) and isinstance(direct, list)
    print(f"filter at {result['shown']:,} listed clients ({args.clients:,} in the vault):")
    describe("  filter + redraw of the visible lines", direct, 1000, "ms")
    describe("  Pilot key press in the filter (end to end)", pilot, 1000, "ms")
    cpu = result["cpu"]
    assert isinstance(cpu, list)
    describe("  CPU time used by that key press (all threads)", cpu, 1000, "ms")
    describe("  Pilot key press that only moves the cursor", floor, 1000, "ms")
    extra = statistics.median(pilot) - statistics.median(floor)
    print(f"  wall-clock difference of the two Pilot medians: {extra * 1000:.1f} ms")


if __name__ == "__main__":
    main()
