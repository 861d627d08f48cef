"""Starting the app: a real vault, or the trainers' throwaway demo.

Imported only by the commands that open the UI, so ``casetui --help`` never pays
for Textual.
"""

from __future__ import annotations

import json
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import FrameType

from casetui.config.settings import Settings
from casetui.core.timeshift import shift_document
from casetui.resources import sample_caseload
from casetui.services.interchange import apply_import, plan_import
from casetui.ui.app import CaseApp
from casetui.vault.unlocking import Unlocker
from casetui.vault.vault import Vault

DEMO_OWNER = "st_sample01"


def run_app(
    vault_path: Path,
    *,
    settings: Settings,
    unlocker: Unlocker | None,
    notices: list[str],
    masked: bool | None = None,
    read_only: bool = False,
    accept_older: bool = False,
    identity: Path | None = None,
) -> int:
    """``masked`` starts with screen sharing on (None: as the settings say).

    ``read_only`` opens without the writer lock, to look only. ``identity`` is the
    key file ``unlocker`` read (``--identity``), which also unlocks after a lock.
    """
    app = CaseApp(
        vault_path,
        settings=settings,
        unlocker=unlocker,
        notices=notices,
        masked=masked,
        read_only=read_only,
        accept_older=accept_older,
        identity=identity,
    )
    try:
        with _exit_on_signals():
            result = app.run()
    finally:
        if app.vault is not None:
            app.vault.close()
    if app.return_code:  # stopped by an internal error, which the app has reported
        return 70
    return result or 0


@contextmanager
def _exit_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP (a dropped SSH session) into a normal, cleaned-up exit."""

    def leave(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, leave) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def make_demo_vault(folder: Path, today: date) -> Vault:
    """A vault of the sample caseload, its key held only in memory, dated to ``today``."""
    vault = Vault.create(folder / "demo.age", None, owner_name=None)
    try:
        document = json.loads(sample_caseload().read_text(encoding="utf-8"))
        plan = plan_import(vault, shift_document(document, today), "the sample caseload")
        vault.repo.actor_source = lambda: "casetui demo setup"  # no owner yet to name
        apply_import(vault, plan)
        vault.repo.actor_source = vault.who
        if DEMO_OWNER in vault.repo.staff:
            vault.set_owner(DEMO_OWNER)
            vault.save()
    except BaseException:
        vault.close()
        raise
    return vault


def run_demo(
    *,
    settings: Settings,
    notices: list[str],
    today: date | None = None,
    masked: bool | None = None,
) -> int:
    """Run the demo on a throwaway vault that is removed on every way out.

    ``masked`` starts with screen sharing on (None: as the settings say).
    """
    folder = Path(tempfile.mkdtemp(prefix="casetui-demo-"))
    vault: Vault | None = None
    try:
        with _exit_on_signals():
            vault = make_demo_vault(folder, today or date.today())
            app = CaseApp(
                vault.path,
                settings=settings,
                vault=vault,
                demo=True,
                notices=notices,
                today=today,
                masked=masked,
            )
            result = app.run()
    finally:
        if vault is not None:
            vault.close()
        shutil.rmtree(folder, ignore_errors=True)
    if app.return_code:  # stopped by an internal error, which the app has reported
        return 70
    return result or 0
