"""SIGKILL a writer mid-save, many times: the vault always opens, old or new.

The main test forks a writer that saves in a tight loop, acknowledging each save
after ``save()`` returns, and kills it at a random moment: during serialising,
encrypting, the hash check, the backup, the temp-file write, fsync or the rename.
Afterwards the vault must open, pass a full check, and hold either the last
acknowledged state or the one being saved when the kill landed.
"""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casetui.core.records import Staff
from casetui.services.checkup import check_vault
from casetui.vault.unlocking import identity_unlocker
from tests.conftest import VaultFiles, clean_env, copy_vault

KILLS = 220
COUNTER_ID = "st_crashcounter"


def counter_of(files: VaultFiles) -> int:
    with files.open(writable=False) as vault:
        assert vault.problems() == []
        return int(vault.repo.staff.require(COUNTER_ID).name.split()[-1])


def writer(files: VaultFiles, ack: int) -> None:  # pragma: no cover - runs in the child
    try:
        vault = files.open()
        counter = vault.repo.staff.require(COUNTER_ID)
        n = int(counter.name.split()[-1])
        os.write(ack, b"ready\n")
        while True:
            n += 1
            vault.repo.staff.put(dataclasses.replace(counter, name=f"Counter {n}"))
            vault.save()
            os.write(ack, f"{n}\n".encode())
    finally:
        os._exit(0)


def read_lines(fd: int) -> list[str]:
    data = b""
    while chunk := os.read(fd, 65536):
        data += chunk
    return data.decode().split()


def wait_ready(fd: int) -> bytes:
    buffered = b""
    while b"ready\n" not in buffered:
        chunk = os.read(fd, 1)
        if not chunk:
            raise AssertionError("the writer died before it was ready")
        buffered += chunk
    return buffered


@pytest.mark.slow
def test_sigkill_during_saves_always_leaves_old_or_new(sample_files: VaultFiles) -> None:
    with sample_files.open() as vault:
        vault.repo.staff.add(Staff(id=COUNTER_ID, name="Counter 0"))
        started = time.perf_counter()
        vault.save()
        save_seconds = time.perf_counter() - started
    seed = int(os.environ.get("CASETUI_CRASH_SEED", "20261122"))
    rng = random.Random(seed)
    state = 0
    landed_mid_save = 0
    for attempt in range(KILLS):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(read_fd)
            writer(sample_files, write_fd)
        os.close(write_fd)
        wait_ready(read_fd)
        time.sleep(rng.uniform(0, 4 * save_seconds))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        acks = [int(x) for x in read_lines(read_fd)]
        os.close(read_fd)
        acknowledged = acks[-1] if acks else state
        now = counter_of(sample_files)
        assert now in (acknowledged, acknowledged + 1), (seed, attempt, acknowledged, now)
        landed_mid_save += now == acknowledged + 1
        state = now
        if attempt % 20 == 0:
            report = check_vault(sample_files.vault, identity_unlocker(sample_files.identity_file))
            assert report.ok, report.problems
            assert all(b.opens for b in report.backups)
    # The kills really did land inside saves, not only between them.
    assert landed_mid_save > 0
    assert state > KILLS // 2
    print(f"{KILLS} kills, {landed_mid_save} landed after the rename, final counter {state}")


@pytest.mark.slow
def test_sigkill_of_a_real_import_leaves_all_or_nothing(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    rng = random.Random(7)
    outcomes = {"nothing": 0, "everything": 0}
    for attempt in range(20):
        files = copy_vault(vault_files, tmp_path / f"run{attempt}")
        argv = [sys.executable, "-m", "casetui", "import", "--sample"]
        argv += ["--vault", str(files.vault), "--identity", str(files.identity_file)]
        process = subprocess.Popen(argv, env=clean_env(home), stdout=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        report = check_vault(files.vault, identity_unlocker(files.identity_file))
        assert report.ok, report.problems
        clients = report.counts["clients"]
        assert clients == 0 or clients >= 30, clients
        outcomes["nothing" if clients == 0 else "everything"] += 1
    print(outcomes)
