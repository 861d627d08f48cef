"""``casetui init`` is all or nothing, even when killed at any moment.

It used to write the key file, then the vault: a SIGKILL between the two left a
key file without a vault, after which ``init`` refused ("already exists") and
``check`` found no vault. Now both files are written under hidden names first and
linked into place key file first; a key file left alone is recognised as the
remains of a stopped ``init``, which the next ``init`` replaces.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casetui import cli
from casetui.services.checkup import check_vault
from casetui.vault.unlocking import passphrase_unlocker
from casetui.vault.vault_paths import VaultPaths
from tests.conftest import LOW_WORK_FACTOR, PASSPHRASE, clean_env

KILLS = 50
#: Unlocking at casetui's real scrypt cost would take most of the time; the files,
#: their order and every other step are the same at a lower cost.
LAUNCHER = f"""
import os, sys
from casetui.vault import keys
import casetui.vault.vault  # loaded before the signal, so the kill lands in init's own work
try:
    from casetui.vault import passphrase_file
except ImportError:  # a casetui that wraps with pyrage, tuned to the machine
    pass
else:
    keys.wrap_identity = lambda text, secret: passphrase_file.encrypt(
        text.encode(), secret, work_factor={LOW_WORK_FACTOR}
    )
from casetui.cli import main
signal = int(sys.argv[1])
os.write(signal, b"go")
code = main(sys.argv[2:])
os.write(signal, b"end")
sys.exit(code)
"""


def start_init(path: Path, home: Path) -> tuple[subprocess.Popen[bytes], float, int]:
    """Start ``casetui init``; return it once it reaches init's own work, and when it did.

    The third value is the pipe it signals on: "go" before init, "end" after it.
    """
    signal_read, signal_write = os.pipe()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(signal_write), "init", "--vault", str(path)],
            env=clean_env(home, CASETUI_PASSPHRASE=PASSPHRASE),
            pass_fds=(signal_write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except BaseException:
        os.close(signal_read)
        raise
    finally:
        os.close(signal_write)
    assert os.read(signal_read, 2) == b"go"
    return proc, time.monotonic(), signal_read


def init_here(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["init", "--vault", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def assert_opens(path: Path) -> None:
    report = check_vault(path, passphrase_unlocker(PASSPHRASE))
    assert report.ok, report.problems


def first_file(folder: Path, lock: str, proc: subprocess.Popen[bytes]) -> float | None:
    """Watch ``folder`` until init writes its first file there; when it did (None if never)."""
    while proc.poll() is None:
        if folder.exists() and any(p.name != lock for p in folder.iterdir()):
            return time.monotonic()
    return None


@pytest.mark.slow
def test_init_killed_at_any_moment_leaves_nothing_or_a_vault_and_init_recovers(
    tmp_path: Path,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cheap_scrypt: None,
) -> None:
    monkeypatch.setenv("CASETUI_PASSPHRASE", PASSPHRASE)
    # How long init's own work takes here, from the signal to the end, and how much of
    # it comes after its first file is written.
    spans, writing = [], []
    for run in range(3):
        path = tmp_path / f"probe{run}" / "vault.age"
        proc, began, signals = start_init(path, home)
        wrote = first_file(path.parent, VaultPaths(path).lock.name, proc)
        assert os.read(signals, 3) == b"end"
        ended = time.monotonic()
        spans.append(ended - began)
        writing.append(ended - (wrote or began))
        os.close(signals)
        assert proc.wait(timeout=60) == 0
    span, files_span = sorted(spans)[1], sorted(writing)[1]

    seed = random.randrange(1 << 32)
    chooser = random.Random(seed)
    outcomes = {"nothing": 0, "vault": 0, "key file only": 0}
    for attempt in range(KILLS):
        path = tmp_path / f"kill{attempt}" / "vault.age"
        paths = VaultPaths(path)
        proc, began, signals = start_init(path, home)
        if attempt % 3:
            # Most kills land while the files are written and put in place.
            start = first_file(path.parent, paths.lock.name, proc) or began
            delay = chooser.uniform(0, files_span * 1.1)
        else:
            start, delay = began, chooser.uniform(0, span * 1.1)
        time.sleep(max(0.0, start + delay - time.monotonic()))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        os.close(signals)
        where = f"(kill {attempt}, {delay * 1000:.2f} ms in, seed {seed})"

        names = {p.name for p in path.parent.iterdir()} if path.parent.exists() else set()
        shown = {n for n in names if not n.startswith(".")} - {paths.lock.name}
        code, out, err = init_here(path, capsys)
        if paths.vault.name in shown:
            outcomes["vault"] += 1
            assert shown == {paths.vault.name, paths.identity.name}, (shown, where)
            assert_opens(path)
            assert code == 1, (out, err, where)
            assert err == (
                f"casetui: {path} already exists; open that vault, "
                "or choose another path with --vault.\n"
            ), where
        else:
            assert shown <= {paths.identity.name}, (shown, where)
            outcomes["key file only" if shown else "nothing"] += 1
            assert code == 0, (out, err, where)
            assert ("stopped before it finished" in out) == bool(shown), (out, where)
            assert_opens(path)
    assert outcomes["nothing"] and outcomes["vault"], outcomes


def test_a_key_file_without_a_vault_that_init_did_not_leave_is_kept(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cheap_scrypt: None,
) -> None:
    """A vault moved away leaves its key file: that is never taken for init's leftovers."""
    monkeypatch.setenv("CASETUI_PASSPHRASE", PASSPHRASE)
    path = tmp_path / "v" / "vault.age"
    assert init_here(path, capsys)[0] == 0
    key_file = VaultPaths(path).identity
    kept = key_file.read_bytes()
    path.rename(tmp_path / "moved.age")
    code, _out, err = init_here(path, capsys)
    assert code == 1
    assert err == (
        f"casetui: The key file {key_file} already exists, but there is no vault beside it; "
        "if the vault was moved, put it back, or choose another path with --vault.\n"
    )
    assert key_file.read_bytes() == kept
