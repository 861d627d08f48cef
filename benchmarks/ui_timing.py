"""Two figures for the app: demo start-up, and a filter keystroke at 2,000 clients.

    python benchmarks/ui_timing.py [--runs 7] [--clients 2000]

1. ``casetui demo`` to the first drawn caseload: the real console script runs in
   tmux; the clock stops when ``capture-pane`` first shows the caseload title.
   Polling every 10 ms adds up to 10 ms to each run.
2. One keystroke in the caseload filter with 2,000 clients on screen ("everyone"):
   Pilot presses each key of a few names and their backspaces; each figure is
   the key press, the filter, and the repaint that follows, measured in-process
   on the headless driver.

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
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agency_scale import PASSPHRASE, build_document

CASETUI = Path(sys.executable).parent / "casetui"


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
    from casetui.vault.vault import Vault, VaultPaths, keyring_unlocker

    words = ("client 1", "client 19", "spanish", "zzz")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vault.age"
        Vault.create(path, PASSPHRASE).close()
        keyring = keys.load_vault_identity(VaultPaths(path).identity, PASSPHRASE)
        with Vault.open(path, keyring_unlocker(keyring)) as vault:
            vault._storage.document.update(build_document(clients))
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
            while not isinstance(app.screen, CaseloadScreen):
                await pilot.pause(0.05)
            screen = app.screen
            await pilot.press("m")  # everyone: every open case is a candidate
            await pilot.pause()
            row_list = screen.query_one(RowList)
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
    print(f"filter at {result['shown']:,} listed clients:")
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
