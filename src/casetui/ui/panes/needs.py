"""The needs checklist, grouped short-term / intermediate / long-term.

In "all" view every catalog need appears, whether or not it has been assessed;
cycling a need that has no record yet creates one. "Needed only" shows the needs
still calling for work.

While the screen is shared, notes are hidden, and so is the name of a need the
case manager typed themselves (it shows as "Custom need").
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from casetui.core.case_rules import days_ago
from casetui.core.catalog import CATALOG, CatalogNeed
from casetui.core.choices import OPEN_NEED_STATUSES, Horizon, NeedStatus
from casetui.core.records import NeedItem
from casetui.services import casework
from casetui.ui.forms.client_fields import need_fields
from casetui.ui.forms.form import FormScreen
from casetui.ui.masking import free_text, is_masked, need_label
from casetui.ui.panes.base import Pane
from casetui.ui.safe_text import one_line, short_date
from casetui.ui.widgets.row_list import Column, Row, RowList

STATUS_CYCLE = (
    NeedStatus.NOT_ASSESSED,
    NeedStatus.NEEDED,
    NeedStatus.IN_PROGRESS,
    NeedStatus.MET,
    NeedStatus.NOT_NEEDED,
    NeedStatus.DECLINED,
)

SYMBOLS = {
    NeedStatus.NOT_ASSESSED: "·",
    NeedStatus.NEEDED: "!",
    NeedStatus.IN_PROGRESS: "…",
    NeedStatus.MET: "✓",
    NeedStatus.NOT_NEEDED: "–",
    NeedStatus.DECLINED: "×",
}

MARKS = {
    NeedStatus.NEEDED: "row-list--alert",
    NeedStatus.MET: "row-list--good",
    NeedStatus.NOT_NEEDED: "row-list--muted",
    NeedStatus.DECLINED: "row-list--muted",
    NeedStatus.NOT_ASSESSED: "row-list--muted",
}


def next_status(status: NeedStatus) -> NeedStatus:
    return STATUS_CYCLE[(STATUS_CYCLE.index(status) + 1) % len(STATUS_CYCLE)]


class NeedsPane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "cycle", "Status", id="needs.cycle"),
        Binding("v", "toggle_view", "Show", id="needs.view"),
        Binding("n", "note", "Note", show=False, id="needs.note"),
        Binding("c", "custom", "Custom", id="needs.custom"),
        Binding("r", "reassessed", "Reassessed today", show=False, id="needs.reassessed"),
    ]

    DEFAULT_CSS = """
    NeedsPane #needs-info { height: 1; padding: 0 1; color: $text-muted; }
    NeedsPane #needs-list { height: 1fr; }
    NeedsPane #need-detail { height: auto; max-height: 6; padding: 0 1; border-top: solid $panel; }
    """

    def __init__(self, client_id: str) -> None:
        super().__init__(client_id)
        self.show_all = False

    def compose(self) -> ComposeResult:
        yield Static("", id="needs-info")
        yield RowList(
            [
                Column("mark", "", 1),
                Column("need", "Need", 0, 16),
                Column("domain", "Area", 9),
                Column("status", "Status", 18),
                Column("date", "Since", 10),
            ],
            empty_text="No open needs. Press v to see the whole checklist.",
            id="needs-list",
        )
        yield Static("", id="need-detail")

    def refresh_data(self) -> None:
        client = self.client
        today = self.session.today
        when = client.needs_reassessed_on
        if when is None:
            reassessed = "Needs not reassessed yet (press r when you reassess them)"
        else:
            ago = days_ago((today - when).days)
            reassessed = f"Needs last reassessed {when.isoformat()} ({ago})"
        view = "showing all" if self.show_all else "showing needed only"
        self.query_one("#needs-info", Static).update(one_line(f"{reassessed} · {view}"))
        row_list = self.query_one(RowList)
        row_list.set_rows(self._rows())
        current = row_list.current
        if current is not None and current.data is None:
            row_list.action_cursor(1)
        self._show_detail()

    def _rows(self) -> list[Row]:
        items = self.vault.repo.needs.for_parent(self.client_id)
        masked = is_masked(self)
        by_key = {n.catalog_key: n for n in items if n.catalog_key}
        rows: list[Row] = []
        for horizon in Horizon:
            section: list[Row] = []
            entries: list[NeedItem | CatalogNeed] = [
                by_key.get(c.key) or c for c in CATALOG if c.horizon is horizon
            ]
            entries += sorted(
                (n for n in items if n.horizon is horizon and not n.catalog_key),
                key=lambda n: n.label.casefold(),
            )
            for entry in entries:
                if isinstance(entry, NeedItem):
                    status, key, date_text = (
                        entry.status,
                        entry.id,
                        short_date(entry.status_date, ""),
                    )
                else:
                    status, key, date_text = NeedStatus.NOT_ASSESSED, f"catalog:{entry.key}", ""
                if not self.show_all and status not in OPEN_NEED_STATUSES:
                    continue
                section.append(
                    Row(
                        key,
                        (
                            SYMBOLS[status],
                            need_label(entry, masked),
                            entry.domain.label,
                            status.label,
                            date_text,
                        ),
                        entry,
                        {0: MARKS[status], 3: MARKS[status]} if status in MARKS else {},
                    )
                )
            if section:
                title = f"── {horizon.label} ──"
                rows.append(
                    Row(
                        f"section:{horizon.value}",
                        ("", title, "", "", ""),
                        None,
                        {1: "row-list--header"},
                    )
                )
                rows.extend(section)
        return rows

    def _current(self) -> NeedItem | CatalogNeed | None:
        row = self.query_one(RowList).current
        if row is None or row.data is None:
            return None
        if isinstance(row.data, NeedItem):
            return self.vault.repo.needs.get(row.data.id) or row.data
        return row.data  # type: ignore[no-any-return]

    @on(RowList.Highlighted)
    def _show_detail(self) -> None:
        entry = self._current()
        text = ""
        if isinstance(entry, NeedItem):
            text = (
                f"Note: {free_text(entry.note, is_masked(self))}"
                if entry.note
                else "No note yet (press n to add one)."
            )
        elif entry is not None:
            text = "Not assessed yet. Press space to mark it needed."
        self.query_one("#need-detail", Static).update(one_line(text))

    # -- actions --------------------------------------------------------------------

    def _item_for(self, entry: NeedItem | CatalogNeed) -> NeedItem:
        if isinstance(entry, NeedItem):
            return entry
        return NeedItem.create(
            client_id=self.client_id,
            catalog_key=entry.key,
            label=entry.label,
            horizon=entry.horizon,
            domain=entry.domain,
        )

    def action_cycle(self) -> None:
        entry = self._current()
        if entry is None:
            return
        item = self._item_for(entry)
        updated = dataclasses.replace(
            item, status=next_status(item.status), status_date=self.session.today
        )
        is_new = not isinstance(entry, NeedItem)
        row_list = self.query_one(RowList)
        self.write("", casework.add if is_new else casework.save, updated)
        row_list.set_rows(row_list.rows, keep_key=updated.id)
        self.refresh_data()
        row_list.set_rows(row_list.rows, keep_key=updated.id)

    def action_toggle_view(self) -> None:
        self.show_all = not self.show_all
        self.refresh_data()

    @on(RowList.Chosen)
    def _chosen(self) -> None:
        self.action_note()

    def action_note(self) -> None:
        entry = self._current()
        if entry is None:
            return
        item = self._item_for(entry)
        is_new = not isinstance(entry, NeedItem)

        def build(values: dict[str, Any]) -> NeedItem:
            return dataclasses.replace(item, **values)

        def done(result: NeedItem | None) -> None:
            if result is None or (result == item and not is_new):
                return
            self.write("Need saved.", casework.add if is_new else casework.save, result)

        initial = {
            "status": item.status,
            "status_date": item.status_date or self.session.today,
            "note": item.note,
        }
        self.app.push_screen(FormScreen(item.label, need_fields(False), initial, build), done)

    def action_custom(self) -> None:
        client_id = self.client_id

        def build(values: dict[str, Any]) -> NeedItem:
            return NeedItem.create(client_id=client_id, catalog_key=None, **values)

        def done(result: NeedItem | None) -> None:
            if result is not None:
                self.show_all = self.show_all or result.status not in OPEN_NEED_STATUSES
                self.write("Custom need added.", casework.add, result)

        initial = {
            "status": NeedStatus.NEEDED,
            "status_date": self.session.today,
            "horizon": Horizon.SHORT_TERM,
        }
        self.app.push_screen(FormScreen("Custom need", need_fields(True), initial, build), done)

    def action_reassessed(self) -> None:
        client = self.client
        updated = dataclasses.replace(client, needs_reassessed_on=self.session.today)
        self.write("Marked as reassessed today.", casework.save, updated)
