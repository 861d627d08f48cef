"""A tab of one kind of the client's records: add and edit through a form, remove after asking."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar, cast

from casetui.core.records import Record
from casetui.services import casework
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.panes.base import Pane
from casetui.vault.repository import Table

R = TypeVar("R", bound=Record)


class Removal(NamedTuple):
    """What a tab asks before removing a record (``shared_detail``: see ``ConfirmScreen``)."""

    question: str
    detail: str
    shared_detail: str | None = None


class RecordPane(Pane, Generic[R]):
    """The add / edit / remove skeleton of a tab that lists records of one kind.

    A tab names its record (``RECORD``), what it tells after a change (``ADDED``,
    ``SAVED``, ``REMOVED``), how its form opens (``open_form``, which hands the form
    to ``push_form``) and, when it has a remove key, its question (``removal``).
    Everything else a tab does (status steps, notes, renewals) stays with the tab.
    """

    RECORD: ClassVar[type[Record]]
    ADDED: ClassVar[str]
    SAVED: ClassVar[str]
    REMOVED: ClassVar[str] = ""

    def table(self) -> Table[R]:
        return cast("Table[R]", self.vault.repo.table_for(self.RECORD))

    def _current(self) -> R | None:
        return self.current_record(self.table())

    # -- adding and editing -------------------------------------------------------------

    def action_add(self) -> None:
        self.open_form(None)

    def action_edit(self) -> None:
        record = self._current()
        if record is not None:
            self.open_form(record)

    def open_form(self, record: R | None) -> None:
        """Build the form for a new record (``None``) or ``record``, then ``push_form`` it."""
        raise NotImplementedError

    def builder(self, record: R | None, **fixed: Any) -> Callable[[dict[str, Any]], R]:
        """What the form builds: ``record`` with the values, or a new record of this
        client's with the values and ``fixed``."""
        client_id = self.client_id

        def build(values: dict[str, Any]) -> R:
            if record is None:
                return cast(R, self.RECORD.create(client_id=client_id, **fixed, **values))
            return dataclasses.replace(record, **values)

        return build

    def push_form(self, record: R | None, form: FormScreen[R]) -> None:
        """Show ``form``; what it returns is added, or saved over ``record`` if changed."""

        def done(result: R | None) -> None:
            if result is None or result == record:
                return
            if record is None:
                self.added(result, self.write(self.ADDED, casework.add, result))
            else:
                self.write(self.SAVED, casework.save, result)

        self.app.push_screen(form, done)

    def added(self, record: R, ok: bool) -> None:
        """After adding (``ok``: it was applied), the cursor goes to the new record."""
        if ok:
            self.select(record.id)

    # -- removing -------------------------------------------------------------------------

    def removal(self, record: R) -> Removal:
        """What to ask before removing ``record``."""
        raise NotImplementedError

    def action_remove(self) -> None:
        record = self._current()
        if record is None:
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self.write(self.REMOVED, casework.remove, record)

        asked = self.removal(record)
        self.app.push_screen(
            ConfirmScreen(
                asked.question,
                asked.detail,
                yes="Remove",
                no="Keep it",
                shared_detail=asked.shared_detail,
            ),
            decided,
        )
