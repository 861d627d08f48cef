"""What every workspace tab shares: its client, the app, and making a change."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, Protocol, TypeVar, runtime_checkable

from textual.containers import Vertical

from casetui.core.records import Client, Record
from casetui.ui.session import Session, session_of
from casetui.ui.widgets.row_list import RowList
from casetui.vault.tables import Table
from casetui.vault.vault import Vault

if TYPE_CHECKING:
    from casetui.vault.repository import Repository

R = TypeVar("R", bound=Record)
P = ParamSpec("P")


@runtime_checkable
class ClientTabs(Protocol):
    """The screen holding a client's tabs, as a tab sees it (without importing it)."""

    def refresh_all(self) -> None: ...

    def show_tab(self, tab: str) -> None: ...


class Pane(Vertical):
    def __init__(self, client_id: str) -> None:
        super().__init__()
        self.client_id = client_id

    @property
    def session(self) -> Session:
        return session_of(self.app)

    @property
    def vault(self) -> Vault:
        return self.session.require_vault()

    @property
    def client(self) -> Client:
        return self.vault.repo.clients.require(self.client_id)

    def on_mount(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        """Redraw from the records."""

    def current_record(self, table: Table[R]) -> R | None:
        """The record under the tab's list cursor, read fresh from ``table``."""
        row = self.query_one(RowList).current
        return table.get(row.key) if row else None

    def select(self, record_id: str) -> None:
        """Put the cursor on ``record_id`` if this tab lists it."""
        for listing in self.query(RowList):
            listing.set_rows(listing.rows, keep_key=record_id)

    def write(
        self,
        done: str,
        operation: Callable[Concatenate[Repository, P], object],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> bool:
        """Run a service from :mod:`casetui.services.casework` through the session.

        ``done`` is told once the change is applied ("" tells nothing); a refusal
        is told by the session instead. Returns whether the change was applied.
        The tabs redraw on the ``RecordsChanged`` the app posts after the write.
        """
        ok = self.session.write(operation, *args, **kwargs)
        if ok and done:
            self.app.notify(done, markup=False, timeout=3)
        return ok
