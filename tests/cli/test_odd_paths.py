"""Odd paths and odd outputs: never a hang, never a crash report, one sentence at most.

A named pipe given as the vault or a key file used to hang for ever (opening a
pipe waits for a writer); a key file that is a folder was reported as the vault;
``casetui audit | head`` and ``> /dev/full`` ended in "something unexpected went
wrong" with a crash report.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import PASSPHRASE, VaultFiles, clean_env, run_casetui

#: Far longer than any of these commands takes; reaching it means a hang.
HANG = 30


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    return [ln for ln in result.stderr.splitlines() if ln.strip()][-1]


def no_crash_report(home: Path) -> None:
    assert list(home.rglob("crash-*")) == []


def test_a_named_pipe_given_as_the_vault_is_refused_at_once(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    pipe = tmp_path / "pipe.age"
    os.mkfifo(pipe)
    started = time.monotonic()
    result = run_casetui(
        "check", "--vault", pipe, "--identity", vault_files.identity_file, home=home, timeout=HANG
    )
    assert time.monotonic() - started < HANG / 2
    assert result.returncode == 1
    # It says what the path is (a vault is a folder now, or a file of the older form).
    line = last_line(result)
    assert line.startswith(f"casetui: {pipe} is a named pipe, not a vault"), line
    assert line.endswith(("point --vault at the vault file.", "point --vault at your vault.")), line
    no_crash_report(home)


def test_a_named_pipe_as_the_vaults_key_file_is_refused_naming_the_key_file(
    vault_files: VaultFiles, home: Path
) -> None:
    key_file = vault_files.paths.identity
    key_file.unlink()
    os.mkfifo(key_file)
    result = run_casetui(
        "check",
        "--vault",
        vault_files.vault,
        home=home,
        env={"CASETUI_PASSPHRASE": PASSPHRASE},
        timeout=HANG,
    )
    assert result.returncode == 1
    assert last_line(result) == (
        f"casetui: The vault's key file {key_file} is a named pipe; put your backup copy of "
        "the key file there, or unlock with --identity."
    )
    no_crash_report(home)


def test_a_folder_as_the_vaults_key_file_is_named_as_the_key_file(
    vault_files: VaultFiles, home: Path
) -> None:
    key_file = vault_files.paths.identity
    key_file.unlink()
    key_file.mkdir()
    result = run_casetui(
        "check",
        "--vault",
        vault_files.vault,
        home=home,
        env={"CASETUI_PASSPHRASE": PASSPHRASE},
        timeout=HANG,
    )
    assert result.returncode == 1
    assert last_line(result) == (
        f"casetui: The vault's key file {key_file} is a folder; put your backup copy of "
        "the key file there, or unlock with --identity."
    )


def test_a_named_pipe_nothing_writes_to_is_refused_as_identity(
    vault_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    pipe = tmp_path / "key-pipe"
    os.mkfifo(pipe)
    result = run_casetui(
        "check", "--vault", vault_files.vault, "--identity", pipe, home=home, timeout=HANG
    )
    assert result.returncode == 1
    assert last_line(result) == (
        f"casetui: {pipe} is a named pipe that nothing writes to, not a key file; check the path."
    )
    no_crash_report(home)


def test_a_pipe_with_a_writer_still_works_as_identity(vault_files: VaultFiles, home: Path) -> None:
    """What the shell's ``--identity <(command)`` gives: /dev/fd/N, a pipe already written."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, vault_files.identity_file.read_bytes())
        os.close(write_end)
        write_end = -1
        result = subprocess.run(
            [
                *(sys.executable, "-m", "casetui", "check", "--vault", str(vault_files.vault)),
                *("--identity", f"/dev/fd/{read_end}"),
            ],
            env=clean_env(home),
            pass_fds=(read_end,),
            capture_output=True,
            text=True,
            timeout=HANG,
            check=False,
        )
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
    assert result.returncode == 0, result.stderr
    assert "All is well" in result.stdout


def _run_to(stdout: int, vault: VaultFiles, home: Path, *argv: str) -> tuple[int, str]:
    """casetui ``argv`` on ``vault`` with standard output on the descriptor ``stdout``."""
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "casetui", *argv),
            *("--vault", str(vault.vault), "--identity", str(vault.identity_file)),
        ],
        env=clean_env(home),
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=HANG,
        check=False,
    )
    return proc.returncode, proc.stderr


def test_a_closed_pipe_ends_quietly(sample_files: VaultFiles, home: Path) -> None:
    """``casetui audit | head``: the reader has gone, so casetui stops like any Unix tool."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has already gone: every write fails with EPIPE
    try:
        code, stderr = _run_to(write_end, sample_files, home, "audit")
    finally:
        os.close(write_end)
    assert stderr == ""
    assert code == 128 + signal.SIGPIPE
    no_crash_report(home)


def test_head_reads_the_first_lines_and_casetui_ends_quietly(
    sample_files: VaultFiles, home: Path, tmp_path: Path
) -> None:
    shell = shutil.which("bash")
    assert shell is not None
    err, code = tmp_path / "stderr", tmp_path / "code"
    command = (
        f"{sys.executable} -m casetui audit --vault {sample_files.vault} "
        f"--identity {sample_files.identity_file} 2>{err} | head -n 2; "
        f"echo ${{PIPESTATUS[0]}} >{code}"
    )
    result = subprocess.run(
        [shell, "-c", command],
        env=clean_env(home),
        capture_output=True,
        text=True,
        timeout=HANG,
        check=False,
    )
    assert len(result.stdout.splitlines()) == 2
    assert err.read_text() == ""
    assert int(code.read_text()) in (0, 128 + signal.SIGPIPE)
    no_crash_report(home)


def test_output_to_a_full_disk_is_one_sentence(vault_files: VaultFiles, home: Path) -> None:
    full = os.open("/dev/full", os.O_WRONLY)
    try:
        code, stderr = _run_to(full, vault_files, home, "recipients", "list")
    finally:
        os.close(full)
    assert code == 1
    assert "Traceback" not in stderr
    assert stderr.splitlines() == ["casetui: could not write the output: the disk is full."]
    no_crash_report(home)
