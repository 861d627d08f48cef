"""A second writer gets a clear message, and no write is lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

from casetui.core.records import Client
from tests.conftest import VaultFiles, clean_env, run_casetui

HOLDER = textwrap.dedent(
    """
    import sys
    from datetime import date
    from pathlib import Path
    from casetui.core.records import Client
    from casetui.vault.unlocking import identity_unlocker
    from casetui.vault.vault import Vault

    vault = Vault.open(Path(sys.argv[1]), identity_unlocker(Path(sys.argv[2])))
    print("holding", flush=True)
    sys.stdin.readline()
    vault.repo.clients.add(Client(
        id="cl_firstwriter", preferred_name="Kwame Stonebrook",
        intake_date=date(2026, 5, 1), case_manager_id=vault.owner_staff_id,
    ))
    vault.save()
    vault.close()
    print("saved", flush=True)
    """
)


def test_a_second_import_is_stopped_while_another_process_writes(
    vault_files: VaultFiles, home: Path
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(vault_files.vault), str(vault_files.identity_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=clean_env(home),
    )
    try:
        assert holder.stdout is not None
        assert holder.stdin is not None
        assert holder.stdout.readline().strip() == "holding"
        before = vault_files.snapshot(lock_held=True)
        args = ("--vault", vault_files.vault, "--identity", vault_files.identity_file)
        blocked = run_casetui("import", "--sample", *args, home=home)
        assert blocked.returncode == 3
        assert "Traceback" not in blocked.stderr
        message = blocked.stderr.strip()
        assert message.startswith("casetui: The vault is open elsewhere")
        assert f"(process {holder.pid})" in message
        assert message.endswith("close it there first, then try again.")
        assert vault_files.snapshot(lock_held=True) == before

        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "saved"
        assert holder.wait(timeout=30) == 0
    finally:
        holder.kill()

    retried = run_casetui("import", "--sample", *args, home=home)
    assert retried.returncode == 0, retried.stderr
    with vault_files.open(writable=False) as vault:
        first = vault.repo.clients.require("cl_firstwriter")
        assert first.calendar_code  # given a neutral code when the first writer added it
        assert first == Client(
            id="cl_firstwriter",
            preferred_name="Kwame Stonebrook",
            intake_date=date(2026, 5, 1),
            case_manager_id=vault.owner_staff_id,
            calendar_code=first.calendar_code,
        )
        assert len(vault.repo.clients) >= 31
