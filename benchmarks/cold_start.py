"""How long ``casetui --help`` takes from a cold process, against bare Python.

    python benchmarks/cold_start.py [--runs 30]

Prints the median and spread of wall-clock times for ``casetui --help`` and for
``python -c pass`` (the floor any Python program pays), and whether Textual was
imported (it must not be).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def timed(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def describe(name: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=10)
    return (
        f"{name:<24} median {statistics.median(times) * 1e3:6.1f} ms"
        f"   p10 {q[0] * 1e3:6.1f} ms   p90 {q[-1] * 1e3:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    script = shutil.which("casetui") or f"{sys.prefix}/bin/casetui"
    timed([script, "--help"], 3)  # warm the file cache, as a second launch would be
    print(describe("python -c pass", timed([sys.executable, "-c", "pass"], args.runs)))
    print(describe("casetui --help", timed([script, "--help"], args.runs)))
    probe = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "casetui", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    textual = [ln for ln in probe.stderr.splitlines() if "| textual" in ln]
    print(f"textual modules imported by --help: {len(textual)}")


if __name__ == "__main__":
    main()
