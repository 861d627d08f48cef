"""The agency's funding sources: the grants clients and services are counted under.

A funding source names the agency's grant, never a client, so it stays as it is
while the screen is shared; only its note (which might mention someone) is hidden.
One is kept while any client or service is counted under it, so that no report
loses them without the case manager knowing.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from casetui.core.choices import FundingProgram
from casetui.core.errors import ValidationError
from casetui.core.funder_records import FundingSource
from casetui.services import casework
from casetui.services.funding import remove_source, users_of
from casetui.ui.forms.confirm import ConfirmScreen
from casetui.ui.forms.form import FormScreen
from casetui.ui.forms.funder_forms import funding_source_fields
from casetui.ui.masking import free_text, is_masked, on_masking
from casetui.ui.records_view import ShowsRecords
from casetui.ui.safe_text import labelled, short_date
from casetui.ui.widgets.chrome import CaseScreen
from casetui.ui.widgets.row_list import Column, Row, RowList

INFO = (
    "The grants clients and services are counted under. Tag a client on their profile, "
    "or a single service in the client's Services tab."
)


def dates_text(source: FundingSource) -> str:
    if not (source.starts_on or source.ends_on):
        return "—"
    return f"{short_date(source.starts_on, '…')} to {short_date(source.ends_on, '…')}"


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def in_use_sentence(name: str, clients: int, services: int) -> str:
    """Why a source is kept, in one sentence."""
    users = " and ".join(
        counted(n, noun) for n, noun in ((clients, "client"), (services, "service")) if n
    )
    verb = "is" if clients + services == 1 else "are"
    return (
        f"{name} stays, because {users} {verb} still counted under it; take it off "
        "first, on the client's profile or in their Services tab."
    )


class FundingSourcesScreen(ShowsRecords, CaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="funding.back"),
        Binding("a", "add", "Add", id="funding.add"),
        Binding("e", "edit", "Edit", id="funding.edit"),
        Binding("delete", "remove", "Remove", key_display="Del", id="funding.remove"),
    ]

    DEFAULT_CSS = """
    FundingSourcesScreen #funding-info { height: auto; padding: 0 1; color: $text-muted; }
    FundingSourcesScreen #funding-list { height: 1fr; min-height: 5; }
    FundingSourcesScreen #funding-detail {
        height: auto; max-height: 10; padding: 0 1; border-top: solid $panel;
    }
    """

    def compose(self) -> ComposeResult:
        yield from self.chrome("funding", "Funding sources")
        yield Static(INFO, id="funding-info", markup=False)
        yield RowList(
            [
                Column("name", "Name", 0, 14, lambda s: s.name.casefold()),
                Column("program", "Program", 0, 12, lambda s: s.program.label),
                Column("award", "Award number", 16, sort_key=lambda s: s.award_number),
                Column("dates", "Dates", 24, sort_key=lambda s: (s.starts_on is None, s.starts_on)),
            ],
            empty_text="No funding sources yet. Press a to add the agency's first grant.",
            id="funding-list",
        )
        yield Static("", id="funding-detail")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(RowList).focus()
        on_masking(self, lambda _masked: self.reload())

    def reload_records(self) -> None:
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        sources = sorted(
            self.case_app.require_vault().repo.funding_sources.all(),
            key=lambda s: s.name.casefold(),
        )
        rows = [
            Row(s.id, (s.name, s.program.label, s.award_number or "—", dates_text(s)), s)
            for s in sources
        ]
        self.query_one(RowList).set_rows(rows, keep_key=keep)
        self._show_detail()

    def _current(self) -> FundingSource | None:
        row = self.query_one(RowList).current
        return self.case_app.require_vault().repo.funding_sources.get(row.key) if row else None

    @on(RowList.Highlighted)
    def _show_detail(self) -> None:
        source = self._current()
        text = Text(end="")
        if source is not None:
            clients, services = users_of(self.case_app.require_vault().repo, source.id)
            text = labelled(
                [
                    (
                        "Counted under it",
                        f"{counted(clients, 'client')}, {counted(services, 'service')}",
                    ),
                    ("Note", free_text(source.note, is_masked(self))),
                ]
            )
        self.query_one("#funding-detail", Static).update(text)

    @on(RowList.Chosen)
    def _chosen(self) -> None:
        self.action_edit()

    def action_back(self) -> None:
        self.case_app.go_back()

    def action_add(self) -> None:
        self.open_form(None)

    def action_edit(self) -> None:
        source = self._current()
        if source is not None:
            self.open_form(source)

    def open_form(self, source: FundingSource | None) -> None:
        app = self.case_app
        others = [s for s in app.require_vault().repo.funding_sources if s != source]

        def build(values: dict[str, Any]) -> FundingSource:
            name = str(values.get("name") or "").strip()
            if any(s.name.casefold() == name.casefold() for s in others if name):
                raise ValidationError(
                    "name", "another funding source has this name; choose another."
                )
            if source is None:
                return FundingSource.create(**values)
            return dataclasses.replace(source, **values)

        def done(result: FundingSource | None) -> None:
            if result is None or result == source:
                return
            if app.write(casework.save, result):
                app.notify("Funding source saved.", markup=False, timeout=3)
                self.reload(keep=result.id)

        initial: dict[str, Any] = (
            {"program": FundingProgram.OTHER}
            if source is None
            else {n: getattr(source, n) for n in FundingSource.field_names() if n != "id"}
        )
        title = "New funding source" if source is None else f"Edit {source.name}"
        app.push_screen(FormScreen(title, funding_source_fields(), initial, build), done)

    def action_remove(self) -> None:
        source = self._current()
        if source is None:
            return
        app = self.case_app
        clients, services = users_of(app.require_vault().repo, source.id)
        if clients or services:
            app.notify(
                in_use_sentence(source.name, clients, services),
                title="Kept",
                severity="warning",
                markup=False,
            )
            return

        def decided(yes: bool | None) -> None:
            if yes and app.write(remove_source, source):
                app.notify("Funding source removed.", markup=False, timeout=3)
                self.reload()

        app.push_screen(
            ConfirmScreen(
                f"Remove {source.name}?",
                "No client or service is counted under it. Removing cannot be undone.",
                yes="Remove",
                no="Keep it",
            ),
            decided,
        )
