"""Legal matters, shown only when the client has chosen to consider or engage.

While the screen is shared, descriptions and notes are hidden; the kind, status
and date stay.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from casetui.core.choices import LegalKind, LegalStatus
from casetui.core.private_records import LegalMatter
from casetui.ui.forms.casework_fields import legal_fields
from casetui.ui.forms.form import FormScreen
from casetui.ui.masking import free_text, is_masked
from casetui.ui.panes.record_pane import RecordPane, Removal
from casetui.ui.safe_text import short_date
from casetui.ui.widgets.row_list import Column, Row, RowList


class LegalPane(RecordPane[LegalMatter]):
    RECORD = LegalMatter
    ADDED = "Saved."
    SAVED = "Saved."
    REMOVED = "Removed."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="legal.add"),
        Binding("e", "edit", "Edit", id="legal.edit"),
        Binding("delete", "remove", "Remove", show=False, id="legal.remove"),
    ]

    DEFAULT_CSS = """
    LegalPane #legal-info { height: auto; padding: 0 1; color: $text-muted; }
    LegalPane #legal-list { height: 1fr; min-height: 5; }
    LegalPane #legal-detail { height: auto; max-height: 8; padding: 0 1; border-top: solid $panel; }
    """

    def compose(self) -> ComposeResult:
        yield Static(
            "Only what the client chose to pursue. Court dates show on Today.", id="legal-info"
        )
        yield RowList(
            [
                Column("kind", "Kind", 19, sort_key=lambda m: m.kind.label),
                Column("status", "Status", 10, sort_key=lambda m: m.status.label),
                Column("on", "Date", 10, sort_key=lambda m: m.on),
                Column("description", "Description", 0, 10),
            ],
            empty_text="Nothing recorded. Press a to add a protective order, court date or "
            "compensation application.",
            id="legal-list",
        )
        yield Static("", id="legal-detail")

    def refresh_data(self) -> None:
        matters = sorted(
            self.vault.repo.legal_matters.for_parent(self.client_id),
            key=lambda m: (m.on, m.id),
            reverse=True,
        )
        today = self.session.today
        masked = is_masked(self)
        rows = []
        for m in matters:
            upcoming = m.kind is LegalKind.COURT_DATE and m.on >= today
            rows.append(
                Row(
                    m.id,
                    (
                        m.kind.label,
                        m.status.label,
                        short_date(m.on),
                        free_text(m.description, masked, ""),
                    ),
                    m,
                    {2: "row-list--alert"} if upcoming else {},
                )
            )
        self.query_one(RowList).set_rows(rows)
        self._show_detail()

    @on(RowList.Highlighted)
    def _show_detail(self) -> None:
        matter = self._current()
        text = Text(end="")
        if matter is not None:
            text.append("Note: ", style="bold")
            text.append(free_text(matter.note, is_masked(self)))
        self.query_one("#legal-detail", Static).update(text)

    @on(RowList.Chosen)
    def _chosen(self) -> None:
        self.action_edit()

    def open_form(self, matter: LegalMatter | None) -> None:
        if matter is None:
            initial: dict[str, Any] = {
                "kind": LegalKind.COURT_DATE,
                "status": LegalStatus.SCHEDULED,
                "on": self.session.today,
            }
        else:
            initial = {n: getattr(matter, n) for n in LegalMatter.field_names()}
        title = "Add a legal matter" if matter is None else "Edit legal matter"
        self.push_form(matter, FormScreen(title, legal_fields(), initial, self.builder(matter)))

    def added(self, matter: LegalMatter, ok: bool) -> None:
        """The cursor stays where it was."""

    def removal(self, matter: LegalMatter) -> Removal:
        return Removal(
            f"Remove this {matter.kind.label.lower()}?",
            "Changing its status keeps the history. Removing cannot be undone.",
        )
