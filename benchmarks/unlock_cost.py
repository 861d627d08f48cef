"""What unlocking costs: the key file's scrypt work factor, in seconds and peak memory.

    python benchmarks/unlock_cost.py [--repeat 3]

Makes an empty vault in a temp folder, then wraps its key file three ways and
runs ``casetui check`` (a fresh process each time) against each:

* casetui's own writer (``passphrase_file``, fixed 2^18);
* pyrage's ``passphrase.encrypt``, which tunes the factor to this machine (what
  casetui wrote before);
* 2^20, what pyrage chose on a fast machine.

It prints the median wall time and the peak RSS of the process (from
``os.wait4``'s resource usage). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyrage

from casetui.vault import passphrase_file
from casetui.vault.vault import Vault
from casetui.vault.vault_paths import VaultPaths

PASSPHRASE = "benchmark lantern orchard river"


def run_check(vault: Path, home: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``casetui check``."""
    env = {
        **os.environ,
        "HOME": str(home),
        "CASETUI_PASSPHRASE": PASSPHRASE,
        "XDG_STATE_HOME": str(home / "state"),
    }
    started = time.perf_counter()
    code = os.fork()
    if code == 0:  # child: exec, so its own peak RSS is what the parent reads
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.execve(  # noqa: S606
            sys.executable,
            [sys.executable, "-m", "casetui", "check", "--vault", str(vault)],
            env,
        )
    _pid, status, usage = os.wait4(code, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("casetui check failed")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        vault = root / "v" / "vault.age"
        Vault.create(vault, PASSPHRASE, owner_name="Bench Mark").close()
        identity = VaultPaths(vault).identity
        plain = bytes(pyrage.passphrase.decrypt(identity.read_bytes(), PASSPHRASE))
        variants = {
            "casetui (fixed)": passphrase_file.encrypt(plain, PASSPHRASE),
            "pyrage (tuned here)": bytes(pyrage.passphrase.encrypt(plain, PASSPHRASE)),
            "2^20 (fast machine)": passphrase_file.encrypt(plain, PASSPHRASE, work_factor=20),
        }
        print(f"{'key file':<22} {'factor':>7} {'unlock+check s':>15} {'peak RSS MiB':>13}")
        for name, sealed in variants.items():
            identity.write_bytes(sealed)
            runs = [run_check(vault, root) for _ in range(args.repeat)]
            seconds = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            factor = passphrase_file.work_factor(sealed)
            print(f"{name:<22} {'2^' + str(factor):>7} {seconds:>15.2f} {peak:>13.0f}")


if __name__ == "__main__":
    main()
