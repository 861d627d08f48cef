"""Saving the vault after a change: the save worker and what the status line says.

A failed save leaves every edit in memory, says why in the status line and a
notification, and ``ctrl+s`` retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.worker import Worker

from casetui.core.choices import AuditAction
from casetui.core.errors import VaultError
from casetui.ui.worker_errors import unexpected


@dataclass(frozen=True, slots=True)
class SaveState:
    ok: bool
    text: str


class Saver:
    """Saves the app's vault in a worker after every change, and says how it went.

    ``app`` is the running ``CaseApp`` (not imported here: it imports this module);
    its ``save_state`` is what the status line of every screen shows.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def changed(self) -> None:
        """Call after every write to the records: saves in a worker."""
        self.app.save_state = SaveState(True, "Saving…")
        self.save()

    def save(self, quiet: bool = False) -> Worker[None]:
        """Save in a worker; ``quiet`` leaves the status line as it is."""
        worker: Worker[None] = self.app.run_worker(
            lambda: self._save(quiet),
            name="_save",
            group="save",
            thread=True,
            exit_on_error=False,
        )
        return worker

    def _save(self, quiet: bool) -> None:
        app = self.app
        vault = app.require_vault()
        try:
            vault.save()
            if vault.compaction_due():
                vault.compact()  # here, in the worker: a snapshot of a large vault takes a while
        except VaultError as error:
            app.call_from_thread(self._save_failed, str(error))
            return
        except Exception as error:
            app.call_from_thread(self._save_failed, unexpected("saving", error))
            return
        if not quiet:
            stamp = datetime.now().strftime("%H:%M")
            app.call_from_thread(self._saved, stamp)

    def _saved(self, stamp: str) -> None:
        vault = self.app.vault
        if vault is not None and not vault.dirty:
            self.app.save_state = SaveState(True, f"Saved {stamp}")

    def _save_failed(self, reason: str) -> None:
        self.app.save_state = SaveState(
            False, "Not saved: your changes are kept in memory. Press ctrl+s to try again."
        )
        self.app.notify(reason, title="Could not save", severity="error", timeout=15, markup=False)

    def record_event(
        self, action: AuditAction, detail: str = "", *, client_id: str | None = None
    ) -> None:
        """Add a session event to the audit trail and save it (not in a read-only session).

        The save is quiet: the status line keeps speaking of the user's own changes.
        """
        vault = self.app.vault
        if (
            vault is not None
            and vault.writable
            and vault.repo.record_event(action, detail=detail, client_id=client_id)
        ):
            self.save(quiet=True)
