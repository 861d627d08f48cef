"""Keeping the app in step with its vault folder: the rest of the records, other devices.

After unlocking, the caseload is drawn from the client tables while the meeting
log and the audit trail are read in a worker; the status line says so. Then,
every little while (never while a form is open), a worker reads what other
devices saved into the folder (through Syncthing, Nextcloud, a USB stick…) and
merges it in, and every screen showing those records redraws. A save that
leaves many changes on top of the last snapshot compacts the folder in the same
worker, never on the UI thread.
"""

from __future__ import annotations

from typing import Any

from casetui.core.errors import VaultError
from casetui.ui.forms.form import FormScreen
from casetui.ui.messages import RecordsChanged
from casetui.ui.save_worker import SaveState
from casetui.ui.worker_errors import unexpected
from casetui.vault.vault import Vault

#: How often other devices' files are looked for, in seconds.
REFRESH_SECONDS = 15.0
LOADING_TEXT = "Opening the meeting log…"


class FolderSync:
    """One app's loading and refreshing. ``app`` is the running ``CaseApp``."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._timer: Any = None
        #: How many fields with two versions the person was last told of.
        self._told_conflicts = 0

    def start(self, vault: Vault) -> None:
        """Call once the vault is open and the caseload is on screen."""
        if vault.journal is None:
            return
        if vault.loading:
            pending = set(vault.loading)
            self.app.save_state = SaveState(True, LOADING_TEXT)
            self.app.run_worker(
                lambda: self._load_rest(vault, pending),
                name="load_rest",
                group="load-rest",
                thread=True,
                exit_on_error=False,
            )
        if self._timer is None:
            self._timer = self.app.set_interval(REFRESH_SECONDS, self._tick)

    def _load_rest(self, vault: Vault, pending: set[str]) -> None:
        try:
            touched = vault.load_rest()
            vault.repo.build_indexes()
        except VaultError as error:
            self.app.call_from_thread(self._failed, "reading the meeting log", str(error))
            return
        except Exception as error:
            self.app.call_from_thread(
                self._failed, "reading the meeting log", unexpected("reading the vault", error)
            )
            return
        self.app.call_from_thread(self._loaded, vault, touched, pending)

    def _loaded(self, vault: Vault, touched: set[tuple[str, str]], pending: set[str]) -> None:
        if self.app.save_state.text == LOADING_TEXT:
            self.app.save_state = SaveState(
                True, "All changes saved" if vault.writable else "Read-only: nothing is saved"
            )
        self.arrived(vault, set(), tables=pending)
        del touched  # every record of those tables: the screens redraw them all

    def _tick(self) -> None:
        vault = self.app.vault
        if vault is None or vault.journal is None or self.app.locked or vault.loading:
            return
        if any(isinstance(screen, FormScreen) for screen in self.app.screen_stack):
            # Not while a form is open: its save then counts as made before the other
            # devices' changes, so the merge keeps theirs field by field, and an edit of
            # the same field becomes "2 versions" rather than one lost.
            return
        self.app.run_worker(
            lambda: self._refresh(vault),
            name="refresh",
            group="refresh",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def _refresh(self, vault: Vault) -> None:
        try:
            touched = vault.refresh()
        except VaultError as error:
            self.app.call_from_thread(self._failed, "reading other devices' changes", str(error))
            return
        if touched:
            self.app.call_from_thread(self.arrived, vault, touched)

    def arrived(
        self, vault: Vault, touched: set[tuple[str, str]], tables: set[str] | None = None
    ) -> None:
        """Tell every screen which records changed from outside this session."""
        if self.app.vault is not vault:
            return
        clients: set[str] = set()
        for table, record_id in touched:
            if table == "clients":
                clients.add(record_id)
                continue
            row = vault.repo.table(table).raw().get(record_id) if table != "_meta" else None
            client_id = row.get("client_id") if row else None
            if isinstance(client_id, str):
                clients.add(client_id)
        names = frozenset(tables if tables is not None else {t for t, _r in touched})
        for screen in self.app.screen_stack:
            screen.post_message(RecordsChanged(names, frozenset(clients)))
        waiting = sum(1 for _c in vault.conflicts())
        if waiting > self._told_conflicts:
            self.app.notify(
                f"{waiting} field{'s were' if waiting != 1 else ' was'} changed on two devices "
                'at once. Both versions are kept: open "2 versions to choose" (ctrl+p) to '
                "choose.",
                title="2 versions",
                severity="warning",
                timeout=20,
                markup=False,
            )
        self._told_conflicts = waiting

    def _failed(self, what: str, reason: str) -> None:
        self.app.notify(
            reason, title=f"Trouble {what}", severity="warning", timeout=15, markup=False
        )
