"""The one door for writes: apply a change, save it, and tell the screens what it touched.

The repository signals every write (``Repository.listeners``); what one change
touched is gathered here and posted to every screen as :class:`RecordsChanged`,
so that each screen showing records redraws from them, and nothing else has to.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from casetui.core.errors import VaultError
from casetui.ui.messages import RecordsChanged
from casetui.vault.vault import Vault


class Writes:
    """Writes for one app. ``app`` is the running ``CaseApp`` (it imports this module)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        #: What the write being made touched, heard from the repository.
        self._tables: set[str] = set()
        self._clients: set[str] = set()

    def listen(self, vault: Vault) -> None:
        """Hear the writes to ``vault``'s records (once, however often it is reopened)."""
        if self._heard not in vault.repo.listeners:
            vault.repo.listeners.append(self._heard)

    def _heard(self, table: str, client_ids: Collection[str | None]) -> None:
        """The repository's change signal: note what a write touched (any thread)."""
        self._tables.add(table)
        self._clients.update(c for c in client_ids if c)

    def _forget(self) -> None:
        self._tables.clear()
        self._clients.clear()

    def _tell_screens(self) -> None:
        """Post :class:`RecordsChanged` to every screen, with what the write touched."""
        tables, clients = frozenset(self._tables), frozenset(self._clients)
        self._forget()
        if not tables:
            return
        for screen in self.app.screen_stack:
            screen.post_message(RecordsChanged(tables, clients))

    def run(self, change: Callable[[Vault], object]) -> bool:
        """Apply an in-memory change, report a refusal in one sentence, then save."""
        app = self.app
        vault = app.require_vault()
        if not vault.writable:
            app.notify(
                "This session is read-only because this is an older copy of the vault, so "
                "nothing can be changed here; see 'casetui check' for what to do."
                if vault.older_copy() is not None
                else "This session is read-only because the vault is open elsewhere, so "
                "nothing can be changed here; close casetui there, then open it here again.",
                title="Nothing was changed",
                severity="warning",
                markup=False,
            )
            return False
        self._forget()
        try:
            change(vault)
        except (VaultError, ValueError) as error:
            self._forget()
            app.notify(str(error), title="Nothing was changed", severity="error", markup=False)
            return False
        app.changed()
        self._tell_screens()
        return True
