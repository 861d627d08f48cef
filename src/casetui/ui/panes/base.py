"""What every workspace tab shares: its client, the app, and making a change."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual.containers import Vertical

from casetui.core.records import Client, Record
from casetui.vault.tables import Table
from casetui.vault.vault import Vault

R = TypeVar("R", bound=Record)

if TYPE_CHECKING:
    from casetui.ui.app import CaseApp


class Pane(Vertical):
    def __init__(self, client_id: str) -> None:
        super().__init__()
        self.client_id = client_id

    @property
    def case_app(self) -> CaseApp:
        return self.app  # type: ignore[return-value]

    @property
    def vault(self) -> Vault:
        return self.case_app.require_vault()

    @property
    def client(self) -> Client:
        return self.vault.repo.clients.require(self.client_id)

    def on_mount(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        """Redraw from the records."""

    def current_record(self, table: Table[R]) -> R | None:
        """The record under the tab's list cursor, read fresh from ``table``."""
        from casetui.ui.widgets.row_list import RowList

        row = self.query_one(RowList).current
        return table.get(row.key) if row else None

    def select(self, record_id: str) -> None:
        """Put the cursor on ``record_id`` if this tab lists it."""
        from casetui.ui.widgets.row_list import RowList

        for listing in self.query(RowList):
            listing.set_rows(listing.rows, keep_key=record_id)

    def change(self, apply: Callable[[Vault], object], done: str = "") -> bool:
        """Apply a change to the records, save it in the background, redraw."""
        ok = self.case_app.run_on_vault(apply)
        if ok:
            from casetui.ui.screens.client import ClientScreen

            screen = self.screen
            if isinstance(screen, ClientScreen):
                screen.refresh_all()
            else:
                self.refresh_data()
            if done:
                self.case_app.notify(done, markup=False, timeout=3)
        return ok
